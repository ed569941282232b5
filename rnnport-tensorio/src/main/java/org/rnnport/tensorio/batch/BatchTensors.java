package org.rnnport.tensorio.batch;

import java.util.Arrays;
import java.util.List;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.tensorflow.Tensor;

/**
 * A {@link Column} as the batch tensor it feeds, and a batch tensor (a signature's output) as a column: one copy each
 * way, through {@link HostTensor}, the one place where Java values and tensors meet. Also tensors of several requests
 * as one batch tensor ({@link #concat}) and a batch tensor's rows back as a request's ({@link #slice}), for serving's
 * batching.
 */
public final class BatchTensors {
  private BatchTensors() {}

  /**
   * The batch tensor of {@code c}, shape {@code [rows] + rowShape}; the caller closes it. A {@link Column.Native}
   * column's own tensor is handed over as it is (the column no longer owns it).
   *
   * @param key the input key, for errors
   * @throws org.rnnport.tensorio.TensorIoException naming the key for a dtype TF Java cannot make a tensor of
   * @param c the column
   * @return the batch tensor of c, shape [rows] + rowShape; the caller closes it
   */
  public static Tensor tensor(Column c, String key) {
    if (c.data() instanceof Column.Native n) {
      return n.tensor();
    }
    return c.toHost(key).toTensor();
  }

  /**
   * The values of a batch tensor of {@code rows} rows as a column (a copy; the tensor is not closed).
   *
   * @param key the output key, for errors
   * @throws IllegalStateException if the tensor's first dimension is not {@code rows}
   * @throws org.rnnport.tensorio.TensorIoException naming the key for a dtype rnnport does not carry
   * @param t the tensor (not closed)
   * @param rows the row count
   * @return the values of a batch tensor of rows rows as a column (a copy; the tensor is not closed)
   */
  public static Column column(Tensor t, String key, int rows) {
    long[] full = t.shape().asArray();
    if (full.length == 0 || full[0] != rows) {
      throw new IllegalStateException("output '" + key + "' has shape " + Arrays.toString(full) + ", not one row per "
          + "input row (" + rows + ")");
    }
    long[] rowShape = Arrays.copyOfRange(full, 1, full.length);
    HostTensor h = HostTensor.of(key, t);
    Object data = h.dtype() == DType.STRING ? h.strings() : h.littleEndianBytes();
    return new Column(h.dtype(), rowShape, rows, data);
  }

  /**
   * The rows of several batch tensors of one dtype and row shape, one after another, then {@code padRows} rows of
   * zeros (empty strings): a new tensor (serving's batching of several requests into one call). Fixed-size dtypes are
   * copied once, from each tensor's memory into the new tensor's bytes.
   *
   * @param parts the tensors (not closed), each of rank 1 or more
   * @param padRows zero rows to add at the end
   * @param key the input key, for errors
   * @return the batch tensor; the caller closes it
   * @throws IllegalArgumentException if the parts differ in dtype or row shape
   * @throws org.rnnport.tensorio.TensorIoException naming the key for a dtype TF Java cannot make a tensor of
   */
  public static Tensor concat(List<Tensor> parts, long padRows, String key) {
    Tensor first = parts.get(0);
    DType dtype = DType.of(first.dataType());
    long[] shape = first.shape().asArray();
    long rows = padRows;
    for (Tensor t : parts) {
      long[] s = t.shape().asArray();
      if (DType.of(t.dataType()) != dtype || s.length != shape.length
          || !Arrays.equals(s, 1, s.length, shape, 1, shape.length)) {
        throw new IllegalArgumentException("'" + key + "': cannot batch " + t.dataType() + " " + Arrays.toString(s)
            + " with " + first.dataType() + " " + Arrays.toString(shape));
      }
      rows += s[0];
    }
    shape[0] = rows;
    if (dtype == DType.STRING) {
      byte[][] all = (byte[][]) Column.newData(dtype, Math.toIntExact(rows * Column.size(rowShape(shape))));
      int at = 0;
      for (Tensor t : parts) {
        byte[][] s = HostTensor.of(key, t).strings();
        System.arraycopy(s, 0, all, at, s.length);
        at += s.length;
      }
      return HostTensor.ofStrings(key, shape, all).toTensor();
    }
    long total = 0;
    for (Tensor t : parts) {
      total += t.numBytes();
    }
    long per = rows == padRows ? 0 : total / (rows - padRows);
    byte[] all = new byte[Math.toIntExact(total + per * padRows)];
    int off = 0;
    for (Tensor t : parts) {
      int n = Math.toIntExact(t.numBytes());
      t.asRawTensor().data().read(all, off, n);
      off += n;
    }
    return HostTensor.ofBytes(key, dtype, shape, all).toTensor();
  }

  /**
   * Rows {@code [from, from + n)} of a batch tensor as a new tensor (a rank-0 tensor is copied whole): serving's
   * answer to each request of a batched call. Fixed-size dtypes are copied once.
   *
   * @param t the tensor (not closed)
   * @param from the first row
   * @param n how many rows
   * @param key the output key, for errors
   * @return the rows; the caller closes the tensor
   * @throws org.rnnport.tensorio.TensorIoException naming the key for a dtype rnnport does not carry
   */
  public static Tensor slice(Tensor t, long from, long n, String key) {
    DType dtype = DType.of(t.dataType());
    long[] shape = t.shape().asArray();
    if (dtype == null) {
      throw new org.rnnport.tensorio.TensorIoException(key, "'" + key + "': dtype " + t.dataType()
          + " is not carried by rnnport");
    }
    if (shape.length == 0) {
      return HostTensor.of(key, t).toTensor();
    }
    long per = Column.size(rowShape(shape));
    long[] s = shape.clone();
    s[0] = n;
    if (dtype == DType.STRING) {
      byte[][] all = HostTensor.of(key, t).strings();
      return HostTensor.ofStrings(key, s, Arrays.copyOfRange(all, Math.toIntExact(from * per),
          Math.toIntExact((from + n) * per))).toTensor();
    }
    long bytes = per * dtype.bytes();
    byte[] b = new byte[Math.toIntExact(bytes * n)];
    t.asRawTensor().data().offset(bytes * from).read(b);
    return HostTensor.ofBytes(key, dtype, s, b).toTensor();
  }

  private static long[] rowShape(long[] shape) {
    return Arrays.copyOfRange(shape, 1, shape.length);
  }
}
