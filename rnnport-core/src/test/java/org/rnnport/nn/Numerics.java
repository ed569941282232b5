package org.rnnport.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Helpers for the numerics tests: copying float tensors out, deterministic pseudo-random values,
 * and an elementwise comparison of float32 results with a double-precision reference.
 */
final class Numerics {
  private Numerics() {}

  /** Runs every variable's {@code <name>/Assign} initializer. */
  static void initialize(org.tensorflow.Session s, Tf1Variables vars) {
    org.tensorflow.Session.Runner r = s.runner();
    vars.all().forEach(v -> r.addTarget(v.initializer()));
    r.run().close();
  }

  /** Runs {@code s} fetching {@code ops}; the caller closes the result. */
  static org.tensorflow.Result fetch(org.tensorflow.Session s, java.util.List<? extends Operand<?>> ops) {
    org.tensorflow.Session.Runner r = s.runner();
    ops.forEach(r::fetch);
    return r.run();
  }

  /** The tensor's values, row-major. */
  static float[] values(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** A float32 constant of {@code shape} holding {@code v} (row-major). */
  static Operand<TFloat32> constant(Ops tf, Shape shape, float[] v) {
    return tf.constant(shape, DataBuffers.of(v, true, false));
  }

  /** {@code n} floats uniform in [-scale, scale), reproducible for a given generator state. */
  static float[] uniform(SplittableRandom rnd, int n, double scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
    }
    return out;
  }

  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** Elementwise {@code |actual - expected| <= rtol*|expected| + atol}, naming the first element off. */
  static void assertClose(String what, float[] actual, double[] expected, double rtol, double atol) {
    assertThat(actual).as(what + " size").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      double bound = rtol * Math.abs(expected[i]) + atol;
      assertThat(err)
          .as("%s[%d]: actual %s, expected %s (|err| %s > %s)", what, i, actual[i], expected[i], err, bound)
          .isLessThanOrEqualTo(bound);
    }
  }
}
