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
 * Seed 001: {@code BasicLSTMCell(128, forget_bias=1.0)} with {@code static_rnn} over
 * {@code tf.unstack(x, 28, 1)}, {@code matmul(outputs[-1], weight) + bias}, Adam 0.001, batch 128,
 * {@code while step * 128 < 100000} (781 steps) printing the minibatch loss and accuracy every 10 steps.
 */
public final class MnistLstm extends LayeredModel {
  /** The notebook's: rnn.BasicLSTMCell(128, forget_bias=1.0). */
  public static final RnnSpec NOTEBOOK = ModelSpec.builtin("mnist-lstm").rnn();

  public MnistLstm() {
    this(NOTEBOOK);
  }

  public MnistLstm(RnnSpec spec) {
    super("mnist-lstm", NOTEBOOK, spec);
  }

  @Override
  public NotebookModel withRnn(RnnSpec s) {
    return new MnistLstm(s);
  }

  @Override
  public String notebook() {
    return "001";
  }

  @Override
  public String description() {
    return "BasicLSTMCell(128) with static_rnn over MNIST rows, outputs[-1] -> dense(10), Adam 0.001";
  }

  @Override
  public InputKind input() {
    return InputKind.MNIST_ROWS;
  }

  @Override
  public TrainDefaults defaults() {
    // specs/mnist-lstm.json: step = 1; while step * batch_size < n_training_iters (100000): 781 steps
    return ModelSpec.builtin("mnist-lstm").trainDefaults();
  }

  @Override
  public int classes() {
    return 10;
  }

  @Override
  public ModelGraph build(Ops tf, SeedSource seeds, float learningRate, boolean training) {
    Tf1Variables vars = new Tf1Variables(tf);
    // x = tf.placeholder("float", [None, 28, 28]); y = tf.placeholder("float", [None, 10])
    Placeholder<TFloat32> x = tf.withName("Placeholder").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 28, 28)));
    Placeholder<TFloat32> y = training ? tf.withName("Placeholder_1").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, 10))) : null;
    // x = tf.unstack(x, 28, 1); outputs, states = rnn.static_rnn(BasicLSTMCell(128, forget_bias=1.0), x)
    // (bidirectional: static_bidirectional_rnn, outputs concatenated per step)
    Operand<TFloat32> last;
    if (GraphKind.fast()) {
      last = FastRnn.layer(spec, x, 28, 28, vars, seeds).last();
    } else {
      List<Operand<TFloat32>> steps = new ArrayList<>(
          tf.withName("unstack").unstack(x, 28L, Unstack.axis(1L)).output());
      last = StaticRnn.layer(spec, steps, 28, vars, seeds).last();
    }
    // weight = tf.Variable(tf.random_normal([128, 10])); bias = tf.Variable(tf.random_normal([10]))
    Tf1Variable w = vars.unnamed(Shape.of(spec.outputWidth(), 10),
        Initializers.randomNormal(tf, "random_normal", Shape.of(spec.outputWidth(), 10), 0f, 1f, seeds));
    Tf1Variable b = vars.unnamed(Shape.of(10),
        Initializers.randomNormal(tf, "random_normal_1", Shape.of(10), 0f, 1f, seeds));
    // return tf.matmul(outputs[-1], weight) + bias
    Operand<TFloat32> logits = Dense.apply(tf, last, w, b);
    List<Tf1Variable> modelVars = new ArrayList<>(vars.all());
    Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(logits);
    Operand<TInt64> classes = tf.withName("classes").math.argMax(logits, tf.constant(1));
    Operand<TFloat32> cost = null;
    Op train = null;
    if (training) {
      // cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=preds, labels=y))
      cost = tf.withName("Mean").math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, y).loss(), tf.constant(0));
      train = Tf1Adam.minimize(vars, cost, modelVars, Tf1Adam.Config.tf1(learningRate)).trainOp();
    }
    return new ModelGraph("x", x, y, logits, probabilities, classes, cost, train, modelVars, vars.all());
  }

  @Override
  public void afterStep(TrainContext c) {
    // if step % 10 == 0: print('step: {} / loss: {:.6f} / acc: {:.5f}'.format(step, loss, acc)), on the minibatch
    if (c.step() % 10 == 0) {
      float[] la = c.batchLossAndAccuracy();
      c.out().printf("step: %d / loss: %.6f / acc: %.5f%n", c.step(), la[0], la[1]);
      c.record("minibatchLoss", la[0]);
      c.record("minibatchAccuracy", la[1]);
    }
  }

  @Override
  public void afterTraining(TrainContext c) {
    // test_len = 128; print("Test Accuracy: {}".format(test_acc))
    double acc128 = c.testAccuracy(128);
    c.out().println("Test Accuracy: " + (float) acc128);
    c.result("testAccuracyFirst128", acc128);
  }
}
