package org.rnnport.serve;

import java.util.Arrays;
import java.util.List;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.batch.BatchTensors;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.family.TType;

/**
 * Rows of fixed-size tensors: concatenating requests along the batch dimension and slicing a
 * batch's outputs back into each request's rows (tensor I/O's batcher, {@link BatchTensors}),
 * padding each request to the batch's row shape (TF Serving's {@code pad_variable_length_inputs}). Strings (variable-size) are not handled here: {@link #fixedSize} says which tensors are.
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
   * and per-row shape; the caller checked): tensor I/O's batcher ({@link BatchTensors#concat}).
   */
  static Tensor concat(List<Tensor> parts, long padRows) {
    return BatchTensors.concat(parts, padRows, "batch");
  }

  /**
   * Rows {@code [from, from + n)} of a tensor as a new tensor; a rank-0 output is copied whole
   * (tensor I/O's batcher, {@link BatchTensors#slice}).
   */
  static Tensor slice(Tensor t, long from, long n) {
    if (!fixedSize(t)) {
      throw new IllegalArgumentException("cannot slice a " + t.dataType() + " tensor");
    }
    return BatchTensors.slice(t, from, n, "output");
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
    return HostTensor.ofBytes("batch", DType.of(t.dataType()), dst, out).toTensor();
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
