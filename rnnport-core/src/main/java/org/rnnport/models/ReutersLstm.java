package org.rnnport.models;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.rnnport.nn.FastRnn;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.KerasAdam;
import org.rnnport.nn.KerasInitializers;
import org.rnnport.nn.KerasLstmCell;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.StaticRnn;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.nn.Tf1Variables;

/**
 * Seed 003b, Keras semantics: {@code Sequential([Embedding(1000, 100), LSTM(100, activation='tanh'),
 * Dense(46, activation='softmax')])}, {@code categorical_crossentropy}, Adam, batch 100, 20 epochs,
 * validation on the test split; inputs are {@code load_data(num_words=1000, test_split=0.2)} padded
 * to 100. Variable names are tf-keras': {@code embedding/embeddings}, {@code lstm/lstm_cell/...},
 * {@code dense/...}.
 */
public final class ReutersLstm implements NotebookModel {
  public static final int MAXLEN = 100;
  static final int VOCAB = 1000;
  static final int EMBED = 100;
  static final int UNITS = 100;
  static final int CLASSES = 46;

  @Override
  public String name() {
    return "reuters-lstm";
  }

  @Override
  public String notebook() {
    return "003";
  }

  @Override
  public String description() {
    return "Keras Embedding(1000,100) + LSTM(100) + Dense(46, softmax) on Reuters, Adam, batch 100";
  }

  @Override
  public InputKind input() {
    return InputKind.REUTERS_SEQUENCES;
  }

  @Override
  public TrainDefaults defaults() {
    // specs/reuters-lstm.json: model.fit(x_train, y_train, batch_size=100, epochs=20): 90 batches (the last of 82)
    return ModelSpec.builtin("reuters-lstm").trainDefaults();
  }

  @Override
  public TrainingProtocol protocol() {
    return new KerasFitProtocol();
  }

  @Override
  public int classes() {
    return CLASSES;
  }

  @Override
  public ModelGraph build(Ops tf, SeedSource seeds, float learningRate, boolean training) {
    Tf1Variables vars = new Tf1Variables(tf);
    Placeholder<TInt32> x = tf.withName("embedding_input").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1, MAXLEN)));
    Placeholder<TFloat32> y = training ? tf.withName("dense_target").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, CLASSES))) : null;
    // Embedding(1000, 100): embeddings uniform(-0.05, 0.05); embedding_lookup
    Tf1Variable emb = vars.get("embedding/embeddings", Shape.of(VOCAB, EMBED),
        KerasInitializers.uniform(Shape.of(VOCAB, EMBED), -0.05f, 0.05f, seeds));
    Ops e = vars.scope("embedding");
    Operand<TFloat32> embedded = e.withName("embedding_lookup").gather(emb.read(), x, e.constant(0));
    org.rnnport.nn.PythonGradients.gathered(vars, emb, embedded, x);
    // LSTM(100, activation='tanh'): the last output
    Operand<TFloat32> last;
    if (GraphKind.fast()) {
      last = FastRnn.unroll("lstm", new KerasLstmCell(UNITS), embedded, MAXLEN, EMBED, vars, seeds).last();
    } else {
      List<Operand<TFloat32>> steps = new ArrayList<>(
          vars.scope("lstm").withName("unstack").unstack(embedded, (long) MAXLEN, Unstack.axis(1L)).output());
      org.rnnport.nn.PythonGradients.dynamicRnn(vars);
      last = StaticRnn.unroll("lstm", new KerasLstmCell(UNITS), steps, EMBED, vars, seeds).last();
    }
    // Dense(46, activation='softmax'): bias_add(matmul(h, kernel), bias), softmax
    Shape k = Shape.of(UNITS, CLASSES);
    Tf1Variable kernel = vars.get("dense/kernel", k, KerasInitializers.glorotUniform(k, seeds));
    Tf1Variable bias = vars.get("dense/bias", Shape.of(CLASSES),
        org.rnnport.nn.Initializers.zeros(Shape.of(CLASSES)));
    Ops d = vars.scope("dense");
    Operand<TFloat32> logits = d.withName("BiasAdd").nn.biasAdd(d.linalg.matMul(last, kernel.read()), bias.read());
    Operand<TFloat32> probabilities = d.withName("Softmax").nn.softmax(logits);
    Operand<TInt64> classes = tf.withName("classes").math.argMax(logits, tf.constant(1));
    List<Tf1Variable> modelVars = new ArrayList<>(vars.all());
    Operand<TFloat32> loss = null;
    Op train = null;
    if (training) {
      // categorical_crossentropy on a Softmax output: tf-keras takes the softmax's input (the logits)
      // and calls softmax_cross_entropy_with_logits (no clipping); SUM_OVER_BATCH_SIZE reduction
      Ops l = tf.withSubScope("loss");
      Operand<TFloat32> xent = l.nn.softmaxCrossEntropyWithLogits(logits, y).loss();
      loss = l.withName("value").math.divNoNan(l.sum(xent, l.constant(0)),
          l.dtypes.cast(l.size(xent), TFloat32.class));
      train = KerasAdam.minimize(vars, loss, modelVars, learningRate);
    }
    return new ModelGraph("embedding_input", x, y, logits, probabilities, classes, loss, train, modelVars, vars.all());
  }
}
