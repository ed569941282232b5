package org.rnnport.tensorio.batch;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.Minifloats;

/**
 * A growable column of one dtype, filled one value at a time from text or from Java numbers. Every value is checked
 * to be exactly a value of the dtype: an integer out of range, a fraction for an integer dtype, a float that the
 * dtype cannot hold exactly (a float64 1e-300 for float32, 2^24+1 for float32), a number for bool or string, are
 * refused with a {@link ValueException} naming the dtype, never rounded, wrapped or clamped. Text is parsed per dtype
 * (integers as integers, never through a double). Not thread-safe.
 */
public final class ColumnBuilder {
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final DType dtype;
  private final int width;
  private byte[] bytes;
  private ByteBuffer buf;
  private byte[][] strings;
  private int size;

  /**
   * An empty column of {@code dtype} with room for {@code capacity} values before it grows.
   *
   * @param dtype the dtype
   * @param capacity how many values to make room for
   */
  public ColumnBuilder(DType dtype, int capacity) {
    this.dtype = dtype;
    this.width = dtype.bytes();
    int n = Math.max(capacity, 4);
    if (dtype == DType.STRING) {
      strings = new byte[n][];
    } else {
      bytes = new byte[n * width];
      buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /**
   * The values added so far.
   *
   * @return the values added so far
   */
  public int size() {
    return size;
  }

  /**
   * Drops the values from {@code n} on (a row that turned out bad is taken back).
   *
   * @throws IllegalArgumentException if {@code n} is more than {@link #size()}
   * @param n how many values to keep
   */
  public void truncate(int n) {
    if (n < 0 || n > size) {
      throw new IllegalArgumentException("truncate to " + n + " of " + size + " values");
    }
    if (strings != null) {
      Arrays.fill(strings, n, size, null);
    }
    size = n;
  }

  /**
   * The dtype.
   *
   * @return the dtype
   */
  public DType dtype() {
    return dtype;
  }

  /** Room for {@code n} more values; returns the byte offset of the next one. */
  private int room(int n) {
    if (strings != null) {
      if (size + n > strings.length) {
        strings = Arrays.copyOf(strings, Math.max(strings.length * 2, size + n));
      }
      return size;
    }
    if ((long) (size + n) * width > bytes.length) {
      long want = Math.max((long) bytes.length * 2, (long) (size + n) * width);
      if (want > Integer.MAX_VALUE - 8) {
        throw refuse("over 2 GiB of values in one batch: give a smaller batch size");
      }
      bytes = Arrays.copyOf(bytes, (int) want);
      buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    return size * width;
  }

  private ValueException refuse(String what) {
    return new ValueException(what + " (the dtype is " + dtype.label() + ")");
  }

  /**
   * A value written as text: a number for the numeric dtypes ({@code NaN}, {@code Infinity} and {@code -Infinity}
   * for floats; for integers any decimal that is exactly an integer, such as {@code 3}, {@code 3.0} or {@code 3e2}),
   * {@code true}/{@code false} (or {@code 1}/{@code 0}) for bool, the text's UTF-8 bytes for string.
   *
   * @throws ValueException if the text is not a number, or not one the dtype holds exactly
   * @param text the value as text
   */
  public void addText(String text) {
    String t = text.trim();
    switch (dtype) {
      case STRING -> addBytes(text.getBytes(StandardCharsets.UTF_8));
      case BOOL -> {
        if (t.equalsIgnoreCase("true") || t.equals("1")) {
          addBool(true);
        } else if (t.equalsIgnoreCase("false") || t.equals("0")) {
          addBool(false);
        } else {
          throw refuse("'" + abbreviate(t) + "' is not a bool (true or false)");
        }
      }
      case FLOAT32 -> addFloat(parseFloat(t));
      case FLOAT64 -> addDouble(parseDouble(t));
      case FLOAT16, BFLOAT16 -> addRounded(parseDouble(t));
      default -> addInteger(t);
    }
  }

  private float parseFloat(String t) {
    try {
      return Float.parseFloat(checkNumberText(t));
    } catch (NumberFormatException e) {
      throw refuse("'" + abbreviate(t) + "' is not a number");
    }
  }

  private double parseDouble(String t) {
    try {
      return Double.parseDouble(checkNumberText(t));
    } catch (NumberFormatException e) {
      throw refuse("'" + abbreviate(t) + "' is not a number");
    }
  }

  /** Java's parsers also take {@code 1f}, {@code 0x1p3} and {@code 1d}: numbers in data files do not look so. */
  private static String checkNumberText(String t) {
    if (t.isEmpty()) {
      throw new NumberFormatException();
    }
    char last = t.charAt(t.length() - 1);
    if (!(Character.isDigit(last) || last == '.' || t.endsWith("NaN") || t.endsWith("Infinity"))
        || t.indexOf('x') >= 0 || t.indexOf('X') >= 0) {
      throw new NumberFormatException();
    }
    return t;
  }

  private void addInteger(String t) {
    if (dtype == DType.UINT64 || t.indexOf('.') >= 0 || t.indexOf('e') >= 0 || t.indexOf('E') >= 0) {
      BigInteger v;
      try {
        v = new BigDecimal(t).toBigIntegerExact();
      } catch (NumberFormatException e) {
        throw refuse("'" + abbreviate(t) + "' is not a number");
      } catch (ArithmeticException e) {
        throw refuse("'" + abbreviate(t) + "' is not an integer");
      }
      if (dtype == DType.UINT64) {
        if (v.signum() < 0 || v.compareTo(UINT64_MAX) > 0) {
          throw refuse(abbreviate(t) + " is out of range (0.." + UINT64_MAX + ")");
        }
        buf.putLong(room(1), v.longValue());
        size++;
        return;
      }
      if (v.bitLength() > 63) {
        throw refuse(abbreviate(t) + " is out of range");
      }
      addLong(v.longValue());
      return;
    }
    long v;
    try {
      v = Long.parseLong(t);
    } catch (NumberFormatException e) {
      if (t.matches("[-+]?\\d+")) {
        throw refuse(abbreviate(t) + " is out of range");
      }
      throw refuse("'" + abbreviate(t) + "' is not a number");
    }
    addLong(v);
  }

  /**
   * An integer.
   *
   * @throws ValueException if the dtype cannot hold it exactly (out of an integer dtype's range, not exactly a float
   *     of a float dtype, a bool or string dtype)
   * @param v the integer
   */
  public void addLong(long v) {
    switch (dtype) {
      case INT8 -> putInt8(range(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT8 -> putInt8(range(v, 0, 255));
      case INT16 -> putInt16(range(v, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT16 -> putInt16(range(v, 0, 65535));
      case INT32 -> putInt32(range(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case UINT32 -> putInt32(range(v, 0, 0xffffffffL));
      case INT64 -> putInt64(v);
      case UINT64 -> putInt64(range(v, 0, Long.MAX_VALUE));
      case FLOAT64 -> {
        double d = v;
        if (d == 0x1p63 || (long) d != v) {
          throw refuse(v + " is not exactly a float64 (integers up to 2^53 are)");
        }
        addDouble(d);
      }
      case FLOAT32, FLOAT16, BFLOAT16 -> {
        float f = v;
        if (f == 0x1p63f || (long) f != v) {
          throw refuse(v + " is not exactly a " + dtype.label() + (dtype == DType.FLOAT32 ? " (integers up to 2^24 are)"
              : ""));
        }
        addFloat(f);
      }
      case BOOL, STRING -> throw refuse("the number " + v + " is not a " + (dtype == DType.BOOL ? "bool" : "string"));
    }
  }

  private void putInt8(long v) {
    bytes[room(1)] = (byte) v;
    size++;
  }

  private void putInt16(long v) {
    buf.putShort(room(1), (short) v);
    size++;
  }

  private void putInt32(long v) {
    buf.putInt(room(1), (int) v);
    size++;
  }

  private void putInt64(long v) {
    buf.putLong(room(1), v);
    size++;
  }

  /**
   * An unsigned 64-bit integer given by its bits ({@code -1L} is 2^64-1), as a uint64 source (Parquet's
   * {@code UINT_64}) has it.
   *
   * @throws ValueException as {@link #addLong}
   * @param bits the 64 bits
   */
  public void addUnsignedLong(long bits) {
    if (bits >= 0) {
      addLong(bits);
    } else if (dtype == DType.UINT64) {
      putInt64(bits);
    } else {
      throw refuse(Long.toUnsignedString(bits) + " does not fit");
    }
  }

  private long range(long v, long min, long max) {
    if (v < min || v > max) {
      throw refuse(v + " is out of range (" + min + ".." + max + ")");
    }
    return v;
  }

  /**
   * A float32 value.
   *
   * @throws ValueException if the dtype cannot hold it exactly (a fraction or a non-finite value for an integer
   *     dtype, a value float16 or bfloat16 would round)
   * @param v the value
   */
  public void addFloat(float v) {
    switch (dtype) {
      case FLOAT32 -> {
        buf.putFloat(room(1), v);
        size++;
      }
      case FLOAT64 -> {
        buf.putDouble(room(1), v);
        size++;
      }
      case FLOAT16, BFLOAT16 -> {
        int b = dtype == DType.FLOAT16 ? Minifloats.halfExact(v) : Minifloats.bfloat16Exact(v);
        if (b < 0) {
          throw refuse(v + " is not exactly a " + dtype.label());
        }
        putInt16(b);
      }
      default -> addDouble(v);
    }
  }

  /** Text already parsed to the nearest float64: float16 and bfloat16 take its nearest value (text has no width). */
  private void addRounded(double v) {
    putInt16(dtype == DType.FLOAT16 ? Minifloats.halfFromDouble(v) : Minifloats.bfloat16FromDouble(v));
  }

  /**
   * A float64 value.
   *
   * @throws ValueException if the dtype cannot hold it exactly (a fraction, a non-finite or out-of-range value for an
   *     integer dtype; a value float32 or narrower would round; bool and string)
   * @param v the value
   */
  public void addDouble(double v) {
    switch (dtype) {
      case FLOAT64 -> {
        buf.putDouble(room(1), v);
        size++;
      }
      case FLOAT32, FLOAT16, BFLOAT16 -> {
        float f = (float) v;
        if (!Double.isNaN(v) && f != v) {
          throw refuse(v + " is not exactly a " + dtype.label());
        }
        addFloat(f);
      }
      case BOOL, STRING -> throw refuse("the number " + v + " is not a " + (dtype == DType.BOOL ? "bool" : "string"));
      default -> {
        if (v != Math.rint(v) || Double.isInfinite(v)) {
          throw refuse(v + " is not an integer");
        }
        if (dtype == DType.UINT64 && v >= 0x1p63 && v < 0x1p64) {
          addUnsignedLong(new BigDecimal(v).toBigIntegerExact().longValue());
        } else if (v < -0x1p63 || v >= 0x1p63) {
          throw refuse(v + " is out of range");
        } else {
          addLong((long) v);
        }
      }
    }
  }

  /**
   * A bool.
   *
   * @throws ValueException unless the dtype is bool
   * @param v the value
   */
  public void addBool(boolean v) {
    if (dtype != DType.BOOL) {
      throw refuse("the bool " + v + " is not a number");
    }
    putInt8(v ? 1 : 0);
  }

  /**
   * A byte string (kept as it is, any bytes, any length).
   *
   * @throws ValueException unless the dtype is string
   * @param v the bytes, kept (not copied)
   */
  public void addBytes(byte[] v) {
    if (dtype != DType.STRING) {
      throw refuse("a byte string is not a number");
    }
    strings[room(1)] = v;
    size++;
  }

  /**
   * Float32 values in bulk ({@link #addFloat} each, one copy for a float32 column).
   *
   * @throws ValueException at the first value this dtype cannot hold (the values before it stay added)
   * @param v the values
   */
  public void addFloats(float[] v) {
    if (dtype == DType.FLOAT32) {
      bulk(v.length).asFloatBuffer().put(v);
    } else {
      for (float x : v) {
        addFloat(x);
      }
    }
  }

  /**
   * Float64 values in bulk ({@link #addDouble} each, one copy for a float64 column).
   *
   * @throws ValueException at the first value this dtype cannot hold (the values before it stay added)
   * @param v the values
   */
  public void addDoubles(double[] v) {
    if (dtype == DType.FLOAT64) {
      bulk(v.length).asDoubleBuffer().put(v);
    } else {
      for (double x : v) {
        addDouble(x);
      }
    }
  }

  /**
   * Int32 values in bulk ({@link #addLong} each, one copy for an int32 column).
   *
   * @throws ValueException at the first value this dtype cannot hold (the values before it stay added)
   * @param v the values
   */
  public void addInts(int[] v) {
    if (dtype == DType.INT32) {
      bulk(v.length).asIntBuffer().put(v);
    } else {
      for (int x : v) {
        addLong(x);
      }
    }
  }

  /**
   * Int64 values in bulk ({@link #addLong} each, one copy for an int64 column).
   *
   * @throws ValueException at the first value this dtype cannot hold (the values before it stay added)
   * @param v the values
   */
  public void addLongs(long[] v) {
    if (dtype == DType.INT64) {
      bulk(v.length).asLongBuffer().put(v);
    } else {
      for (long x : v) {
        addLong(x);
      }
    }
  }

  /** Room for {@code n} values of this column's own width, counted as added: a little-endian view of their bytes. */
  private ByteBuffer bulk(int n) {
    int at = room(n);
    size += n;
    return ByteBuffer.wrap(bytes, at, n * width).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Every value of {@code c}: copied as they are when the dtype is the same, else converted one by one, exactly (as
   * the add methods).
   *
   * @throws ValueException at the first value this dtype cannot hold
   * @param c the column
   */
  public void addAll(Column c) {
    Column h = c.onHeap();
    int n = h.size();
    if (h.dtype() == dtype) {
      int at = room(n);
      if (strings != null) {
        System.arraycopy(h.data(), 0, strings, at, n);
      } else {
        System.arraycopy(h.data(), 0, bytes, at, n * width);
      }
      size += n;
      return;
    }
    for (int i = 0; i < n; i++) {
      switch (h.dtype()) {
        case FLOAT64 -> addDouble(h.getDouble(i));
        case FLOAT32, FLOAT16, BFLOAT16 -> addFloat(h.getFloat(i));
        case UINT64 -> addUnsignedLong(h.getLong(i));
        case BOOL -> addBool(h.getLong(i) != 0);
        case STRING -> addBytes(h.strings()[i]);
        default -> addLong(h.getLong(i));
      }
    }
  }

  /**
   * The values so far as a column of {@code rows} rows of {@code rowShape} (a copy; the builder may go on).
   *
   * @param rowShape the shape of one row
   * @param rows the row count
   * @return the values so far as a column of rows rows of rowShape (a copy; the builder may go on)
   */
  public Column toColumn(long[] rowShape, int rows) {
    Object d = strings != null ? Arrays.copyOf(strings, size) : Arrays.copyOf(bytes, size * width);
    return new Column(dtype, rowShape, rows, d);
  }

  static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }
}
