package org.rnnport.tensorio.proto;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.Shapes;
import org.rnnport.tensorio.TensorIoException;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * {@code TensorProto} (TF Java's {@code org.tensorflow.proto} classes) to and from {@link HostTensor}.
 *
 * <p>Reading follows TensorFlow's {@code Tensor::FromProto}: {@code tensor_content} when it is not empty (it must be
 * exactly the shape's bytes), else the dtype's typed field ({@code float_val}, {@code double_val}, {@code int_val}
 * for int8/int16/int32/uint8/uint16, {@code int64_val}, {@code uint32_val}, {@code uint64_val}, {@code bool_val},
 * {@code string_val}, {@code half_val} for float16 and bfloat16); fewer values than elements repeat the last one
 * (one value broadcasts to the whole shape), none gives zeros. Unlike TensorFlow, more values than elements and an
 * {@code int_val} out of the dtype's range are refused, not cut. Every error is a {@link TensorIoException} naming
 * the key, thrown before anything of the tensor's size is allocated.
 */
public final class TensorProtoCodec {
  private TensorProtoCodec() {}

  /**
   * The dtype of a proto, or an error naming the key (an unknown enum such as 999, DT_RESOURCE, DT_VARIANT, a
   * reference dtype).
   *
   * @param key the input key
   * @param p the proto
   * @return the dtype
   */
  public static DType dtype(String key, TensorProto p) {
    int n = p.getDtypeValue();
    DType d = DType.ofNumber(n);
    if (d == null) {
      DataType e = DataType.forNumber(n);
      throw TensorIoException.input(key, "dtype " + (e == null ? "enum " + n + " is not a TensorFlow dtype"
          : e.name() + " cannot be sent as a value (rnnport carries float16, bfloat16, float32, float64, int8, int16, "
          + "int32, int64, uint8, uint16, uint32, uint64, bool, string)"));
    }
    return d;
  }

  /**
   * The fully defined shape of a proto.
   *
   * @param key the input key
   * @param s the shape proto
   * @return the dimensions
   * @throws TensorIoException naming the key for an unknown rank or a negative dimension
   */
  public static long[] shape(String key, TensorShapeProto s) {
    if (s.getUnknownRank()) {
      throw TensorIoException.input(key, "a tensor value needs a known shape (unknown_rank is set)");
    }
    long[] out = new long[s.getDimCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.getDim(i).getSize();
    }
    Shapes.count(key, out); // negative dimensions and overflow
    return out;
  }

  /**
   * The bytes the decoded tensor will take (element count times element size; for strings the bytes of the
   * strings, a broadcast one counted once per element), without decoding anything: what a server compares with its
   * request limit before it decodes.
   *
   * @param key the input key
   * @param p the proto
   * @return the byte count
   * @throws TensorIoException naming the key for a bad dtype or shape, or an overflowing count
   */
  public static long byteSize(String key, TensorProto p) {
    DType d = dtype(key, p);
    long[] shape = shape(key, p.getTensorShape());
    if (d != DType.STRING) {
      return Shapes.bytes(key, d, shape);
    }
    long n = Shapes.count(key, shape);
    int c = p.getStringValCount();
    if (c == 0 || n == 0) {
      return 0;
    }
    long total = 0;
    for (int i = 0; i < Math.min(c, n); i++) {
      total += p.getStringVal(i).size();
    }
    if (c < n) {
      try {
        total = Math.addExact(total, Math.multiplyExact(n - c, (long) p.getStringVal(c - 1).size()));
      } catch (ArithmeticException e) {
        throw TensorIoException.input(key, "the strings take more than 2^63 - 1 bytes");
      }
    }
    return total;
  }

  /**
   * Decodes a proto.
   *
   * @param key the input key, for errors
   * @param p the proto
   * @return its values
   * @throws TensorIoException naming the key for anything TensorFlow would refuse, and more values than elements
   */
  public static HostTensor decode(String key, TensorProto p) {
    DType d = dtype(key, p);
    long[] shape = shape(key, p.getTensorShape());
    long n = Shapes.count(key, shape);
    if (d == DType.STRING) {
      if (!p.getTensorContent().isEmpty()) {
        throw TensorIoException.input(key, "a string tensor carries its values in string_val, not tensor_content");
      }
      int c = p.getStringValCount();
      checkCount(key, d, shape, n, c);
      Shapes.checkCarried(key, d, shape, n > Shapes.MAX_BYTES ? n : n * 8);
      byte[][] v = new byte[(int) n][];
      for (int i = 0; i < n; i++) {
        v[i] = c == 0 ? new byte[0] : p.getStringVal((int) Math.min(i, c - 1L)).toByteArray();
      }
      return HostTensor.ofStrings(key, shape, v);
    }
    long bytes = Shapes.bytes(key, d, shape);
    ByteString content = p.getTensorContent();
    if (!content.isEmpty()) {
      if (content.size() != bytes) {
        throw TensorIoException.input(key, "tensor_content has " + content.size() + " bytes; a " + d.label()
            + " tensor of shape " + Arrays.toString(shape) + " has " + bytes);
      }
      return HostTensor.ofBytes(key, d, shape, content.toByteArray());
    }
    int c = typedCount(d, p);
    checkCount(key, d, shape, n, c);
    Shapes.checkCarried(key, d, shape, bytes);
    HostTensor t = HostTensor.zeros(key, d, shape);
    if (c == 0) {
      return t;
    }
    // read each given value once (range checks), then repeat the last over the rest
    for (int i = 0; i < c && i < n; i++) {
      t.setBits(i, typedBits(key, d, p, i));
    }
    if (c < n) {
      long last = t.getBits(c - 1);
      for (long i = c; i < n; i++) {
        t.setBits(i, last);
      }
    }
    return t;
  }

  private static void checkCount(String key, DType d, long[] shape, long n, int c) {
    if (c > n) {
      throw TensorIoException.input(key, c + " " + field(d) + " values for a tensor of shape " + Arrays.toString(shape)
          + " (" + n + " elements)");
    }
  }

  /**
   * The typed field a dtype's values go in.
   *
   * @param d the dtype
   * @return {@code float_val}, {@code int_val}, ...
   */
  public static String field(DType d) {
    return switch (d) {
      case FLOAT16, BFLOAT16 -> "half_val";
      case FLOAT32 -> "float_val";
      case FLOAT64 -> "double_val";
      case INT8, INT16, INT32, UINT8, UINT16 -> "int_val";
      case INT64 -> "int64_val";
      case UINT32 -> "uint32_val";
      case UINT64 -> "uint64_val";
      case BOOL -> "bool_val";
      case STRING -> "string_val";
    };
  }

  private static int typedCount(DType d, TensorProto p) {
    return switch (d) {
      case FLOAT16, BFLOAT16 -> p.getHalfValCount();
      case FLOAT32 -> p.getFloatValCount();
      case FLOAT64 -> p.getDoubleValCount();
      case INT8, INT16, INT32, UINT8, UINT16 -> p.getIntValCount();
      case INT64 -> p.getInt64ValCount();
      case UINT32 -> p.getUint32ValCount();
      case UINT64 -> p.getUint64ValCount();
      case BOOL -> p.getBoolValCount();
      case STRING -> p.getStringValCount();
    };
  }

  private static long typedBits(String key, DType d, TensorProto p, int i) {
    switch (d) {
      case FLOAT16, BFLOAT16 -> {
        int h = p.getHalfVal(i);
        if (h < 0 || h > 0xffff) {
          throw TensorIoException.input(key, "half_val[" + i + "] = " + h + " is not 16 bits");
        }
        return h;
      }
      case FLOAT32 -> {
        return Float.floatToRawIntBits(p.getFloatVal(i)) & 0xffffffffL;
      }
      case FLOAT64 -> {
        return Double.doubleToRawLongBits(p.getDoubleVal(i));
      }
      case INT8, INT16, INT32, UINT8, UINT16 -> {
        int v = p.getIntVal(i);
        if (v < HostTensor.min(d) || v > HostTensor.max(d)) {
          throw TensorIoException.input(key, "int_val[" + i + "] = " + v + " is out of range for " + d.label());
        }
        return v;
      }
      case INT64 -> {
        return p.getInt64Val(i);
      }
      case UINT32 -> {
        return p.getUint32Val(i) & 0xffffffffL;
      }
      case UINT64 -> {
        return p.getUint64Val(i);
      }
      case BOOL -> {
        return p.getBoolVal(i) ? 1 : 0;
      }
      default -> throw new IllegalStateException(d.name());
    }
  }

  /**
   * Encodes a tensor, as TF Serving's Predict answers: typed fields ({@code AsProtoField}, the default), or
   * {@code tensor_content} ({@code AsProtoTensorContent}, TF Serving's
   * {@code --enable_serialization_as_tensor_content}); strings always go in {@code string_val}.
   *
   * @param t the values
   * @param tensorContent true for {@code tensor_content}
   * @return the proto
   */
  public static TensorProto encode(HostTensor t, boolean tensorContent) {
    DType d = t.dtype();
    TensorProto.Builder b = TensorProto.newBuilder().setDtype(d.proto());
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long x : t.shape()) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(x));
    }
    b.setTensorShape(s);
    long n = t.size();
    if (d == DType.STRING) {
      for (long i = 0; i < n; i++) {
        b.addStringVal(ByteString.copyFrom(t.getBytes(i)));
      }
      return b.build();
    }
    if (tensorContent) {
      return b.setTensorContent(ByteString.copyFrom(t.littleEndianBytes())).build();
    }
    for (long i = 0; i < n; i++) {
      long bits = t.getBits(i);
      switch (d) {
        case FLOAT16, BFLOAT16 -> b.addHalfVal((int) bits);
        case FLOAT32 -> b.addFloatVal(Float.intBitsToFloat((int) bits));
        case FLOAT64 -> b.addDoubleVal(Double.longBitsToDouble(bits));
        case INT8, INT16, INT32, UINT8, UINT16 -> b.addIntVal((int) t.getLong(i));
        case INT64 -> b.addInt64Val(bits);
        case UINT32 -> b.addUint32Val((int) bits);
        case UINT64 -> b.addUint64Val(bits);
        case BOOL -> b.addBoolVal(bits != 0);
        default -> throw new IllegalStateException(d.name());
      }
    }
    return b.build();
  }
}
