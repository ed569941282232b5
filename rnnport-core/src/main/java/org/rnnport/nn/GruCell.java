package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * TF1 {@code GRUCell(units)}: {@code r, u = split(sigmoid(concat([x, h]) @ gates/kernel + gates/bias))},
 * {@code c = tanh(concat([x, r*h]) @ candidate/kernel + candidate/bias)}, {@code h' = u*h + (1-u)*c}.
 * gates/kernel {@code [in+u, 2u]} and candidate/kernel {@code [in+u, u]} glorot_uniform, gates/bias
 * ones, candidate/bias zeros.
 */
public final class GruCell implements RnnCell {
  private final int units;
  private Tf1Variables vars;
  private Tf1Variable gatesKernel;
  private Tf1Variable gatesBias;
  private Tf1Variable candidateKernel;
  private Tf1Variable candidateBias;

  public GruCell(int units) {
    this.units = units;
  }

  @Override
  public String name() {
    return "gru_cell";
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
    Shape gk = Shape.of(inputDepth + units, 2L * units);
    Shape ck = Shape.of(inputDepth + units, units);
    gatesKernel = vars.get(p + "gates/kernel", gk, Initializers.glorotUniform(gk, seeds));
    gatesBias = vars.get(p + "gates/bias", Shape.of(2L * units),
        tf -> Initializers.constant(tf, "Const", Shape.of(2L * units), 1f));
    candidateKernel = vars.get(p + "candidate/kernel", ck, Initializers.glorotUniform(ck, seeds));
    candidateBias = vars.get(p + "candidate/bias", Shape.of(units), Initializers.zeros(Shape.of(units)));
  }

  @Override
  public Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> h = state.get(0);
    // Python sums the state's gradient as AddN(concat, u*h, r*h) = (concat + u*h) + r*h: group the first two
    Operand<TFloat32> hGates = PythonGradients.grouped(vars, tf, h);
    var gates = tf.nn.biasAdd(tf.linalg.matMul(tf.concat(List.of(input, hGates), tf.constant(1)), vars.use(gatesKernel, tf)),
        vars.use(gatesBias, tf));
    List<Output<TFloat32>> ru = tf.split(tf.constant(1), tf.math.sigmoid(gates), 2L).output();
    Operand<TFloat32> r = ru.get(0);
    Operand<TFloat32> u = ru.get(1);
    var cand = tf.nn.biasAdd(tf.linalg.matMul(tf.concat(List.of(input, tf.math.mul(r, h)), tf.constant(1)),
        vars.use(candidateKernel, tf)), vars.use(candidateBias, tf));
    Operand<TFloat32> c = tf.math.tanh(cand);
    Operand<TFloat32> newH = tf.math.add(tf.math.mul(u, hGates), tf.math.mul(tf.math.sub(tf.constant(1f), u), c));
    return new Step(newH, List.of(newH));
  }

  /** {@code gates/kernel [in+units, 2*units]}: r then u (after {@link #build}). */
  public Tf1Variable gatesKernel() {
    return gatesKernel;
  }

  /** {@code gates/bias [2*units]}. */
  public Tf1Variable gatesBias() {
    return gatesBias;
  }

  /** {@code candidate/kernel [in+units, units]}. */
  public Tf1Variable candidateKernel() {
    return candidateKernel;
  }

  /** {@code candidate/bias [units]}. */
  public Tf1Variable candidateBias() {
    return candidateBias;
  }
}
