package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code GRU(units)} step as tf-keras 2.18 computes it on the CPU, gates z, r, h:
 * <ul>
 *   <li>{@code reset_after=True} ({@code standard_gru}): {@code x_z, x_r, x_h = split(bias_add(x @ kernel, bias[0]))},
 *       {@code r_z, r_r, r_h = split(bias_add(h @ recurrent_kernel, bias[1]))}, {@code z = sigmoid(x_z + r_z)},
 *       {@code r = sigmoid(x_r + r_r)}, {@code hh = tanh(x_h + r * r_h)}; bias {@code [2, 3u]}.</li>
 *   <li>{@code reset_after=False} ({@code GRUCell.call}, implementation 2): {@code matrix_inner = h @ recurrent_kernel[:, :2u]},
 *       {@code hh = tanh(x_h + (r * h) @ recurrent_kernel[:, 2u:])}; bias {@code [3u]}.</li>
 * </ul>
 * then {@code h' = z * h + (1 - z) * hh}. Kernel {@code [in, 3u]} glorot_uniform, recurrent_kernel {@code [u, 3u]}
 * orthogonal, bias zeros.
 *
 * <p>With {@code reset_after=False}, {@code h_tm1} has three consumers in the step; Keras' While-loop gradient sums their
 * gradients in one AddN that Grappler sorts by node name, {@code (d matrix_inner + d (z * h)) + d (r * h)}; with
 * per-use gradients ({@code --gradients python}) the first two read {@code h} through one Identity
 * ({@link PythonGradients#grouped}) so TF Java's builder adds them first. {@code graphOrder} (a function TensorFlow runs
 * unoptimized, see {@code KerasGraph.hasBiasedReluSimpleRnn}) keeps the AddN's graph order {@code (d (z * h) + d (r * h)) + d matrix_inner}.
 */
public final class KerasGruCell implements RnnCell {
  private final int units;
  private final boolean resetAfter;
  private final boolean graphOrder;
  private Tf1Variables vars;
  private Tf1Variable kernel;
  private Tf1Variable recurrentKernel;
  private Tf1Variable bias;

  public KerasGruCell(int units, boolean resetAfter) {
    this(units, resetAfter, false);
  }

  /** @param graphOrder sum {@code h_tm1}'s gradients in the AddN's graph order, not Grappler's sorted one */
  public KerasGruCell(int units, boolean resetAfter, boolean graphOrder) {
    this.units = units;
    this.resetAfter = resetAfter;
    this.graphOrder = graphOrder;
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
    Shape k = Shape.of(inputDepth, 3L * units);
    Shape rk = Shape.of(units, 3L * units);
    Shape b = resetAfter ? Shape.of(2, 3L * units) : Shape.of(3L * units);
    kernel = vars.get(p + "kernel", k, KerasInitializers.glorotUniform(k, seeds));
    recurrentKernel = vars.get(p + "recurrent_kernel", rk, KerasInitializers.orthogonal(rk, seeds));
    bias = vars.get(p + "bias", b, Initializers.zeros(b));
  }

  @Override
  public Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    Operand<TFloat32> h = state.get(0);
    Operand<TFloat32> b = vars.use(bias, tf);
    Operand<TFloat32> inputBias = resetAfter ? tf.stridedSlice(b, Indices.at(0)) : b;
    Operand<TFloat32> matrixX = tf.nn.biasAdd(tf.linalg.matMul(input, vars.use(kernel, tf)), inputBias);
    List<Output<TFloat32>> x = tf.split(tf.constant(1), matrixX, 3L).output();
    Operand<TFloat32> rk = vars.use(recurrentKernel, tf);
    Operand<TFloat32> z;
    Operand<TFloat32> hh;
    Operand<TFloat32> hUpdate = h;
    if (resetAfter) {
      Operand<TFloat32> inner = tf.nn.biasAdd(tf.linalg.matMul(h, rk), tf.stridedSlice(b, Indices.at(1)));
      List<Output<TFloat32>> r3 = tf.split(tf.constant(1), inner, 3L).output();
      z = tf.math.sigmoid(tf.math.add(x.get(0), r3.get(0)));
      Operand<TFloat32> r = tf.math.sigmoid(tf.math.add(x.get(1), r3.get(1)));
      hh = tf.math.tanh(tf.math.add(x.get(2), tf.math.mul(r, r3.get(2))));
    } else {
      // h_tm1's three uses: matrix_inner, r * h, z * h; two of them through one Identity (summed first)
      Operand<TFloat32> hg = PythonGradients.grouped(vars, tf, h);
      Operand<TFloat32> hInner = graphOrder ? h : hg;
      Operand<TFloat32> hReset = graphOrder ? hg : h;
      hUpdate = hg;
      Operand<TFloat32> inner = tf.linalg.matMul(hInner, tf.stridedSlice(rk, Indices.all(), Indices.slice(0, 2L * units)));
      List<Output<TFloat32>> r2 = tf.split(tf.constant(1), inner, 2L).output();
      z = tf.math.sigmoid(tf.math.add(x.get(0), r2.get(0)));
      Operand<TFloat32> r = tf.math.sigmoid(tf.math.add(x.get(1), r2.get(1)));
      Operand<TFloat32> rh = tf.linalg.matMul(tf.math.mul(r, hReset),
          tf.stridedSlice(rk, Indices.all(), Indices.slice(2L * units, 3L * units)));
      hh = tf.math.tanh(tf.math.add(x.get(2), rh));
    }
    Operand<TFloat32> newH = tf.math.add(tf.math.mul(z, hUpdate),
        tf.math.mul(tf.math.sub(tf.constant(1f), z), hh));
    return new Step(newH, List.of(newH));
  }
}
