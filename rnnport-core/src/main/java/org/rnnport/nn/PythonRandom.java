package org.rnnport.nn;

/**
 * CPython 3.11's {@code random.Random(seed)} for an integer seed: the MT19937 Mersenne Twister seeded by
 * {@code init_by_array} with the 32-bit words of {@code abs(seed)} ({@code _randommodule.c}'s
 * {@code random_seed}), and the draws tf-keras takes from it: {@code getrandbits(k)} for {@code k <= 32},
 * {@code _randbelow_with_getrandbits} and {@code randint(a, b)}. The same seed gives Python's numbers exactly.
 */
public final class PythonRandom {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int mti = N + 1;

  /** {@code random.Random(seed)}. */
  public PythonRandom(long seed) {
    if (seed == Long.MIN_VALUE) {
      throw new IllegalArgumentException("seed " + seed + " is out of range");
    }
    long n = Math.abs(seed);
    int hi = (int) (n >>> 32);
    int[] key = hi == 0 ? new int[] {(int) n} : new int[] {(int) n, hi};
    initByArray(key);
  }

  private void initGenrand(int s) {
    mt[0] = s;
    for (mti = 1; mti < N; mti++) {
      mt[mti] = 1812433253 * (mt[mti - 1] ^ (mt[mti - 1] >>> 30)) + mti;
    }
  }

  private void initByArray(int[] key) {
    initGenrand(19650218);
    int i = 1;
    int j = 0;
    for (int k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) {
        j = 0;
      }
    }
    for (int k = N - 1; k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** {@code genrand_uint32}: the next 32 bits, as an unsigned value. */
  public long nextUint32() {
    int y;
    if (mti >= N) {
      int kk;
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
      mti = 0;
    }
    y = mt[mti++];
    y ^= (y >>> 11);
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= (y >>> 18);
    return y & 0xffffffffL;
  }

  /** {@code getrandbits(k)} for {@code 1 <= k <= 32}: the top {@code k} bits of one draw. */
  public long getrandbits(int k) {
    if (k < 1 || k > 32) {
      throw new IllegalArgumentException("getrandbits(k) here takes 1 <= k <= 32, got " + k);
    }
    return nextUint32() >>> (32 - k);
  }

  /** {@code _randbelow_with_getrandbits(n)}: uniform in {@code [0, n)}, {@code 0 < n < 2^32}. */
  public long randbelow(long n) {
    if (n <= 0 || n > 0xffffffffL) {
      throw new IllegalArgumentException("randbelow(n) here takes 0 < n < 2^32, got " + n);
    }
    int k = 64 - Long.numberOfLeadingZeros(n);
    long r = getrandbits(k);
    while (r >= n) {
      r = getrandbits(k);
    }
    return r;
  }

  /** {@code randint(a, b)}: {@code a + randbelow(b - a + 1)}. */
  public long randint(long a, long b) {
    return a + randbelow(b - a + 1);
  }
}
