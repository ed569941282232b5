package org.rnnport.tensorio;

/**
 * IEEE float16 and brain float16 bits to and from Java numbers, rounding to nearest even where a number must be
 * rounded (a decimal read from text) and saying whether a Java float is exactly representable (a value given as a
 * Java float must not change).
 */
public final class Minifloats {
  private Minifloats() {}

  /**
   * The float16 nearest {@code d} (ties to even; NaN stays NaN with its sign, overflow gives infinity).
   *
   * @param d the number
   * @return its float16 bits in the low 16 bits
   */
  public static short halfFromDouble(double d) {
    return (short) encode(d, 5, 10);
  }

  /**
   * The bfloat16 nearest {@code d} (ties to even; NaN stays NaN with its sign, overflow gives infinity).
   *
   * @param d the number
   * @return its bfloat16 bits in the low 16 bits
   */
  public static short bfloat16FromDouble(double d) {
    return (short) encode(d, 8, 7);
  }

  /**
   * The exact value of float16 bits.
   *
   * @param bits float16 bits in the low 16 bits
   * @return the same number as a float (every float16 is a float)
   */
  public static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h >>> 15) << 31;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f; // exact: a subnormal float16 is a multiple of 2^-24
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /**
   * The exact value of bfloat16 bits.
   *
   * @param bits bfloat16 bits in the low 16 bits
   * @return the same number as a float (a bfloat16 is the upper half of a float)
   */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /**
   * The float16 bits of a float that float16 represents exactly.
   *
   * @param f the value
   * @return its bits, or -1 (as an int) when float16 has no such number (rounding would change it)
   */
  public static int halfExact(float f) {
    short h = halfFromDouble(f);
    return same(halfToFloat(h), f) ? h & 0xffff : -1;
  }

  /**
   * The bfloat16 bits of a float that bfloat16 represents exactly.
   *
   * @param f the value
   * @return its bits, or -1 (as an int) when bfloat16 has no such number (rounding would change it)
   */
  public static int bfloat16Exact(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0xffff) != 0) {
      return -1;
    }
    return bits >>> 16;
  }

  private static boolean same(float a, float b) {
    return Float.isNaN(a) ? Float.isNaN(b) : Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
  }

  /** Rounds {@code d} to a binary format of {@code ebits} exponent and {@code mbits} fraction bits. */
  private static int encode(double d, int ebits, int mbits) {
    int signBit = (int) (Double.doubleToRawLongBits(d) >>> 63) << (ebits + mbits);
    int expAll = (1 << ebits) - 1;
    if (Double.isNaN(d)) {
      return signBit | (expAll << mbits) | (1 << (mbits - 1));
    }
    double a = Math.abs(d);
    if (Double.isInfinite(a)) {
      return signBit | (expAll << mbits);
    }
    int bias = (1 << (ebits - 1)) - 1;
    int emin = 1 - bias;
    if (a < Math.scalb(1.0, emin)) {
      // subnormal (or zero): a multiple of 2^(emin - mbits); rint rounds ties to even, a carry gives the least normal
      return signBit | (int) Math.rint(Math.scalb(a, mbits - emin));
    }
    int e = Math.getExponent(a);
    double m = Math.rint(Math.scalb(a, mbits - e));
    if (m == Math.scalb(1.0, mbits + 1)) {
      e++;
      m /= 2;
    }
    if (e > bias) {
      return signBit | (expAll << mbits);
    }
    return signBit | ((e + bias) << mbits) | ((int) m - (1 << mbits));
  }
}
