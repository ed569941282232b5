package org.rnnport.data;

/**
 * TensorFlow's stateful {@code RandomShuffle} kernel on {@code range(n)}, bit for bit: a Philox4x32-10 generator keyed
 * by the op's {@code seed} and started at counter {@code (0, seed2)} ({@code GuardedPhiloxRandom}), which every call
 * advances by {@code ceil((n - 1) / 4)} blocks; the call itself draws {@code n - 1} 32-bit samples from those blocks
 * one at a time ({@code SingleSampleAdapter}) and swaps element {@code i} with {@code i + sample % (n - i)}
 * ({@code shuffle_common.h}'s {@code ShuffleRange}). An input of 0 or 1 rows is returned as is and draws nothing.
 *
 * <p>{@link #forKerasFit(long)} gives the op tf-keras 2.18's {@code model.fit(shuffle=True)} runs: its data adapter
 * shuffles the row indices with {@code tf.random.shuffle} inside a {@code tf.data} map function, one call per epoch
 * on the one iterator of the whole fit, so successive {@link #permutation(int)} calls are successive epochs.
 */
public final class TfRandomShuffle {
  private static final int M0 = 0xD2511F53;
  private static final int M1 = 0xCD9E8D57;
  private static final int W0 = 0x9E3779B9;
  private static final int W1 = 0xBB67AE85;
  /** {@code random_seed._MAXINT32}, 2^31 - 1. */
  private static final long MAXINT32 = 2147483647L;
  private final int[] key = new int[2];
  private final int[] counter = new int[4];

  /** The kernel of an op with these {@code seed} and {@code seed2} attributes (not both 0: TF seeds those randomly). */
  public TfRandomShuffle(long seed, long seed2) {
    if (seed == 0 && seed2 == 0) {
      throw new IllegalArgumentException("seed and seed2 both 0: TensorFlow draws a random seed, which cannot be "
          + "reproduced");
    }
    key[0] = (int) seed;
    key[1] = (int) (seed >>> 32);
    counter[2] = (int) seed2;
    counter[3] = (int) (seed2 >>> 32);
  }

  /**
   * The op of Keras' fit after {@code tf.random.set_seed(globalSeed)}: {@code random_seed.get_seed(None)} in the
   * dataset function's graph, the function's first random op, gives {@code (globalSeed mod (2^31 - 1), 0)}, and
   * {@code (0, 0)} becomes {@code (0, 2^31 - 1)}.
   */
  public static TfRandomShuffle forKerasFit(long globalSeed) {
    long s = Math.floorMod(globalSeed, MAXINT32);
    return s == 0 ? new TfRandomShuffle(0, MAXINT32) : new TfRandomShuffle(s, 0);
  }

  /** The next call's output on {@code range(n)}. */
  public int[] permutation(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    if (n <= 1) {
      return a;
    }
    int samples = n - 1;
    int[] local = counter.clone();
    skip((samples + 3L) / 4);
    int[] block = null;
    int used = 4;
    for (int i = 0; i < n - 1; i++) {
      if (used == 4) {
        block = philox(local, key);
        increment(local, 1);
        used = 0;
      }
      long sample = block[used++] & 0xffffffffL;
      int j = i + (int) (sample % (n - i));
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** The generator's state: key (2 words) and 128-bit counter (4 words), low words first. */
  public int[] state() {
    return new int[] {key[0], key[1], counter[0], counter[1], counter[2], counter[3]};
  }

  /** A kernel continuing from {@link #state()}. */
  public static TfRandomShuffle fromState(int[] s) {
    if (s == null || s.length != 6) {
      throw new IllegalArgumentException("a Philox state is 6 ints (key, counter)");
    }
    TfRandomShuffle r = new TfRandomShuffle(1, 0);
    r.key[0] = s[0];
    r.key[1] = s[1];
    System.arraycopy(s, 2, r.counter, 0, 4);
    return r;
  }

  private void skip(long blocks) {
    increment(counter, blocks);
  }

  /** Adds {@code n} to the 128-bit counter (PhiloxRandom::Skip). */
  private static void increment(int[] c, long n) {
    long lo = (c[0] & 0xffffffffL) | ((long) c[1] << 32);
    long sum = lo + n;
    c[0] = (int) sum;
    c[1] = (int) (sum >>> 32);
    if (Long.compareUnsigned(sum, lo) < 0) {
      if (++c[2] == 0) {
        ++c[3];
      }
    }
  }

  /** Philox4x32 with 10 rounds of {@code counter} under {@code key}. */
  static int[] philox(int[] counter, int[] key) {
    int c0 = counter[0];
    int c1 = counter[1];
    int c2 = counter[2];
    int c3 = counter[3];
    int k0 = key[0];
    int k1 = key[1];
    for (int r = 0; r < 10; r++) {
      long p0 = (M0 & 0xffffffffL) * (c0 & 0xffffffffL);
      long p1 = (M1 & 0xffffffffL) * (c2 & 0xffffffffL);
      int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
      int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
      c1 = (int) p1;
      c3 = (int) p0;
      c0 = n0;
      c2 = n2;
      k0 += W0;
      k1 += W1;
    }
    return new int[] {c0, c1, c2, c3};
  }
}
