package org.rnnport.models;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
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
 * Seed 002: input {@code [None, 784]} reshaped to {@code [-1, 28, 28]}, {@code BasicLSTMCell(100)}
 * under {@code dynamic_rnn}, the final state's h, {@code prediction = softmax(h @ W + b)} with W
 * truncated_normal(stddev 0.1) and b 0.1, Adam 1e-4, batch 50, 10 epochs of 1,100 batches.
 *
 * <p>The notebook then computes {@code softmax_cross_entropy_with_logits(logits=prediction)}: a
 * softmax applied twice, which slows learning. The {@code faithful} variant keeps it; the
 * {@code fixed} variant ({@code mnist-lstm-state-fixed}) feeds the logits instead.
 */
public final class MnistLstmState extends LayeredModel {
  /** The notebook's: tf.contrib.rnn.BasicLSTMCell(lstm_size=100). */
  public static final RnnSpec NOTEBOOK = ModelSpec.builtin("mnist-lstm-state").rnn();
  private final boolean fixed;

  public MnistLstmState(boolean fixed) {
    this(fixed, NOTEBOOK);
  }

  public MnistLstmState(boolean fixed, RnnSpec spec) {
    super(fixed ? "mnist-lstm-state-fixed" : "mnist-lstm-state", NOTEBOOK, spec);
    this.fixed = fixed;
  }

  @Override
  public NotebookModel withRnn(RnnSpec s) {
    return new MnistLstmState(fixed, s);
  }

  @Override
  public String notebook() {
    return "002";
  }

  @Override
  public String description() {
    return "BasicLSTMCell(100) under dynamic_rnn over MNIST rows, final h -> softmax(dense(10)), Adam 1e-4"
        + (fixed ? "; loss on the logits (fixed)" : "; loss on the softmax output, as the notebook (double softmax)");
  }

  @Override
  public InputKind input() {
    return InputKind.MNIST_FLAT;
  }

  @Override
  public TrainDefaults defaults() {
    // specs/mnist-lstm-state(-fixed).json: for epoch in range(10): for batch in range(55000 // 50), Adam 1e-4
    return ModelSpec.builtin(fixed ? "mnist-lstm-state-fixed" : "mnist-lstm-state").trainDefaults();
  }

  @Override
  public int classes() {
    return 10;
  }

  @Override
  public ModelGraph build(Ops tf, SeedSource seeds, float learningRate, boolean training) {
    Tf1Variables vars = new Tf1Variables(tf);
    // x = tf.placeholder(tf.float32, [None, 784]); y = tf.placeholder(tf.float32, [None, 10])
    Placeholder<TFloat32> x = tf.withName("Placeholder").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 784)));
    Placeholder<TFloat32> y = training ? tf.withName("Placeholder_1").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 10))) : null;
    // weights = tf.Variable(tf.truncated_normal([lstm_size, n_classes], stddev=0.1))
    Tf1Variable w = vars.unnamed(Shape.of(spec.outputWidth(), 10),
        Initializers.truncatedNormal(tf, "truncated_normal", Shape.of(spec.outputWidth(), 10), 0f, 0.1f, seeds));
    // biases = tf.Variable(tf.constant(0.1, shape=[n_classes]))
    Tf1Variable b = vars.unnamed(Shape.of(10), Initializers.constant(tf, "Const", Shape.of(10), 0.1f));
    // inputs = tf.reshape(X, [-1, max_time, n_inputs])
    Operand<TFloat32> inputs = tf.withName("Reshape").reshape(x, tf.constant(new int[] {-1, 28, 28}));
    // outputs, final_state = tf.nn.dynamic_rnn(BasicLSTMCell(lstm_size), inputs, dtype=tf.float32)
    // (other cells, stacking, bidirectional: the last layer's h, forward and backward concatenated)
    Operand<TFloat32> h;
    if (GraphKind.fast()) {
      h = FastRnn.layer(spec, inputs, 28, 28, vars, seeds).finalH();
    } else {
      String scope = spec.bidirectional() ? "bidirectional_rnn" : "rnn";
      org.rnnport.nn.PythonGradients.dynamicRnn(vars);
      h = StaticRnn.layer(spec, StaticRnn.unstackTime(vars.scope(scope), inputs, 28), 28, vars, seeds).finalH();
    }
    // results = tf.nn.softmax(tf.matmul(final_state[1], weights) + biases)
    Operand<TFloat32> logits = Dense.apply(tf, h, w, b);
    Operand<TFloat32> prediction = tf.withName("Softmax").nn.softmax(logits);
    List<Tf1Variable> modelVars = new ArrayList<>(vars.all());
    Operand<TInt64> classes = tf.withName("classes").math.argMax(logits, tf.constant(1));
    Operand<TFloat32> cost = null;
    Op train = null;
    if (training) {
      // cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=prediction, labels=y))
      Operand<TFloat32> fed = fixed ? logits : prediction;
      cost = tf.withName("Mean").math.mean(tf.nn.softmaxCrossEntropyWithLogits(fed, y).loss(), tf.constant(0));
      // train_step = tf.train.AdamOptimizer(1e-4).minimize(cross_entropy)
      train = Tf1Adam.minimize(vars, cost, modelVars, Tf1Adam.Config.tf1(learningRate)).trainOp();
    }
    return new ModelGraph("x", x, y, logits, prediction, classes, cost, train, modelVars, vars.all());
  }

  @Override
  public void afterEpoch(TrainContext c, double avgCost) {
    // acc on mnist.test (all 10,000); print("Iter " + str(epoch) + ", Testing Accuracy= " + str(acc))
    double acc = c.testAccuracy(10000);
    c.out().println("Iter " + (c.epoch() - 1) + ", Testing Accuracy= " + (float) acc);
    c.record("testAccuracy", acc);
  }
}
