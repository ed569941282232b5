package org.rnnport.data;

/**
 * numpy's legacy {@code RandomState} for the parts rnnport needs, bit for bit: MT19937 seeded
 * with {@code init_genrand(seed)} (what {@code RandomState(seed)} and {@code np.random.seed(seed)}
 * do for an int seed), the masked-rejection bounded integer {@code random_interval}, and the
 * legacy Fisher-Yates {@code shuffle} of a 1-D array. Keras uses it to split Reuters and TF1's
 * {@code DataSet.next_batch} to shuffle MNIST.
 */
public final class NumpyRandomState {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int pos;

  public NumpyRandomState(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("numpy seeds are 0..2^32-1, got " + seed);
    }
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    pos = N;
  }

  /** The generator's state: the 624 MT19937 words followed by the position (numpy's {@code get_state()[1:3]}). */
  public int[] state() {
    int[] s = java.util.Arrays.copyOf(mt, N + 1);
    s[N] = pos;
    return s;
  }

  /** A generator continuing from {@link #state()}. */
  public static NumpyRandomState fromState(int[] state) {
    if (state == null || state.length != N + 1 || state[N] < 0 || state[N] > N) {
      throw new IllegalArgumentException("an MT19937 state is " + (N + 1) + " ints (624 words and a position 0..624)");
    }
    NumpyRandomState r = new NumpyRandomState(0);
    System.arraycopy(state, 0, r.mt, 0, N);
    r.pos = state[N];
    return r;
  }

  /** MT19937 genrand_int32, as an unsigned value in a long. */
  public long nextUint32() {
    if (pos >= N) {
      generate();
    }
    int y = mt[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y & 0xffffffffL;
  }

  private void generate() {
    int kk;
    int y;
    for (kk = 0; kk < N - M; kk++) {
      y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
    }
    y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
    pos = 0;
  }

  /** numpy's {@code random_interval(max)}: uniform in [0, max] by masked rejection. */
  public long randomInterval(long max) {
    if (max == 0) {
      return 0;
    }
    if (max > 0xffffffffL) {
      throw new UnsupportedOperationException("64-bit intervals are not needed by rnnport");
    }
    long mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    long value;
    while ((value = nextUint32() & mask) > max) {
      // rejected: draw again
    }
    return value;
  }

  /** {@code RandomState.shuffle} of a 1-D array, in place. */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i >= 1; i--) {
      int j = (int) randomInterval(i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** {@code arange(n)} shuffled. */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p);
    return p;
  }
}
