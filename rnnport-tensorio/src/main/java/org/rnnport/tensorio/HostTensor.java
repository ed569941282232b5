package org.rnnport.tensorio;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;

/**
 * A tensor's values on the Java heap, of any {@link DType}: the one place where Java values become tensors and
 * tensors become Java values. The JSON and TensorProto codecs, and the predictor's typed answers, all go through it.
 *
 * <p>Fixed-size dtypes hold their elements as little-endian bytes, exactly as TensorFlow lays them out (so a tensor
 * is one copy away); strings hold one byte array per element. Each dtype has one Java <em>carrier</em>
 * ({@link #carrier(DType)}), the Java type that holds every value of the dtype unchanged:
 *
 * <table>
 * <caption>Java carriers</caption>
 * <tr><th>dtype</th><th>carrier</th></tr>
 * <tr><td>float16, bfloat16, float32</td><td>{@code float} (every float16 and bfloat16 is a float)</td></tr>
 * <tr><td>float64</td><td>{@code double}</td></tr>
 * <tr><td>int8, int16, int32, int64</td><td>{@code byte}, {@code short}, {@code int}, {@code long}</td></tr>
 * <tr><td>uint8, uint16</td><td>{@code int} (0 to 255, 0 to 65535)</td></tr>
 * <tr><td>uint32</td><td>{@code long} (0 to 2^32 - 1)</td></tr>
 * <tr><td>uint64</td><td>{@code long} holding the 64 bits ({@link Long#toUnsignedString(long)} reads them)</td></tr>
 * <tr><td>bool</td><td>{@code boolean}</td></tr>
 * <tr><td>string</td><td>{@code byte[]}</td></tr>
 * </table>
 *
 * <p>A value that does not fit its dtype exactly (uint8 256, a float float16 cannot hold) is refused with a
 * {@link TensorIoException} naming the key, never rounded or wrapped. A typed read that does not match the dtype or
 * the rank throws {@link WrongTypeException}.
 */
public final class HostTensor {
  static {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new ExceptionInInitializerError("rnnport's tensor I/O needs a little-endian platform (TensorFlow's tensor "
          + "bytes are host order, its protos and files little-endian)");
    }
  }

  private final String key;
  private final DType dtype;
  private final long[] shape;
  private final long size;
  private final byte[] data;
  private final ByteBuffer buf;
  private final byte[][] strings;

  private HostTensor(String key, DType dtype, long[] shape, long size, byte[] data, byte[][] strings) {
    this.key = key;
    this.dtype = dtype;
    this.shape = shape;
    this.size = size;
    this.data = data;
    this.buf = data == null ? null : ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    this.strings = strings;
  }

  /**
   * A tensor of zeros (empty strings for {@link DType#STRING}), its size checked before it is allocated.
   *
   * @param key the input or output key, for errors
   * @param dtype the dtype
   * @param shape the dimensions, each at least 0
   * @return the tensor
   * @throws TensorIoException naming the key for a negative dimension, an overflowing count, or more than
   *     {@link Shapes#MAX_BYTES}
   */
  public static HostTensor zeros(String key, DType dtype, long[] shape) {
    long[] s = shape.clone();
    long n = Shapes.count(key, s);
    if (dtype == DType.STRING) {
      Shapes.checkCarried(key, dtype, s, n > Shapes.MAX_BYTES ? n : n * 8);
      byte[][] v = new byte[(int) n][];
      Arrays.fill(v, new byte[0]);
      return new HostTensor(key, dtype, s, n, null, v);
    }
    long bytes = Shapes.bytes(key, dtype, s);
    Shapes.checkCarried(key, dtype, s, bytes);
    return new HostTensor(key, dtype, s, n, new byte[(int) bytes], null);
  }

  /**
   * A fixed-size tensor over little-endian element bytes (TensorFlow's layout, as in {@code tensor_content}).
   *
   * @param key the input or output key, for errors
   * @param dtype a dtype other than {@link DType#STRING}
   * @param shape the dimensions
   * @param littleEndian the elements' bytes, row-major; kept, not copied
   * @return the tensor
   * @throws TensorIoException naming the key when the bytes are not exactly the shape's
   */
  public static HostTensor ofBytes(String key, DType dtype, long[] shape, byte[] littleEndian) {
    if (dtype == DType.STRING) {
      throw new IllegalArgumentException("string tensors have no fixed-size bytes; use ofStrings");
    }
    long[] s = shape.clone();
    long bytes = Shapes.bytes(key, dtype, s);
    if (bytes != littleEndian.length) {
      throw TensorIoException.input(key, littleEndian.length + " bytes for a " + dtype.label() + " tensor of shape "
          + Arrays.toString(s) + ", which needs " + bytes);
    }
    return new HostTensor(key, dtype, s, Shapes.count(key, s), littleEndian, null);
  }

  /**
   * A string tensor.
   *
   * @param key the input or output key, for errors
   * @param shape the dimensions
   * @param values the elements, row-major; kept, not copied
   * @return the tensor
   * @throws TensorIoException naming the key when the count does not match the shape
   */
  public static HostTensor ofStrings(String key, long[] shape, byte[][] values) {
    long[] s = shape.clone();
    long n = Shapes.count(key, s);
    if (n != values.length) {
      throw TensorIoException.input(key, values.length + " strings for shape " + Arrays.toString(s) + ", which needs " + n);
    }
    return new HostTensor(key, DType.STRING, s, n, null, values);
  }

  /**
   * A tensor from a Java value of the dtype's carrier: a scalar (boxed) or a rectangular nested array
   * ({@code float[][]} for a float32 matrix, {@code long[]} for a uint64 vector, {@code byte[][]} for a string
   * vector).
   *
   * @param key the input key, for errors
   * @param dtype the dtype to build
   * @param value the value
   * @return the tensor
   * @throws TensorIoException naming the key for another Java type, a ragged array, or a value the dtype does not
   *     hold exactly
   */
  public static HostTensor ofArray(String key, DType dtype, Object value) {
    if (value == null) {
      throw TensorIoException.input(key, "null is not a " + dtype.label() + " value");
    }
    Class<?> carrier = carrier(dtype);
    List<Long> dims = new ArrayList<>();
    Object a = value;
    Class<?> c = value.getClass();
    boolean strings = dtype == DType.STRING;
    while (c.isArray() && !(strings && c == byte[].class)) {
      int len = Array.getLength(a);
      dims.add((long) len);
      c = c.getComponentType();
      if (len == 0) {
        break;
      }
      a = Array.get(a, 0);
      if (a == null) {
        throw TensorIoException.input(key, "a null element in the array");
      }
      c = a.getClass();
    }
    Class<?> leaf = value.getClass();
    for (int i = 0; i < dims.size(); i++) {
      leaf = leaf.getComponentType();
    }
    Class<?> boxed = box(carrier);
    if (!(leaf == carrier || dims.isEmpty() && leaf == boxed)) {
      throw TensorIoException.input(key, "is " + dtype.label() + " (" + dtype.tfName() + "), which takes "
          + javaTypeName(dtype, dims.size())
          + ", got " + value.getClass().getSimpleName());
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    HostTensor t = zeros(key, dtype, shape);
    long[] pos = {0};
    fill(t, value, 0, pos);
    return t;
  }

  private static void fill(HostTensor t, Object a, int depth, long[] pos) {
    if (depth == t.shape.length) {
      t.setCarried(pos[0]++, a);
      return;
    }
    int len = Array.getLength(a);
    if (len != t.shape[depth]) {
      throw TensorIoException.input(t.key, "ragged array: an array at depth " + depth + " has " + len
          + " elements, the first has " + t.shape[depth]);
    }
    if (depth == t.shape.length - 1 && a.getClass().getComponentType().isPrimitive()) {
      for (int i = 0; i < len; i++) {
        t.setCarried(pos[0]++, Array.get(a, i));
      }
      return;
    }
    for (int i = 0; i < len; i++) {
      Object e = Array.get(a, i);
      if (e == null) {
        throw TensorIoException.input(t.key, "a null element in the array");
      }
      fill(t, e, depth + 1, pos);
    }
  }

  /** Sets element {@code i} from a boxed carrier value, checking that the dtype holds it exactly. */
  private void setCarried(long i, Object v) {
    switch (dtype) {
      case FLOAT16, BFLOAT16, FLOAT32 -> setFloat(i, (Float) v);
      case FLOAT64 -> setDouble(i, (Double) v);
      case INT8 -> setLong(i, (Byte) v);
      case INT16 -> setLong(i, (Short) v);
      case INT32, UINT8, UINT16 -> setLong(i, (Integer) v);
      case INT64, UINT32, UINT64 -> setLong(i, (Long) v);
      case BOOL -> setBoolean(i, (Boolean) v);
      case STRING -> setBytes(i, ((byte[]) v).clone());
    }
  }

  private static Class<?> box(Class<?> c) {
    if (c == float.class) {
      return Float.class;
    } else if (c == double.class) {
      return Double.class;
    } else if (c == byte.class) {
      return Byte.class;
    } else if (c == short.class) {
      return Short.class;
    } else if (c == int.class) {
      return Integer.class;
    } else if (c == long.class) {
      return Long.class;
    } else if (c == boolean.class) {
      return Boolean.class;
    }
    return c;
  }

  /**
   * The Java type that holds every value of a dtype unchanged (see the class comment).
   *
   * @param dtype the dtype
   * @return {@code float.class}, {@code long.class}, {@code byte[].class}, ...
   */
  public static Class<?> carrier(DType dtype) {
    return switch (dtype) {
      case FLOAT16, BFLOAT16, FLOAT32 -> float.class;
      case FLOAT64 -> double.class;
      case INT8 -> byte.class;
      case INT16 -> short.class;
      case INT32, UINT8, UINT16 -> int.class;
      case INT64, UINT32, UINT64 -> long.class;
      case BOOL -> boolean.class;
      case STRING -> byte[].class;
    };
  }

  /**
   * The Java type a tensor of a dtype and rank reads as, e.g. {@code float[][]}.
   *
   * @param dtype the dtype
   * @param rank the rank
   * @return the type's name
   */
  public static String javaTypeName(DType dtype, int rank) {
    String base = carrier(dtype).getSimpleName();
    return rank == 0 ? base : base + "[]".repeat(rank);
  }

  /**
   * The values of a TensorFlow tensor (any dtype TF Java has a class for).
   *
   * @param key the output key, for errors
   * @param t the tensor; not closed
   * @return a copy of its values
   * @throws TensorIoException naming the key for a dtype rnnport does not carry
   */
  public static HostTensor of(String key, Tensor t) {
    DType dt = DType.of(t.dataType());
    if (dt == null) {
      throw new TensorIoException(key, "'" + key + "': dtype " + t.dataType() + " is not carried by rnnport");
    }
    long[] shape = t.shape().asArray();
    if (dt == DType.STRING) {
      NdArray<byte[]> b = ((TString) t).asBytes();
      HostTensor h = zeros(key, dt, shape);
      long[] i = {0};
      b.scalars().forEach(s -> h.strings[(int) i[0]++] = s.getObject());
      return h;
    }
    HostTensor h = zeros(key, dt, shape);
    if (h.data.length != t.numBytes()) {
      throw new IllegalStateException("'" + key + "': a " + dt.label() + " tensor of shape " + Arrays.toString(shape)
          + " has " + t.numBytes() + " bytes, expected " + h.data.length);
    }
    t.asRawTensor().data().read(h.data);
    return h;
  }

  /**
   * Whether TF Java 1.1.0 can make a tensor of this dtype (all but int8, int16, uint32 and uint64, which it has no
   * tensor class for and which rnnport therefore refuses by name).
   *
   * @param dtype the dtype
   * @return true when {@link #toTensor()} works for it
   */
  public static boolean served(DType dtype) {
    return dtype.tensorType() != null;
  }

  /**
   * The message for a dtype TF Java cannot carry, naming the key.
   *
   * @param what {@code input} or {@code output}
   * @param key the key
   * @param dtype the dtype
   * @return the message
   */
  public static String notServed(String what, String key, DType dtype) {
    return what + " '" + key + "' is " + dtype.label() + ", which rnnport cannot serve: TF Java 1.1.0 has no tensor "
        + "type for " + dtype.label() + " (served dtypes: float16, bfloat16, float32, float64, int32, int64, uint8, "
        + "uint16, bool, string)";
  }

  /**
   * A new TensorFlow tensor of these values; the caller closes it.
   *
   * @return the tensor
   * @throws TensorIoException naming the key for int8, int16, uint32 and uint64 (see {@link #served})
   */
  public Tensor toTensor() {
    if (!served(dtype)) {
      throw new TensorIoException(key, notServed("input", key, dtype));
    }
    if (dtype == DType.STRING) {
      NdArray<byte[]> a = NdArrays.ofObjects(byte[].class, Shape.of(shape));
      long[] i = {0};
      a.scalars().forEach(s -> s.setObject(strings[(int) i[0]++]));
      return TString.tensorOfBytes(a);
    }
    return Tensor.of(dtype.tensorType(), Shape.of(shape), DataBuffers.of(data, true, false));
  }

  /**
   * The key this tensor is named by in errors.
   *
   * @return the input or output key
   */
  public String key() {
    return key;
  }

  /**
   * The same values under another key (shares them).
   *
   * @param newKey the key
   * @return a tensor named {@code newKey}
   */
  public HostTensor withKey(String newKey) {
    return new HostTensor(newKey, dtype, shape, size, data, strings);
  }

  /**
   * The dtype.
   *
   * @return the dtype
   */
  public DType dtype() {
    return dtype;
  }

  /**
   * The shape.
   *
   * @return a copy of the dimensions
   */
  public long[] shape() {
    return shape.clone();
  }

  /**
   * The rank.
   *
   * @return the number of dimensions
   */
  public int rank() {
    return shape.length;
  }

  /**
   * The number of elements.
   *
   * @return the product of the dimensions
   */
  public long size() {
    return size;
  }

  /**
   * The bytes the values take: element count times element size, or the strings' bytes.
   *
   * @return the byte count
   */
  public long byteSize() {
    if (strings == null) {
      return data.length;
    }
    long n = 0;
    for (byte[] s : strings) {
      n += s.length;
    }
    return n;
  }

  /**
   * The little-endian element bytes (fixed-size dtypes), shared, not copied.
   *
   * @return the bytes, row-major
   * @throws WrongTypeException for a string tensor
   */
  public byte[] littleEndianBytes() {
    if (data == null) {
      throw new WrongTypeException(key, dtype, shape, "fixed-size bytes");
    }
    return data;
  }

  // ---- elements by flat (row-major) index

  private int idx(long i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("'" + key + "': element " + i + " of " + size);
    }
    return (int) i;
  }

  /**
   * The raw bits of element {@code i}, zero-extended (float32 as its int bits, float16 as 16 bits, int8 -1 as 0xff).
   *
   * @param i the flat index
   * @return the bits
   */
  public long getBits(long i) {
    int k = idx(i);
    return switch (dtype.bytes()) {
      case 1 -> data[k] & 0xffL;
      case 2 -> buf.getShort(k * 2) & 0xffffL;
      case 4 -> buf.getInt(k * 4) & 0xffffffffL;
      case 8 -> buf.getLong(k * 8);
      default -> throw new WrongTypeException(key, dtype, shape, "bits");
    };
  }

  /**
   * Sets the raw bits of element {@code i} (the low {@code 8 * dtype.bytes()} bits are kept).
   *
   * @param i the flat index
   * @param bits the bits
   */
  public void setBits(long i, long bits) {
    int k = idx(i);
    switch (dtype.bytes()) {
      case 1 -> data[k] = (byte) bits;
      case 2 -> buf.putShort(k * 2, (short) bits);
      case 4 -> buf.putInt(k * 4, (int) bits);
      case 8 -> buf.putLong(k * 8, bits);
      default -> throw new WrongTypeException(key, dtype, shape, "bits");
    }
  }

  /**
   * Element {@code i} of a float16, bfloat16 or float32 tensor, exactly.
   *
   * @param i the flat index
   * @return the value
   * @throws WrongTypeException for other dtypes
   */
  public float getFloat(long i) {
    return switch (dtype) {
      case FLOAT32 -> buf.getFloat(idx(i) * 4);
      case FLOAT16 -> Minifloats.halfToFloat(buf.getShort(idx(i) * 2));
      case BFLOAT16 -> Minifloats.bfloat16ToFloat(buf.getShort(idx(i) * 2));
      default -> throw new WrongTypeException(key, dtype, shape, "float");
    };
  }

  /**
   * Sets element {@code i} of a float16, bfloat16 or float32 tensor to a float it holds exactly.
   *
   * @param i the flat index
   * @param v the value
   * @throws TensorIoException naming the key when float16 or bfloat16 cannot hold {@code v} exactly
   */
  public void setFloat(long i, float v) {
    switch (dtype) {
      case FLOAT32 -> buf.putFloat(idx(i) * 4, v);
      case FLOAT16, BFLOAT16 -> {
        int b = dtype == DType.FLOAT16 ? Minifloats.halfExact(v) : Minifloats.bfloat16Exact(v);
        if (b < 0) {
          throw TensorIoException.input(key, v + " is not a " + dtype.label() + " (it would be rounded); give "
              + dtype.label() + " values only");
        }
        buf.putShort(idx(i) * 2, (short) b);
      }
      default -> throw new WrongTypeException(key, dtype, shape, "float");
    }
  }

  /**
   * Element {@code i} of a float64 tensor.
   *
   * @param i the flat index
   * @return the value
   * @throws WrongTypeException for other dtypes
   */
  public double getDouble(long i) {
    if (dtype != DType.FLOAT64) {
      throw new WrongTypeException(key, dtype, shape, "double");
    }
    return buf.getDouble(idx(i) * 8);
  }

  /**
   * Sets element {@code i} of a float64 tensor.
   *
   * @param i the flat index
   * @param v the value
   */
  public void setDouble(long i, double v) {
    if (dtype != DType.FLOAT64) {
      throw new WrongTypeException(key, dtype, shape, "double");
    }
    buf.putDouble(idx(i) * 8, v);
  }

  /**
   * Element {@code i} of an integer tensor: its value (uint8, uint16 and uint32 zero-extended), or for uint64 its 64
   * bits.
   *
   * @param i the flat index
   * @return the value
   * @throws WrongTypeException for non-integer dtypes
   */
  public long getLong(long i) {
    int k = idx(i);
    return switch (dtype) {
      case INT8 -> data[k];
      case UINT8 -> data[k] & 0xff;
      case INT16 -> buf.getShort(k * 2);
      case UINT16 -> buf.getShort(k * 2) & 0xffff;
      case INT32 -> buf.getInt(k * 4);
      case UINT32 -> buf.getInt(k * 4) & 0xffffffffL;
      case INT64, UINT64 -> buf.getLong(k * 8);
      default -> throw new WrongTypeException(key, dtype, shape, "an integer");
    };
  }

  /**
   * Sets element {@code i} of an integer tensor to a value in the dtype's range (uint64: its 64 bits).
   *
   * @param i the flat index
   * @param v the value
   * @throws TensorIoException naming the key for a value out of range
   */
  public void setLong(long i, long v) {
    if (!dtype.integral()) {
      throw new WrongTypeException(key, dtype, shape, "an integer");
    }
    if (dtype != DType.INT64 && dtype != DType.UINT64 && (v < min(dtype) || v > max(dtype))) {
      throw TensorIoException.input(key, v + " is out of range for " + dtype.label() + " [" + min(dtype) + ", "
          + max(dtype) + "]");
    }
    setBits(i, v);
  }

  /**
   * The least value of an integer dtype below 64 bits.
   *
   * @param d the dtype
   * @return its minimum
   */
  public static long min(DType d) {
    return switch (d) {
      case INT8 -> Byte.MIN_VALUE;
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      case INT64 -> Long.MIN_VALUE;
      default -> 0;
    };
  }

  /**
   * The greatest value of an integer dtype below 64 bits (int64: {@link Long#MAX_VALUE}; uint64: -1, its bits).
   *
   * @param d the dtype
   * @return its maximum
   */
  public static long max(DType d) {
    return switch (d) {
      case INT8 -> Byte.MAX_VALUE;
      case INT16 -> Short.MAX_VALUE;
      case INT32 -> Integer.MAX_VALUE;
      case INT64 -> Long.MAX_VALUE;
      case UINT8 -> 0xff;
      case UINT16 -> 0xffff;
      case UINT32 -> 0xffffffffL;
      case UINT64 -> -1L;
      default -> 0;
    };
  }

  /**
   * Element {@code i} of a bool tensor.
   *
   * @param i the flat index
   * @return the value
   */
  public boolean getBoolean(long i) {
    if (dtype != DType.BOOL) {
      throw new WrongTypeException(key, dtype, shape, "boolean");
    }
    return data[idx(i)] != 0;
  }

  /**
   * Sets element {@code i} of a bool tensor.
   *
   * @param i the flat index
   * @param v the value
   */
  public void setBoolean(long i, boolean v) {
    if (dtype != DType.BOOL) {
      throw new WrongTypeException(key, dtype, shape, "boolean");
    }
    data[idx(i)] = (byte) (v ? 1 : 0);
  }

  /**
   * Element {@code i} of a string tensor (shared, not copied).
   *
   * @param i the flat index
   * @return its bytes
   */
  public byte[] getBytes(long i) {
    if (strings == null) {
      throw new WrongTypeException(key, dtype, shape, "byte[]");
    }
    return strings[idx(i)];
  }

  /**
   * Sets element {@code i} of a string tensor (kept, not copied).
   *
   * @param i the flat index
   * @param v its bytes
   */
  public void setBytes(long i, byte[] v) {
    if (strings == null) {
      throw new WrongTypeException(key, dtype, shape, "byte[]");
    }
    strings[idx(i)] = v;
  }

  // ---- typed whole reads

  private void want(Class<?> carrier, int rank, String asked) {
    if (carrier(dtype) != carrier || (rank >= 0 && shape.length != rank)) {
      throw new WrongTypeException(key, dtype, shape, asked);
    }
  }

  /**
   * The values as the dtype's carrier: a boxed scalar for rank 0, else a nested array ({@code float[][]},
   * {@code long[]}, {@code byte[][]} for a string vector).
   *
   * @return the Java value
   */
  public Object toArray() {
    if (shape.length == 0) {
      return element(0);
    }
    long[] pos = {0};
    return nest(0, pos);
  }

  private Object element(long i) {
    return switch (dtype) {
      case FLOAT16, BFLOAT16, FLOAT32 -> getFloat(i);
      case FLOAT64 -> getDouble(i);
      case INT8 -> (byte) getLong(i);
      case INT16 -> (short) getLong(i);
      case INT32, UINT8, UINT16 -> (int) getLong(i);
      case INT64, UINT32, UINT64 -> getLong(i);
      case BOOL -> getBoolean(i);
      case STRING -> getBytes(i);
    };
  }

  private Object nest(int depth, long[] pos) {
    int len = Math.toIntExact(shape[depth]);
    Class<?> c = carrier(dtype);
    for (int k = depth + 1; k < shape.length; k++) {
      c = c.arrayType();
    }
    Object a = Array.newInstance(c, len);
    for (int i = 0; i < len; i++) {
      Array.set(a, i, depth == shape.length - 1 ? element(pos[0]++) : nest(depth + 1, pos));
    }
    return a;
  }

  /**
   * All values, row-major, of a float16, bfloat16 or float32 tensor of any rank.
   *
   * @return the values
   * @throws WrongTypeException for other dtypes
   */
  public float[] floats() {
    want(float.class, -1, "float[]");
    float[] out = new float[(int) size];
    for (int i = 0; i < out.length; i++) {
      out[i] = getFloat(i);
    }
    return out;
  }

  /**
   * A float16, bfloat16 or float32 matrix.
   *
   * @return the rows
   * @throws WrongTypeException for other dtypes or ranks
   */
  public float[][] floats2d() {
    want(float.class, 2, "float[][]");
    return (float[][]) toArray();
  }

  /**
   * A float16, bfloat16 or float32 tensor of rank 3.
   *
   * @return the values
   * @throws WrongTypeException for other dtypes or ranks
   */
  public float[][][] floats3d() {
    want(float.class, 3, "float[][][]");
    return (float[][][]) toArray();
  }

  /**
   * All values, row-major, of a float64 tensor of any rank.
   *
   * @return the values
   * @throws WrongTypeException for other dtypes
   */
  public double[] doubles() {
    want(double.class, -1, "double[]");
    double[] out = new double[(int) size];
    buf.asDoubleBuffer().get(0, out);
    return out;
  }

  /**
   * A float64 matrix.
   *
   * @return the rows
   * @throws WrongTypeException for other dtypes or ranks
   */
  public double[][] doubles2d() {
    want(double.class, 2, "double[][]");
    return (double[][]) toArray();
  }

  /**
   * All values, row-major, of an int32, uint8 or uint16 tensor of any rank.
   *
   * @return the values
   * @throws WrongTypeException for other dtypes
   */
  public int[] ints() {
    want(int.class, -1, "int[]");
    int[] out = new int[(int) size];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) getLong(i);
    }
    return out;
  }

  /**
   * An int32, uint8 or uint16 matrix.
   *
   * @return the rows
   * @throws WrongTypeException for other dtypes or ranks
   */
  public int[][] ints2d() {
    want(int.class, 2, "int[][]");
    return (int[][]) toArray();
  }

  /**
   * All values, row-major, of an int64, uint32 or uint64 (its bits) tensor of any rank.
   *
   * @return the values
   * @throws WrongTypeException for other dtypes
   */
  public long[] longs() {
    want(long.class, -1, "long[]");
    long[] out = new long[(int) size];
    for (int i = 0; i < out.length; i++) {
      out[i] = getLong(i);
    }
    return out;
  }

  /**
   * An int64, uint32 or uint64 matrix.
   *
   * @return the rows
   * @throws WrongTypeException for other dtypes or ranks
   */
  public long[][] longs2d() {
    want(long.class, 2, "long[][]");
    return (long[][]) toArray();
  }

  /**
   * All values, row-major, of a bool tensor of any rank.
   *
   * @return the values
   * @throws WrongTypeException for other dtypes
   */
  public boolean[] booleans() {
    want(boolean.class, -1, "boolean[]");
    boolean[] out = new boolean[(int) size];
    for (int i = 0; i < out.length; i++) {
      out[i] = data[i] != 0;
    }
    return out;
  }

  /**
   * All elements, row-major, of a string tensor of any rank (shared, not copied).
   *
   * @return one byte array per element
   * @throws WrongTypeException for other dtypes
   */
  public byte[][] strings() {
    want(byte[].class, -1, "byte[][]");
    return strings.clone();
  }

  @Override
  public String toString() {
    return "'" + key + "': " + dtype.label() + " " + Arrays.toString(shape);
  }
}
