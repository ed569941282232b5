package org.rnnport.serve;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.RawTensor;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.rnnport.tensorio.DType;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.family.TType;

/**
 * Rows of fixed-size tensors, through their raw bytes: concatenating requests along the batch
 * dimension, slicing a batch's outputs back into each request's rows, padding to an allowed batch
 * size. Strings (variable-size) are not handled here: {@link #fixedSize} says which tensors are.
 */
final class TensorRows {
  private TensorRows() {}

  /** The TF Java class of a fixed-size dtype, or null (strings, resources, dtypes TF Java has no class for). */
  static Class<? extends TType> typeOf(DataType dt) {
    DType d = DType.of(dt);
    return d == null || d == DType.STRING ? null : d.tensorType();
  }

  static boolean fixedSize(Tensor t) {
    return typeOf(t.dataType()) != null;
  }

  /** The bytes of one row (all dimensions but the first). */
  static long rowBytes(Tensor t) {
    long rows = t.shape().size(0);
    return rows == 0 ? 0 : t.numBytes() / rows;
  }

  /**
   * The tensors concatenated along dimension 0, plus {@code padRows} zero rows (all of one dtype
   * and per-row shape; the caller checked).
   */
  static Tensor concat(List<Tensor> parts, long padRows) {
    Tensor first = parts.get(0);
    long[] shape = first.shape().asArray();
    long rows = padRows;
    for (Tensor t : parts) {
      rows += t.shape().size(0);
    }
    shape[0] = rows;
    long total = 0;
    for (Tensor t : parts) {
      total += t.numBytes();
    }
    long per = rowBytes(first);
    byte[] all = new byte[Math.toIntExact(total + per * padRows)];
    int off = 0;
    for (Tensor t : parts) {
      ByteDataBuffer b = t.asRawTensor().data();
      int n = Math.toIntExact(t.numBytes());
      b.read(all, off, n);
      off += n;
    }
    return Tensor.of(typeOf(first.dataType()), Shape.of(shape), DataBuffers.of(all, true, false));
  }

  /** Rows {@code [from, from + n)} of a tensor as a new tensor; a rank-0 output is copied whole. */
  static Tensor slice(Tensor t, long from, long n) {
    Class<? extends TType> type = typeOf(t.dataType());
    if (type == null) {
      throw new IllegalArgumentException("cannot slice a " + t.dataType() + " tensor");
    }
    RawTensor raw = t.asRawTensor();
    long[] shape = t.shape().asArray();
    if (shape.length == 0) {
      byte[] b = new byte[Math.toIntExact(t.numBytes())];
      raw.data().read(b);
      return Tensor.of(type, Shape.scalar(), DataBuffers.of(b, true, false));
    }
    long per = rowBytes(t);
    byte[] b = new byte[Math.toIntExact(per * n)];
    raw.data().offset(per * from).read(b);
    long[] s = Arrays.copyOf(shape, shape.length);
    s[0] = n;
    return Tensor.of(type, Shape.of(s), DataBuffers.of(b, true, false));
  }

  /**
   * The tensor padded in every dimension but the first to {@code rowShape} (each at least the
   * tensor's), with its first element as the padding value (TF Serving's pad_variable_length_inputs).
   */
  static Tensor padTo(Tensor t, long[] rowShape) {
    long[] src = t.shape().asArray();
    long rows = src[0];
    long[] dst = new long[src.length];
    dst[0] = rows;
    System.arraycopy(rowShape, 0, dst, 1, rowShape.length);
    long n = t.shape().size();
    int eb = n == 0 ? 1 : (int) (t.numBytes() / n);
    byte[] in = new byte[Math.toIntExact(t.numBytes())];
    t.asRawTensor().data().read(in);
    long total = 1;
    for (long d : dst) {
      total *= d;
    }
    byte[] out = new byte[Math.toIntExact(total * eb)];
    if (n > 0) {
      for (int i = 0; i < out.length; i += eb) {
        System.arraycopy(in, 0, out, i, eb); // the padding value: the first element
      }
    }
    copy(in, src, out, dst, 0, 0, 0, eb);
    return Tensor.of(typeOf(t.dataType()), Shape.of(dst), DataBuffers.of(out, true, false));
  }

  private static void copy(byte[] in, long[] s, byte[] out, long[] d, int dim, long inOff, long outOff, int eb) {
    long inStride = eb;
    long outStride = eb;
    for (int k = dim + 1; k < s.length; k++) {
      inStride *= s[k];
      outStride *= d[k];
    }
    if (dim == s.length - 1) {
      System.arraycopy(in, (int) inOff, out, (int) outOff, (int) (s[dim] * eb));
      return;
    }
    for (long i = 0; i < s[dim]; i++) {
      copy(in, s, out, d, dim + 1, inOff + i * inStride, outOff + i * outStride, eb);
    }
  }

  /** The per-row shape of a tensor (its shape without dimension 0). */
  static long[] rowShape(Tensor t) {
    long[] s = t.shape().asArray();
    return s.length == 0 ? s : Arrays.copyOfRange(s, 1, s.length);
  }
}
