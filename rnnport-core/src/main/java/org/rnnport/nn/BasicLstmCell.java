package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * TF1 {@code BasicLSTMCell(units, forget_bias)}: {@code z = concat([x, h], 1) @ kernel + bias} split
 * into i, j, f, o; {@code c' = c*sigmoid(f + forget_bias) + sigmoid(i)*tanh(j)},
 * {@code h' = tanh(c')*sigmoid(o)}. Kernel {@code [in+units, 4*units]} glorot_uniform, bias
 * {@code [4*units]} zeros; forget_bias is added at call time, never stored. State is (c, h).
 */
public final class BasicLstmCell implements RnnCell {
  private final int units;
  private Tf1Variables vars;
  private final float forgetBias;
  private Tf1Variable kernel;
  private Tf1Variable bias;

  public BasicLstmCell(int units, float forgetBias) {
    this.units = units;
    this.forgetBias = forgetBias;
  }

  @Override
  public String name() {
    return "basic_lstm_cell";
  }

  @Override
  public int units() {
    return units;
  }

  @Override
  public int stateCount() {
    return 2;
  }

  @Override
  public void build(Tf1Variables vars, String scope, long inputDepth, SeedSource seeds) {
    this.vars = vars;
    String prefix = scope + "/" + name() + "/";
    Shape k = Shape.of(inputDepth + units, 4L * units);
    kernel = vars.get(prefix + "kernel", k, Initializers.glorotUniform(k, seeds));
    bias = vars.get(prefix + "bias", Shape.of(4L * units), Initializers.zeros(Shape.of(4L * units)));
  }

  @Override
  public Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> c = state.get(0);
    Operand<TFloat32> h = state.get(1);
    var gates = tf.nn.biasAdd(tf.linalg.matMul(tf.concat(List.of(input, h), tf.constant(1)), vars.use(kernel, tf)),
        vars.use(bias, tf));
    List<org.tensorflow.Output<TFloat32>> ijfo = tf.split(tf.constant(1), gates, 4L).output();
    Operand<TFloat32> i = ijfo.get(0);
    Operand<TFloat32> j = ijfo.get(1);
    Operand<TFloat32> f = ijfo.get(2);
    Operand<TFloat32> o = ijfo.get(3);
    Operand<TFloat32> forget = tf.math.sigmoid(tf.math.add(f, tf.constant(forgetBias)));
    Operand<TFloat32> newC = tf.math.add(tf.math.mul(c, forget), tf.math.mul(tf.math.sigmoid(i), tf.math.tanh(j)));
    Operand<TFloat32> newH = tf.math.mul(tf.math.tanh(newC), tf.math.sigmoid(o));
    return new Step(newH, List.of(newC, newH));
  }

  /** The kernel {@code [in+units, 4*units]}, gates in the order i, j, f, o (after {@link #build}). */
  public Tf1Variable kernel() {
    return kernel;
  }

  /** The bias {@code [4*units]}. */
  public Tf1Variable bias() {
    return bias;
  }

  /** The forget bias added at call time. */
  public float forgetBias() {
    return forgetBias;
  }
}
