package org.rnnport.tensorio.batch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.Minifloats;
import org.tensorflow.Tensor;

/**
 * A block of rows of one input or output: its dtype, the shape of one row, the row count, and the values row-major:
 * for a fixed-size dtype their little-endian bytes, TensorFlow's own layout ({@code byte[]}, as
 * {@link HostTensor#ofBytes} takes them: uint8 255 is the byte {@code 0xff}, float16 its 16 bits); for string one
 * {@code byte[]} per value ({@code byte[][]}, any bytes); or, for values a reader wrote straight into the memory of the
 * tensor they are fed as, a {@link Native}.
 *
 * @param dtype the values' dtype
 * @param rowShape the shape of one row
 * @param rows the row count
 * @param data the values ({@code byte[]}, {@code byte[][]} or a {@link Native}) of {@code rows * size(rowShape)}
 *     elements
 */
public record Column(DType dtype, long[] rowShape, int rows, Object data) {
  /**
   * A column; checks the data's type and length.
   *
   * @throws IllegalArgumentException if the data is not of the dtype's kind or not {@code rows} rows long
   * @param dtype the values' dtype
   * @param rowShape the shape of one row
   * @param rows the row count
   * @param data the values ({@code byte[]}, {@code byte[][]} or a {@link Native}) of {@code rows * size(rowShape)}
   */
  public Column {
    long n = (long) rows * size(rowShape);
    long len;
    if (data instanceof Native t) {
      len = t.tensor().shape().size();
    } else if (dtype == DType.STRING && data instanceof byte[][] s) {
      len = s.length;
    } else if (dtype != DType.STRING && data instanceof byte[] b) {
      if (b.length % dtype.bytes() != 0) {
        throw new IllegalArgumentException(b.length + " bytes are no whole number of " + dtype.label() + " values");
      }
      len = b.length / dtype.bytes();
    } else {
      throw new IllegalArgumentException(dtype.label() + " values come as " + (dtype == DType.STRING ? "byte[][]"
          : "little-endian byte[]") + ", not " + (data == null ? "null" : data.getClass().getSimpleName()));
    }
    if (len != n) {
      throw new IllegalArgumentException(len + " values for " + rows + " rows of " + Arrays.toString(rowShape));
    }
  }

  /**
   * Values a reader wrote straight into the memory of the tensor they are fed as: its shape is
   * {@code [rows] + rowShape}, its dtype the column's. The column owns the tensor until it is fed (the inference
   * call closes it); {@link Column#release()} closes it if it never gets there (closing twice is harmless).
   *
   * @param tensor the filled tensor
   */
  public record Native(Tensor tensor) {}

  /**
   * A column of the values of a flat Java array of {@code dtype}'s carrier ({@link HostTensor#carrier}: {@code float[]}
   * for float32, float16 and bfloat16, {@code int[]} for uint8, {@code long[]} for uint64's bits, {@code byte[][]}
   * for string, ...), each checked to fit the dtype exactly.
   *
   * @throws org.rnnport.tensorio.TensorIoException for a value the dtype cannot hold or another array type
   * @throws IllegalArgumentException if the array is not {@code rows} rows of {@code rowShape}
   * @param dtype the values' dtype
   * @param rowShape the shape of one row
   * @param rows the row count
   * @param flat a flat array of the dtype's carrier
   * @return the column
   */
  public static Column ofArray(DType dtype, long[] rowShape, int rows, Object flat) {
    HostTensor h = HostTensor.ofArray("values", dtype, flat);
    return new Column(dtype, rowShape, rows, dtype == DType.STRING ? h.strings() : h.littleEndianBytes());
  }

  /**
   * A column of {@code rows} rows of zeros (empty strings).
   *
   * @param dtype the values' dtype
   * @param rowShape the shape of one row
   * @param rows the row count
   * @return the column
   */
  public static Column zeros(DType dtype, long[] rowShape, int rows) {
    return new Column(dtype, rowShape, rows, newData(dtype, Math.toIntExact(rows * size(rowShape))));
  }

  /** The data of {@code n} zero values: {@code byte[n * bytes]}, or {@code n} empty strings. */
  static Object newData(DType dtype, int n) {
    if (dtype == DType.STRING) {
      byte[][] b = new byte[n][];
      Arrays.fill(b, new byte[0]);
      return b;
    }
    return new byte[Math.multiplyExact(n, dtype.bytes())];
  }

  /**
   * The element count of a shape.
   *
   * @param shape the dimensions
   * @return the element count of a shape
   */
  public static long size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * The shape of the whole block: {@code [rows] + rowShape}.
   *
   * @return the shape of the whole block: [rows] + rowShape
   */
  public long[] shape() {
    long[] s = new long[rowShape.length + 1];
    s[0] = rows;
    System.arraycopy(rowShape, 0, s, 1, rowShape.length);
    return s;
  }

  /**
   * Values per row.
   *
   * @return values per row
   */
  public int rowSize() {
    return (int) size(rowShape);
  }

  /**
   * All values.
   *
   * @return all values
   */
  public int size() {
    return rows * rowSize();
  }

  /**
   * Whether the values are in tensor memory (a {@link Native}).
   *
   * @return whether the values are in tensor memory (a Native)
   */
  public boolean isNative() {
    return data instanceof Native;
  }

  /** Closes the tensor of a {@link Native} column; nothing for an array column. */
  public void release() {
    if (data instanceof Native t) {
      t.tensor().close();
    }
  }

  /**
   * This column with its values on the heap (a copy out of tensor memory for a {@link Native}).
   *
   * @return this column with its values on the heap (a copy out of tensor memory for a Native)
   */
  public Column onHeap() {
    if (!(data instanceof Native t)) {
      return this;
    }
    return BatchTensors.column(t.tensor(), "input", rows);
  }

  /**
   * The values as a {@link HostTensor} of shape {@link #shape()} named {@code key} (shares the bytes).
   *
   * @param key the input or output key, for errors
   * @return the values as a HostTensor of shape shape named key (shares the bytes)
   */
  public HostTensor toHost(String key) {
    Column h = onHeap();
    return dtype == DType.STRING ? HostTensor.ofStrings(key, shape(), (byte[][]) h.data)
        : HostTensor.ofBytes(key, dtype, shape(), (byte[]) h.data);
  }

  private ByteBuffer buf() {
    if (data instanceof Native) {
      throw new IllegalStateException("the values are in tensor memory: read them through onHeap()");
    }
    if (dtype == DType.STRING) {
      throw new IllegalArgumentException("string values are not numbers");
    }
    return ByteBuffer.wrap((byte[]) data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The little-endian bytes of a fixed-size column (shared).
   *
   * @return the little-endian bytes of a fixed-size column (shared)
   */
  public byte[] bytes() {
    buf();
    return (byte[]) data;
  }

  /**
   * The values of a string column (shared).
   *
   * @return the values of a string column (shared)
   */
  public byte[][] strings() {
    if (dtype != DType.STRING || !(data instanceof byte[][] s)) {
      throw new IllegalArgumentException(dtype.label() + " values are not strings");
    }
    return s;
  }

  /**
   * Value {@code i} as a double: exact for every numeric dtype but int64 and uint64 beyond 2^53 (labels and argmax;
   * writers read exact values with {@link #getFloat}, {@link #getLong}, {@link #bits}).
   *
   * @throws IllegalStateException for a {@link Native} column
   * @throws IllegalArgumentException for string
   * @param i the value's flat (row-major) index
   * @return value i as a double: exact for every numeric dtype but int64 and uint64 beyond 2^53 (labels and argmax; writers read exact values with getFloat, getLong, bits)
   */
  public double getDouble(int i) {
    ByteBuffer b = buf();
    return switch (dtype) {
      case FLOAT64 -> b.getDouble(i * 8);
      case FLOAT32, FLOAT16, BFLOAT16 -> getFloat(i);
      case UINT64 -> {
        long v = b.getLong(i * 8);
        yield v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
      }
      default -> getLong(i);
    };
  }

  /**
   * Value {@code i} of a float32, float16 or bfloat16 column, exactly.
   *
   * @throws IllegalArgumentException for other dtypes
   * @param i the value's flat (row-major) index
   * @return value i of a float32, float16 or bfloat16 column, exactly
   */
  public float getFloat(int i) {
    ByteBuffer b = buf();
    return switch (dtype) {
      case FLOAT32 -> b.getFloat(i * 4);
      case FLOAT16 -> Minifloats.halfToFloat(b.getShort(i * 2));
      case BFLOAT16 -> Minifloats.bfloat16ToFloat(b.getShort(i * 2));
      default -> throw new IllegalArgumentException(dtype.label() + " values are not float32");
    };
  }

  /**
   * Value {@code i} of an integer or bool column (unsigned dtypes zero-extended; uint64 as its bits: read it with
   * {@link Long#toUnsignedString}).
   *
   * @throws IllegalArgumentException for float and string columns
   * @param i the value's flat (row-major) index
   * @return value i of an integer or bool column (unsigned dtypes zero-extended; uint64 as its bits: read it with toUnsignedString)
   */
  public long getLong(int i) {
    ByteBuffer b = buf();
    return switch (dtype) {
      case INT8 -> b.get(i);
      case UINT8 -> b.get(i) & 0xff;
      case BOOL -> b.get(i) != 0 ? 1 : 0;
      case INT16 -> b.getShort(i * 2);
      case UINT16 -> b.getShort(i * 2) & 0xffff;
      case INT32 -> b.getInt(i * 4);
      case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
      case INT64, UINT64 -> b.getLong(i * 8);
      default -> throw new IllegalArgumentException(dtype.label() + " values are not integers");
    };
  }

  /**
   * The raw bits of value {@code i} of a fixed-size column, zero-extended.
   *
   * @param i the value's flat (row-major) index
   * @return the raw bits of value i of a fixed-size column, zero-extended
   */
  public long bits(int i) {
    ByteBuffer b = buf();
    return switch (dtype.bytes()) {
      case 1 -> b.get(i) & 0xffL;
      case 2 -> b.getShort(i * 2) & 0xffffL;
      case 4 -> b.getInt(i * 4) & 0xffffffffL;
      default -> b.getLong(i * 8);
    };
  }

  /**
   * Rows {@code from .. from+n} as a new column (copied).
   *
   * @param from the first row
   * @param n how many rows
   * @return the rows, copied
   */
  public Column slice(int from, int n) {
    Column h = onHeap();
    int rs = rowSize();
    if (dtype == DType.STRING) {
      return new Column(dtype, rowShape, n, Arrays.copyOfRange((byte[][]) h.data, from * rs, (from + n) * rs));
    }
    int w = rs * dtype.bytes();
    return new Column(dtype, rowShape, n, Arrays.copyOfRange((byte[]) h.data, from * w, (from + n) * w));
  }
}
