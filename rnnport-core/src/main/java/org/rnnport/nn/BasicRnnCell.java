package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * TF1 {@code BasicRNNCell(units)}: {@code h' = tanh(concat([x, h], 1) @ kernel + bias)} with
 * {@code kernel [in+units, units]} (glorot_uniform) and {@code bias [units]} (zeros).
 */
public final class BasicRnnCell implements RnnCell {
  private final int units;
  private Tf1Variables vars;
  private Tf1Variable kernel;
  private Tf1Variable bias;

  public BasicRnnCell(int units) {
    this.units = units;
  }

  @Override
  public String name() {
    return "basic_rnn_cell";
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
    String prefix = scope + "/" + name() + "/";
    Shape k = Shape.of(inputDepth + units, units);
    kernel = vars.get(prefix + "kernel", k, Initializers.glorotUniform(k, seeds));
    bias = vars.get(prefix + "bias", Shape.of(units), Initializers.zeros(Shape.of(units)));
  }

  @Override
  public Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> h = state.get(0);
    var concat = tf.concat(List.of(input, h), tf.constant(1));
    var z = tf.nn.biasAdd(tf.linalg.matMul(concat, vars.use(kernel, tf)), vars.use(bias, tf));
    Operand<TFloat32> out = tf.math.tanh(z);
    return new Step(out, List.of(out));
  }

  public Tf1Variable kernel() {
    return kernel;
  }

  public Tf1Variable bias() {
    return bias;
  }
}
