package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code LSTM(units)} step as tf-keras 2.18's {@code standard_lstm} computes it:
 * {@code z = x @ kernel + h @ recurrent_kernel}, {@code bias_add}, split into i, f, c, o;
 * {@code c' = sigmoid(f)*c + sigmoid(i)*tanh(z_c)}, {@code h' = sigmoid(o)*tanh(c')}. Kernel
 * {@code [in, 4u]} glorot_uniform, recurrent_kernel {@code [u, 4u]} orthogonal, bias {@code [4u]}
 * with unit_forget_bias. State is (h, c), Keras' order.
 */
public final class KerasLstmCell implements RnnCell {
  private final int units;
  private Tf1Variables vars;
  private Tf1Variable kernel;
  private Tf1Variable recurrentKernel;
  private Tf1Variable bias;

  public KerasLstmCell(int units) {
    this.units = units;
  }

  @Override
  public String name() {
    return "lstm_cell";
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
    String p = scope + "/" + name() + "/";
    Shape k = Shape.of(inputDepth, 4L * units);
    Shape rk = Shape.of(units, 4L * units);
    kernel = vars.get(p + "kernel", k, KerasInitializers.glorotUniform(k, seeds));
    recurrentKernel = vars.get(p + "recurrent_kernel", rk, KerasInitializers.orthogonal(rk, seeds));
    bias = vars.get(p + "bias", Shape.of(4L * units), KerasInitializers.unitForgetBias(units));
  }

  @Override
  public Operand<TFloat32> finalH(List<Operand<TFloat32>> state) {
    return state.get(0); // Keras' state is (h, c)
  }

  @Override
  public Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> h = state.get(0);
    Operand<TFloat32> c = state.get(1);
    // z = backend.dot(cell_inputs, kernel); z += backend.dot(h_tm1, recurrent_kernel); z = bias_add(z, bias)
    Operand<TFloat32> z = tf.math.add(tf.linalg.matMul(input, vars.use(kernel, tf)), tf.linalg.matMul(h, vars.use(recurrentKernel, tf)));
    z = tf.nn.biasAdd(z, vars.use(bias, tf));
    List<Output<TFloat32>> g = tf.split(tf.constant(1), z, 4L).output();
    Operand<TFloat32> i = tf.math.sigmoid(g.get(0));
    Operand<TFloat32> f = tf.math.sigmoid(g.get(1));
    // c = f * c_tm1 + i * tf.tanh(z2); o = sigmoid(z3); h = o * tanh(c)
    Operand<TFloat32> newC = tf.math.add(tf.math.mul(f, c), tf.math.mul(i, tf.math.tanh(g.get(2))));
    Operand<TFloat32> o = tf.math.sigmoid(g.get(3));
    Operand<TFloat32> newH = tf.math.mul(o, tf.math.tanh(newC));
    return new Step(newH, List.of(newH, newC));
  }

  /** {@code kernel [in, 4*units]}, gates in Keras' order i, f, c, o (after {@link #build}). */
  public Tf1Variable kernel() {
    return kernel;
  }

  /** {@code recurrent_kernel [units, 4*units]}. */
  public Tf1Variable recurrentKernel() {
    return recurrentKernel;
  }

  /** {@code bias [4*units]}. */
  public Tf1Variable bias() {
    return bias;
  }
}
