package org.rnnport.tensorio.batch;

import java.util.Arrays;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.tensorflow.Tensor;

/**
 * A {@link Column} as the batch tensor it feeds, and a batch tensor (a signature's output) as a column: one copy each
 * way, through {@link HostTensor}, the one place where Java values and tensors meet.
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
}
