package org.rnnport.nn;

import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;

/**
 * TF1 initializers, op for op: the same random kernel with explicit seed/seed2, then the same
 * float32 scaling as {@code tf.compat.v1} ({@code u*(max-min)+min}, {@code n*stddev+mean}), so
 * equal seeds give equal bits in Java and Python.
 */
public final class Initializers {
  private Initializers() {}

  /** {@code tf.random_normal(shape, mean, stddev)} under name scope {@code name}. */
  public static Operand<TFloat32> randomNormal(Ops tf, String name, Shape shape, float mean, float stddev,
      SeedSource seeds) {
    Ops s = Scopes.sub(tf, name);
    long[] sd = seeds.next();
    var rnd = s.random.randomStandardNormal(s.constant(shape.asArray()), TFloat32.class,
        RandomStandardNormal.seed(sd[0]), RandomStandardNormal.seed2(sd[1]));
    var mul = s.math.mul(rnd, s.withName("stddev").constant(stddev));
    return s.withName("add").math.add(mul, s.withName("mean").constant(mean));
  }

  /** {@code tf.truncated_normal(shape, mean, stddev)}. */
  public static Operand<TFloat32> truncatedNormal(Ops tf, String name, Shape shape, float mean, float stddev,
      SeedSource seeds) {
    Ops s = Scopes.sub(tf, name);
    long[] sd = seeds.next();
    var rnd = s.random.truncatedNormal(s.constant(shape.asArray()), TFloat32.class,
        TruncatedNormal.seed(sd[0]), TruncatedNormal.seed2(sd[1]));
    var mul = s.math.mul(rnd, s.withName("stddev").constant(stddev));
    return s.withName("add").math.add(mul, s.withName("mean").constant(mean));
  }

  /** {@code tf.random_uniform(shape, min, max)}: {@code u * (max - min) + min} in float32. */
  public static Operand<TFloat32> randomUniform(Ops tf, String name, Shape shape, float min, float max,
      SeedSource seeds) {
    Ops s = Scopes.sub(tf, name);
    long[] sd = seeds.next();
    var rnd = s.random.randomUniform(s.constant(shape.asArray()), TFloat32.class,
        RandomUniform.seed(sd[0]), RandomUniform.seed2(sd[1]));
    var maxT = s.withName("max").constant(max);
    var minT = s.withName("min").constant(min);
    var range = s.math.sub(maxT, minT);
    return s.withName("add").math.add(s.math.mul(rnd, range), minT);
  }

  /**
   * The limit of TF1 {@code glorot_uniform_initializer} (VarianceScaling, scale 1, fan_avg,
   * uniform), computed in double exactly as Python does: {@code sqrt(3 * (1 / max(1, (in+out)/2)))}.
   */
  public static double glorotLimit(long fanIn, long fanOut) {
    double scale = 1.0;
    scale /= Math.max(1.0, (fanIn + fanOut) / 2.0);
    return Math.sqrt(3.0 * scale);
  }

  /** TF1 {@code glorot_uniform_initializer} for a 2-D {@code [fanIn, fanOut]} kernel. */
  public static Function<Ops, Operand<TFloat32>> glorotUniform(Shape shape, SeedSource seeds) {
    if (shape.numDimensions() != 2) {
      throw new IllegalArgumentException("glorot_uniform here is for 2-D kernels, got " + shape);
    }
    float limit = (float) glorotLimit(shape.size(0), shape.size(1));
    return tf -> randomUniform(tf, "random_uniform", shape, -limit, limit, seeds);
  }

  /** TF1 {@code zeros_initializer}. */
  public static Function<Ops, Operand<TFloat32>> zeros(Shape shape) {
    return tf -> tf.withName("zeros").fill(tf.constant(shape.asArray()), tf.constant(0f));
  }

  /** {@code tf.constant(value, shape=shape)}. */
  public static Operand<TFloat32> constant(Ops tf, String name, Shape shape, float value) {
    float[] v = new float[(int) shape.size()];
    java.util.Arrays.fill(v, value);
    return tf.withName(name).constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
  }
}
