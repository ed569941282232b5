package org.rnnport.models;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.rnnport.data.Mnist;
import org.rnnport.nn.RnnSpec;
import org.rnnport.nn.Dense;
import org.rnnport.nn.FastRnn;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.Initializers;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.StaticRnn;
import org.rnnport.nn.Tf1Adam;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.nn.Tf1Variables;

/**
 * Seed 000: {@code BasicRNNCell(128)} reading an MNIST image row by row (28 steps of 28 pixels),
 * the last output through {@code matmul(outputs, W) + b}, mean softmax cross-entropy, Adam 0.001.
 */
public final class MnistRnn extends LayeredModel {
  static final int N_INPUT = 28;
  static final int N_STEP = 28;
  static final int N_HIDDEN = 128;
  static final int N_CLASS = 10;
  /** The notebook's: tf.nn.rnn_cell.BasicRNNCell(n_hidden). */
  public static final RnnSpec NOTEBOOK = ModelSpec.builtin("mnist-rnn").rnn();

  public MnistRnn() {
    this(NOTEBOOK);
  }

  public MnistRnn(RnnSpec spec) {
    super("mnist-rnn", NOTEBOOK, spec);
  }

  @Override
  public NotebookModel withRnn(RnnSpec s) {
    return new MnistRnn(s);
  }

  @Override
  public String notebook() {
    return "000";
  }

  @Override
  public String description() {
    return "BasicRNNCell(128) over MNIST rows, last output -> dense(10), Adam 0.001";
  }

  @Override
  public InputKind input() {
    return InputKind.MNIST_ROWS;
  }

  @Override
  public TrainDefaults defaults() {
    // specs/mnist-rnn.json: total_epoch 30, batch_size 128, total_batch = int(55000/128) = 429, lr 0.001
    return ModelSpec.builtin("mnist-rnn").trainDefaults();
  }

  @Override
  public int classes() {
    return N_CLASS;
  }

  @Override
  public ModelGraph build(Ops tf, SeedSource seeds, float learningRate, boolean training) {
    Tf1Variables vars = new Tf1Variables(tf);
    // X = tf.placeholder(tf.float32, [None, n_step, n_input], name="input_X")
    Placeholder<TFloat32> x = tf.withName("input_X").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, N_STEP, N_INPUT)));
    // Y = tf.placeholder(tf.float32, [None, n_class], name="output_Y")
    Placeholder<TFloat32> y = training ? tf.withName("output_Y").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, N_CLASS))) : null;
    // W = tf.Variable(tf.random_normal([n_hidden, n_class], name="weight_W"))
    Tf1Variable w = vars.unnamed(Shape.of(spec.outputWidth(), N_CLASS),
        Initializers.randomNormal(tf, "weight_W", Shape.of(spec.outputWidth(), N_CLASS), 0f, 1f, seeds));
    // b = tf.Variable(tf.random_normal([n_class], name="bias_b"))
    Tf1Variable b = vars.unnamed(Shape.of(N_CLASS),
        Initializers.randomNormal(tf, "bias_b", Shape.of(N_CLASS), 0f, 1f, seeds));
    // outputs, states = tf.nn.dynamic_rnn(BasicRNNCell(n_hidden), X, dtype=tf.float32)
    // (other cells, stacking, bidirectional: the same with RnnSpec; both directions concatenated)
    Operand<TFloat32> last;
    if (GraphKind.fast()) {
      // --graph fast: the same variables, fused steps, the last output read directly
      last = FastRnn.layer(spec, x, N_STEP, N_INPUT, vars, seeds).last();
    } else {
      String scope = spec.bidirectional() ? "bidirectional_rnn" : "rnn";
      org.rnnport.nn.PythonGradients.dynamicRnn(vars);
      StaticRnn.Bidi rnn = StaticRnn.layer(spec, StaticRnn.unstackTime(vars.scope(scope), x, N_STEP), N_INPUT, vars,
          seeds);
      Operand<TFloat32> outputs = StaticRnn.stackBatchMajor(vars.scope(scope), rnn.outputs());
      // outputs = tf.transpose(outputs, [1, 0, 2]); outputs = outputs[-1]
      outputs = tf.withName("transpose").linalg.transpose(outputs, tf.constant(new int[] {1, 0, 2}));
      last = tf.withName("strided_slice").stridedSlice(outputs, Indices.at(-1));
    }
    // model = tf.matmul(outputs, W) + b
    Operand<TFloat32> logits = Dense.apply(tf, last, w, b);
    List<Tf1Variable> modelVars = new ArrayList<>(vars.all());
    Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(logits);
    Operand<TInt64> classes = tf.withName("classes").math.argMax(logits, tf.constant(1));
    Operand<TFloat32> cost = null;
    Op train = null;
    if (training) {
      // cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=model, labels=Y))
      var xent = tf.nn.softmaxCrossEntropyWithLogits(logits, y);
      cost = tf.withName("Mean").math.mean(xent.loss(), tf.constant(0));
      // opt = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
      train = Tf1Adam.minimize(vars, cost, modelVars, Tf1Adam.Config.tf1(learningRate)).trainOp();
    }
    return new ModelGraph("input_X", x, y, logits, probabilities, classes, cost, train, modelVars, vars.all());
  }

  @Override
  public void afterEpoch(TrainContext c, double avgCost) {
    // if (epoch+1) % 5 == 0: print("Epoch: %04d" % (epoch+1), "Avg.cost = {}".format(epoch_cost/total_batch))
    if (c.epoch() % 5 == 0) {
      c.out().printf("Epoch: %04d Avg.cost = %s%n", c.epoch(), Double.toString(avgCost));
    }
  }

  @Override
  public void afterTraining(TrainContext c) {
    // print("\noptimization complete"); print("\naccuracy {:.3f}%".format(accuracy*100)) on all 10,000
    c.out().println("\noptimization complete");
    c.out().printf("%naccuracy %.3f%%%n", c.testAccuracy(10000) * 100);
  }
}
