package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code SimpleRNN(units)} step as tf-keras 2.18's {@code SimpleRNNCell.call} computes it:
 * {@code h = bias_add(x @ kernel, bias)}, {@code output = activation(h + h_prev @ recurrent_kernel)}.
 * Variables {@code <layer>/simple_rnn_cell/kernel [in, u]} (glorot_uniform), {@code recurrent_kernel [u, u]}
 * (orthogonal), {@code bias [u]} (zeros, absent with {@code use_bias=False}).
 *
 * <p>With a bias, Grappler's remapper (oneDNN) rewrites Keras' {@code bias_add(x @ kernel, bias) + h_prev @ recurrent_kernel}
 * into one {@code _FusedMatMul(fused_ops=[BiasAdd, Add])}, which computes {@code (x @ kernel + h_prev @ recurrent_kernel)
 * + bias} (measured against the unfused ops: the same bits on every value). rnnport's session does not get that
 * rewrite, so {@code fused} builds that order itself: {@code bias_add(x @ kernel + h_prev @ recurrent_kernel, bias)}.
 * Where the rewrite does not happen in Keras, {@code fused} is false and the step is Keras' own order: a train function
 * traced with a batch of unknown size (Keras' fit with a partial last batch; the Add's operands are then not provably
 * of one shape), or a static one in a model with a biased SimpleRNN(relu), whose fused node fails Grappler's final
 * check so that TensorFlow runs the function unoptimized.
 */
public final class KerasSimpleRnnCell implements RnnCell {
  private final int units;
  private final KerasActivation activation;
  private final boolean useBias;
  private final boolean fused;
  private Tf1Variables vars;
  private Tf1Variable kernel;
  private Tf1Variable recurrentKernel;
  private Tf1Variable bias;

  public KerasSimpleRnnCell(int units, KerasActivation activation, boolean useBias) {
    this(units, activation, useBias, false);
  }

  /** @param fused the order of Grappler's {@code _FusedMatMul(BiasAdd, Add)} (see the class comment) */
  public KerasSimpleRnnCell(int units, KerasActivation activation, boolean useBias, boolean fused) {
    this.units = units;
    this.activation = activation;
    this.useBias = useBias;
    this.fused = fused;
  }

  @Override
  public String name() {
    return "simple_rnn_cell";
  }

  @Override
  public int units() {
    return units;
  }

  @Override
  public int stateCount() {
    return 1;
  }

  @Override
  public void build(Tf1Variables vars, String scope, long inputDepth, SeedSource seeds) {
    this.vars = vars;
    String p = scope + "/" + name() + "/";
    Shape k = Shape.of(inputDepth, units);
    Shape rk = Shape.of(units, units);
    kernel = vars.get(p + "kernel", k, KerasInitializers.glorotUniform(k, seeds));
    recurrentKernel = vars.get(p + "recurrent_kernel", rk, KerasInitializers.orthogonal(rk, seeds));
    if (useBias) {
      bias = vars.get(p + "bias", Shape.of(units), Initializers.zeros(Shape.of(units)));
    }
  }

  @Override
  public Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> prev = state.get(0);
    Operand<TFloat32> h = tf.linalg.matMul(input, vars.use(kernel, tf));
    if (useBias && fused) {
      Operand<TFloat32> sum = tf.math.add(h, tf.linalg.matMul(prev, vars.use(recurrentKernel, tf)));
      Operand<TFloat32> out = activation.apply(tf, tf.nn.biasAdd(sum, vars.use(bias, tf)));
      return new Step(out, List.of(out));
    }
    if (useBias) {
      h = tf.nn.biasAdd(h, vars.use(bias, tf));
    }
    Operand<TFloat32> out = activation.apply(tf, tf.math.add(h, tf.linalg.matMul(prev, vars.use(recurrentKernel, tf))));
    return new Step(out, List.of(out));
  }
}
