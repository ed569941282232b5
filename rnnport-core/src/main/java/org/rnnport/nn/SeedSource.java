package org.rnnport.nn;

/**
 * Supplies the {@code seed}/{@code seed2} attributes of each random op, in creation order. With the
 * same source every run draws the same initial weights (Philox kernels are deterministic for
 * fixed attributes, identical in Java and Python).
 */
public interface SeedSource {

  /** Python's {@code _MAXINT32}. */
  long MAXINT32 = (1L << 31) - 1;

  /** The (seed, seed2) pair for the next random op; for a {@link #stateless()} source, the stateless op's seed. */
  long[] next();

  /**
   * Whether {@link #next()} gives the {@code [seed, 0]} of tf-keras' stateless initializers (StatelessRandomGetKeyCounter
   * then StatelessRandom*V2, see {@link KerasInitializers}) rather than the seed/seed2 attributes of TF1 stateful ops.
   */
  default boolean stateless() {
    return false;
  }

  /**
   * tf-keras 2.18 after {@code keras.utils.set_random_seed(seed)}: every random initializer (glorot_uniform,
   * orthogonal, RandomUniform; {@code backend.RandomGenerator(rng_type="stateless")}) draws its seed once, on its
   * first call, as {@code backend._SEED_GENERATOR.generator.randint(1, 1e9)} from {@code random.Random(seed)}, and
   * runs {@code stateless_uniform/stateless_normal(shape, seed=[that, 0])}. Zeros, ones and unit_forget_bias draw
   * nothing. Building the weights in Keras' creation order therefore gives Keras' initial weights bit for bit.
   */
  static SeedSource keras(long seed) {
    PythonRandom r = new PythonRandom(seed);
    return new SeedSource() {
      @Override
      public long[] next() {
        return new long[] {r.randint(1, 1_000_000_000L), 0};
      }

      @Override
      public boolean stateless() {
        return true;
      }
    };
  }

  /**
   * Python TF's rule after {@code tf.compat.v1.set_random_seed(graphSeed)} for ops without an op
   * seed ({@code random_seed.get_seed}): {@code (graphSeed, k)} for the k-th random op of the
   * graph, k from 0, both taken modulo 2^31-1, and (0, 0) replaced by (0, 2^31-1). Building a
   * model's random ops in the notebook's order therefore draws Python's initial weights bit for bit.
   */
  static SeedSource tf1GraphSeed(long graphSeed) {
    if (graphSeed < 0) {
      throw new IllegalArgumentException("seed must be >= 0, got " + graphSeed);
    }
    return new SeedSource() {
      private long k = 0;

      @Override
      public long[] next() {
        long s1 = graphSeed % MAXINT32;
        long s2 = (k++) % MAXINT32;
        if (s1 == 0 && s2 == 0) {
          s2 = MAXINT32;
        }
        return new long[] {s1, s2};
      }
    };
  }
}
