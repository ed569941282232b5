package org.rnnport.nn;

import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.Qr;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.op.random.StatelessRandomGetKeyCounter;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras' default initializers, built as graph ops with explicit seeds: glorot_uniform, uniform
 * (Embedding's ±0.05), orthogonal (QR of a normal matrix, sign-corrected), zeros, and the LSTM's
 * unit_forget_bias. With a {@link SeedSource#stateless()} source ({@link SeedSource#keras}) the random ones are
 * tf-keras 2.18's ops exactly ({@code tf.random.stateless_uniform/stateless_normal}: StatelessRandomGetKeyCounter,
 * StatelessRandom{Uniform,Normal}V2 with alg AUTO_SELECT, then the same float32 scaling), so they give Keras' bits;
 * with a TF1 source, TF1's stateful ops with seed/seed2 (the same distributions, other numbers).
 */
public final class KerasInitializers {
  private KerasInitializers() {}

  /** glorot_uniform: uniform in ±sqrt(3 / max(1, (fan_in + fan_out) / 2)). */
  public static Function<Ops, Operand<TFloat32>> glorotUniform(Shape shape, SeedSource seeds) {
    if (!seeds.stateless()) {
      return Initializers.glorotUniform(shape, seeds);
    }
    // VarianceScaling(1, fan_avg, uniform): limit = sqrt(3 * scale) in double, stateless_uniform(-limit, limit)
    float limit = (float) Initializers.glorotLimit(shape.size(0), shape.size(1));
    return tf -> statelessUniform(tf, shape, -limit, limit, seeds);
  }

  /** RandomUniform(minval, maxval). */
  public static Function<Ops, Operand<TFloat32>> uniform(Shape shape, float min, float max, SeedSource seeds) {
    if (seeds.stateless()) {
      return tf -> statelessUniform(tf, shape, min, max, seeds);
    }
    return tf -> Initializers.randomUniform(tf, "random_uniform", shape, min, max, seeds);
  }

  /**
   * {@code tf.random.stateless_uniform(shape, seed=[s, 0], minval, maxval)} in float32:
   * {@code add(StatelessRandomUniformV2(shape, key, counter, alg) * (max - min), min)}.
   */
  static Operand<TFloat32> statelessUniform(Ops tf, Shape shape, float min, float max, SeedSource seeds) {
    Ops s = Scopes.sub(tf, "stateless_random_uniform");
    StatelessRandomGetKeyCounter kc = keyCounter(s, seeds);
    var rnd = s.random.statelessRandomUniformV2(intShape(s, shape), kc.key(), kc.counter(), s.constant(AUTO_SELECT),
        TFloat32.class);
    var minT = s.withName("min").constant(min);
    var maxT = s.withName("max").constant(max);
    return s.withName("add").math.add(s.math.mul(rnd, s.math.sub(maxT, minT)), minT);
  }

  /** {@code tf.random.stateless_normal(shape, seed=[s, 0])} (mean 0, stddev 1): {@code rnd * 1 + 0}. */
  static Operand<TFloat32> statelessNormal(Ops tf, Shape shape, SeedSource seeds) {
    Ops s = Scopes.sub(tf, "stateless_random_normal");
    StatelessRandomGetKeyCounter kc = keyCounter(s, seeds);
    var rnd = s.random.statelessRandomNormalV2(intShape(s, shape), kc.key(), kc.counter(), s.constant(AUTO_SELECT),
        TFloat32.class);
    return s.withName("add").math.add(s.math.mul(rnd, s.withName("stddev").constant(1f)),
        s.withName("mean").constant(0f));
  }

  /** {@code random_ops_util.Algorithm.AUTO_SELECT}: the kernel picks Philox on the CPU. */
  private static final int AUTO_SELECT = 3;

  private static StatelessRandomGetKeyCounter keyCounter(Ops s, SeedSource seeds) {
    long[] sd = seeds.next();
    return s.random.statelessRandomGetKeyCounter(s.withName("seed").constant(new long[] {sd[0], sd[1]}));
  }

  /** Python's {@code shape_util.shape_tensor}: an int32 vector. */
  private static Operand<TInt32> intShape(Ops s, Shape shape) {
    int[] d = new int[shape.numDimensions()];
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.toIntExact(shape.size(i));
    }
    return s.withName("shape").constant(d);
  }

  /** Orthogonal(gain=1) for a 2-D {@code [rows, cols]} kernel. */
  public static Function<Ops, Operand<TFloat32>> orthogonal(Shape shape, SeedSource seeds) {
    return tf -> {
      long rows = shape.size(0);
      long cols = shape.size(1);
      long[] flat = {Math.max(rows, cols), Math.min(rows, cols)};
      Ops s = tf.withSubScope("orthogonal");
      Operand<TFloat32> a;
      Operand<TFloat32> d;
      Qr<TFloat32> qr;
      if (seeds.stateless()) {
        // tf-keras 2.18 Orthogonal: stateless_normal(flat_shape), qr(full_matrices=False), tensor_diag_part(r)
        a = statelessNormal(s, Shape.of(flat), seeds);
        qr = s.linalg.qr(a, Qr.fullMatrices(false));
        d = s.linalg.tensorDiagPart(qr.r());
      } else {
        long[] sd = seeds.next();
        a = s.random.randomStandardNormal(s.constant(flat), TFloat32.class,
            RandomStandardNormal.seed(sd[0]), RandomStandardNormal.seed2(sd[1]));
        qr = s.linalg.qr(a, Qr.fullMatrices(false));
        d = s.linalg.matrixDiagPart(qr.r(), s.constant(0), s.constant(0f));
      }
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
