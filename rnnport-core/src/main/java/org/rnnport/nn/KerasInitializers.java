package org.rnnport.nn;

import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.Qr;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.types.TFloat32;

/**
 * Keras' default initializers, built as graph ops with explicit seeds: glorot_uniform, uniform
 * (Embedding's ±0.05), orthogonal (QR of a normal matrix, sign-corrected), zeros, and the LSTM's
 * unit_forget_bias. Keras draws them from its own generator, so for parity the initial weights are
 * exported from Python instead; these give Java runs the same distributions.
 */
public final class KerasInitializers {
  private KerasInitializers() {}

  /** glorot_uniform: uniform in ±sqrt(3 / max(1, (fan_in + fan_out) / 2)). */
  public static Function<Ops, Operand<TFloat32>> glorotUniform(Shape shape, SeedSource seeds) {
    return Initializers.glorotUniform(shape, seeds);
  }

  /** RandomUniform(minval, maxval). */
  public static Function<Ops, Operand<TFloat32>> uniform(Shape shape, float min, float max, SeedSource seeds) {
    return tf -> Initializers.randomUniform(tf, "random_uniform", shape, min, max, seeds);
  }

  /** Orthogonal(gain=1) for a 2-D {@code [rows, cols]} kernel. */
  public static Function<Ops, Operand<TFloat32>> orthogonal(Shape shape, SeedSource seeds) {
    return tf -> {
      long rows = shape.size(0);
      long cols = shape.size(1);
      long[] flat = {Math.max(rows, cols), Math.min(rows, cols)};
      long[] sd = seeds.next();
      Ops s = tf.withSubScope("orthogonal");
      var a = s.random.randomStandardNormal(s.constant(flat), TFloat32.class,
          RandomStandardNormal.seed(sd[0]), RandomStandardNormal.seed2(sd[1]));
      Qr<TFloat32> qr = s.linalg.qr(a, Qr.fullMatrices(false));
      Operand<TFloat32> d = s.linalg.matrixDiagPart(qr.r(), s.constant(0), s.constant(0f));
      Operand<TFloat32> q = s.math.mul(qr.q(), s.math.sign(d));
      if (rows < cols) {
        q = s.linalg.transpose(q, s.constant(new int[] {1, 0}));
      }
      return s.reshape(q, s.constant(shape.asArray()));
    };
  }

  /** LSTM bias with unit_forget_bias: zeros, except ones for the forget gate's quarter (gates i, f, c, o). */
  public static Function<Ops, Operand<TFloat32>> unitForgetBias(int units) {
    return tf -> {
      float[] b = new float[4 * units];
      java.util.Arrays.fill(b, units, 2 * units, 1f);
      return tf.withName("bias_init").constant(b);
    };
  }
}
