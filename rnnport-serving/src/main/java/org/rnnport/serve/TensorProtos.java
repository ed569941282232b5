package org.rnnport.serve;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.Tensor;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * TF Serving's {@code TensorProto} (the {@code org.tensorflow.framework} classes of its gRPC API) to
 * TF Java tensors and back, in every encoding a client may use: {@code tensor_content} or the typed
 * value lists ({@code float_val}, {@code int_val}, ...; fewer values than elements repeat the last,
 * as TensorFlow does). TF Java's own protos ({@code org.tensorflow.proto}) are other classes of the
 * same messages: {@link #toServing} and {@link #toTfJava} convert through their bytes.
 */
final class TensorProtos {
  private TensorProtos() {}

  /** A TF Java message as the same message of TF Serving's classes (or the other way), through its bytes. */
  static <T extends com.google.protobuf.Message> T convert(com.google.protobuf.MessageLite from, com.google.protobuf.Parser<T> to) {
    try {
      return to.parseFrom(from.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot convert " + from.getClass().getName() + ": " + e.getMessage(), e);
    }
  }

  static org.tensorflow.framework.SignatureDef toServing(org.tensorflow.proto.SignatureDef s) {
    return convert(s, org.tensorflow.framework.SignatureDef.parser());
  }

  static org.tensorflow.proto.TensorProto toTfJava(TensorProto p) {
    return convert(p, org.tensorflow.proto.TensorProto.parser());
  }

  private static int elementBytes(DataType dt) {
    return switch (dt) {
      case DT_FLOAT, DT_INT32 -> 4;
      case DT_DOUBLE, DT_INT64 -> 8;
      case DT_UINT8, DT_BOOL -> 1;
      case DT_HALF -> 2;
      default -> -1;
    };
  }

  /** Bytes a TF string element costs beyond its own bytes (TensorFlow's tstring). */
  static final int STRING_OVERHEAD = 24;

  /**
   * Admission of a request's tensors before anything is allocated: each proto's dtype is a
   * TensorFlow DataType, its dims are non-negative and their product fits an int64 (else
   * INVALID_ARGUMENT); the rows (the largest first dimension, as {@code validate} counts them) are
   * at most {@code maxRows}, and the bytes the tensors will take (elements times the dtype's size;
   * strings by their bytes, the last value repeated as TensorFlow repeats it, plus
   * {@link #STRING_OVERHEAD} each) at most {@code maxBytes} (else RESOURCE_EXHAUSTED, "too large").
   * Reads only the protos' headers and string lengths. Returns the bytes.
   */
  static long admit(java.util.Map<String, TensorProto> in, long maxBytes, long maxRows) {
    long total = 0;
    long rows = -1;
    for (java.util.Map.Entry<String, TensorProto> e : in.entrySet()) {
      String key = e.getKey();
      TensorProto p = e.getValue();
      long[] shape = shape(key, p.getTensorShape());
      long n = elements(key, shape);
      if (shape.length > 0) {
        rows = Math.max(rows, shape[0]);
      }
      long bytes;
      DataType dt = dtype(key, p);
      if (dt == DataType.DT_STRING) {
        int count = p.getStringValCount();
        long head = Math.min(Math.max(0, count - 1), n); // values before the last, which repeats
        long sum = 0;
        for (int i = 0; i < head; i++) {
          sum += p.getStringVal(i).size() + STRING_OVERHEAD;
        }
        long last = count == 0 ? 0 : p.getStringVal(count - 1).size();
        bytes = saturatedAdd(sum, saturatedMultiply(n - head, last + STRING_OVERHEAD));
      } else {
        int eb = elementBytes(dt);
        bytes = saturatedMultiply(n, Math.max(1, eb));
      }
      total = saturatedAdd(total, bytes);
    }
    if (rows > maxRows) {
      throw ServingException.tooLarge(rows + " rows is more than the limit of " + maxRows + " per call");
    }
    if (total > maxBytes) {
      throw ServingException.tooLarge("the request's tensors would take " + total + " bytes, more than the limit of "
          + maxBytes + " (--max-body-bytes)");
    }
    return total;
  }

  private static long saturatedMultiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedAdd(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The element count of a shape; INVALID_ARGUMENT when it overflows an int64. */
  private static long elements(String key, long[] shape) {
    long n = 1;
    for (long d : shape) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw ServingException.invalid("input '" + key + "': shape " + java.util.Arrays.toString(shape)
            + " has more elements than an int64 holds");
      }
    }
    return n;
  }

  /** The proto's dtype; INVALID_ARGUMENT for an enum value that is no TensorFlow DataType (e.g. 999). */
  private static DataType dtype(String key, TensorProto p) {
    DataType dt = p.getDtype();
    if (dt == DataType.UNRECOGNIZED || dt == DataType.DT_INVALID) {
      throw ServingException.invalid("input '" + key + "': dtype " + p.getDtypeValue() + " is not a TensorFlow DataType");
    }
    return dt;
  }

  /** A tensor from a request's proto; {@code key} names it in errors (INVALID_ARGUMENT). */
  static Tensor toTensor(String key, TensorProto p) {
    long[] shape = shape(key, p.getTensorShape());
    long n = elements(key, shape);
    DataType dt = dtype(key, p);
    if (dt == DataType.DT_STRING) {
      return strings(key, p, shape, n);
    }
    int eb = elementBytes(dt);
    Class<? extends TType> type = TensorRows.typeOf(org.tensorflow.proto.DataType.forNumber(dt.getNumber()));
    if (eb < 0 || type == null) {
      throw ServingException.invalid("input '" + key + "': dtype " + dt + " is not supported");
    }
    if (saturatedMultiply(n, eb) > Integer.MAX_VALUE) {
      throw ServingException.tooLarge("input '" + key + "': " + n + " elements is too large");
    }
    byte[] bytes = new byte[(int) (n * eb)];
    if (!p.getTensorContent().isEmpty()) {
      if (p.getTensorContent().size() != bytes.length) {
        throw ServingException.invalid("input '" + key + "': tensor_content has " + p.getTensorContent().size()
            + " bytes, shape " + java.util.Arrays.toString(shape) + " of " + dt + " needs " + bytes.length);
      }
      p.getTensorContent().copyTo(bytes, 0);
    } else {
      ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
      switch (dt) {
        case DT_FLOAT -> fill(key, n, p.getFloatValCount(), i -> b.putFloat(p.getFloatVal(i)));
        case DT_DOUBLE -> fill(key, n, p.getDoubleValCount(), i -> b.putDouble(p.getDoubleVal(i)));
        case DT_INT32 -> fill(key, n, p.getIntValCount(), i -> b.putInt(p.getIntVal(i)));
        case DT_UINT8 -> fill(key, n, p.getIntValCount(), i -> b.put((byte) p.getIntVal(i)));
        case DT_HALF -> fill(key, n, p.getHalfValCount(), i -> b.putShort((short) p.getHalfVal(i)));
        case DT_INT64 -> fill(key, n, p.getInt64ValCount(), i -> b.putLong(p.getInt64Val(i)));
        case DT_BOOL -> fill(key, n, p.getBoolValCount(), i -> b.put((byte) (p.getBoolVal(i) ? 1 : 0)));
        default -> throw ServingException.invalid("input '" + key + "': dtype " + dt + " is not supported");
      }
    }
    return Tensor.of(type, Shape.of(shape), DataBuffers.of(bytes, true, false));
  }

  /** Writes {@code n} elements from {@code count} values; fewer repeat the last (TensorFlow's rule), none is zeros. */
  private static void fill(String key, long n, int count, java.util.function.IntConsumer put) {
    if (count > n) {
      throw ServingException.invalid("input '" + key + "': " + count + " values for " + n + " elements");
    }
    if (count == 0) {
      return; // TensorFlow fills a proto without values with zeros (the buffer is zeros already)
    }
    for (long i = 0; i < n; i++) {
      put.accept((int) Math.min(i, count - 1));
    }
  }

  private static Tensor strings(String key, TensorProto p, long[] shape, long n) {
    int count = p.getStringValCount();
    if (count != n && !(count == 1 && n >= 1)) {
      throw ServingException.invalid("input '" + key + "': " + count + " strings for " + n + " elements");
    }
    NdArray<byte[]> a = NdArrays.ofObjects(byte[].class, Shape.of(shape));
    long[] i = {0};
    a.scalars().forEach(s -> s.setObject(p.getStringVal((int) Math.min(i[0]++, count - 1)).toByteArray()));
    return TString.tensorOfBytes(a);
  }

  private static long[] shape(String key, TensorShapeProto s) {
    if (s.getUnknownRank()) {
      throw ServingException.invalid("input '" + key + "': a tensor needs a known shape");
    }
    long[] out = new long[s.getDimCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.getDim(i).getSize();
      if (out[i] < 0) {
        throw ServingException.invalid("input '" + key + "': dimension " + i + " is " + out[i]);
      }
    }
    return out;
  }

  /** A tensor as TF Serving answers it (tensor_content for numbers, string_val for strings). */
  static TensorProto toProto(Tensor t) {
    TensorProto.Builder b = TensorProto.newBuilder().setDtype(DataType.forNumber(t.dataType().getNumber()));
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : t.shape().asArray()) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    b.setTensorShape(s);
    if (t instanceof TString str) {
      str.asBytes().scalars().forEach(x -> b.addStringVal(ByteString.copyFrom(x.getObject())));
    } else {
      byte[] bytes = new byte[Math.toIntExact(t.numBytes())];
      t.asRawTensor().data().read(bytes);
      b.setTensorContent(ByteString.copyFrom(bytes));
    }
    return b.build();
  }

  /** The named input tensors of a request's proto map, for a signature (the caller closes them). */
  static org.rnnport.predictor.NamedTensors inputs(SignatureSpec sig, java.util.Map<String, TensorProto> in) {
    if (!in.keySet().equals(sig.inputs().keySet())) {
      java.util.Set<String> extra = new java.util.TreeSet<>(in.keySet());
      extra.removeAll(sig.inputs().keySet());
      java.util.Set<String> missing = new java.util.TreeSet<>(sig.inputs().keySet());
      missing.removeAll(in.keySet());
      throw ServingException.invalid("input size does not match signature: " + in.size() + "!=" + sig.inputs().size()
          + " len({" + String.join(",", new java.util.TreeSet<>(in.keySet())) + "}) != len({"
          + String.join(",", sig.inputs().keySet()) + "}). Sent extra: {" + String.join(",", extra)
          + "}. Missing but required: {" + String.join(",", missing) + "}.");
    }
    org.rnnport.predictor.NamedTensors out = new org.rnnport.predictor.NamedTensors();
    try {
      for (String k : List.copyOf(sig.inputs().keySet())) {
        out.put(k, toTensor(k, in.get(k)));
      }
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }
}
