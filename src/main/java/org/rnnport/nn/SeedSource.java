package org.rnnport.nn;

/**
 * Supplies the {@code seed}/{@code seed2} attributes of each random op, in creation order. With the
 * same source every run draws the same initial weights (Philox kernels are deterministic for
 * fixed attributes, identical in Java and Python).
 */
public interface SeedSource {

  /** The (seed, seed2) pair for the next random op. */
  long[] next();

  /**
   * rnnport's default: {@code (seed, k)} for the k-th random op (k from 1, so that seed 0 is still
   * deterministic: (0, 0) would ask the kernel for a random seed).
   */
  static SeedSource sequential(long seed) {
    return new SeedSource() {
      private long k = 0;

      @Override
      public long[] next() {
        return new long[] {seed, ++k};
      }
    };
  }
}
