package org.rnnport.predict;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.TensorIoException;
import org.rnnport.tensorio.batch.BatchTensors;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.batch.ColumnBuilder;
import org.rnnport.tensorio.batch.ValueException;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;

/**
 * One signature input as predict feeds it: its key, dtype and shape ({@code null}: unknown rank;
 * {@code -1}: unknown dimension). Rows of any layout with the right number of values are
 * reshaped to what the signature says (a flat 784-value row feeds {@code [-1, 28, 28]}).
 */
public record InputBinding(String key, DType dtype, long[] shape) {
  /** The shape of one row as the signature gives it, or null for unknown rank. */
  public long[] rowShape() {
    return shape == null || shape.length == 0 ? null : Arrays.copyOfRange(shape, 1, shape.length);
  }

  /** The row size if the signature fixes it, else -1. */
  public long fixedRowSize() {
    long[] r = rowShape();
    if (r == null) {
      return -1;
    }
    long n = 1;
    for (long d : r) {
      if (d < 0) {
        return -1;
      }
      n *= d;
    }
    return n;
  }

  /**
   * The row shape to feed for rows of {@code srcShape} (the layout the file has).
   *
   * @throws InputException naming the file, row and key, if the values cannot take the signature's shape
   */
  public long[] resolveRowShape(long[] srcShape, Path file, String where) {
    long[] want = rowShape();
    long n = Column.size(srcShape);
    if (shape != null && shape.length == 0) {
      throw new InputException(file, where, key, "the signature's input is a scalar (shape []), which has no batch "
          + "dimension to feed rows into");
    }
    if (want == null) {
      return srcShape;
    }
    long fixed = fixedRowSize();
    if (fixed >= 0) {
      if (fixed != n) {
        throw new InputException(file, where, key, "shape mismatch: a row has " + n + " values "
            + Arrays.toString(srcShape) + ", the signature expects rows of " + Arrays.toString(want) + " (" + fixed
            + " values; signature shape " + Arrays.toString(shape) + ")");
      }
      return want;
    }
    if (srcShape.length == want.length) {
      boolean ok = true;
      for (int i = 0; i < want.length; i++) {
        ok &= want[i] < 0 || want[i] == srcShape[i];
      }
      if (ok) {
        return srcShape;
      }
    }
    int unknown = -1;
    long known = 1;
    for (int i = 0; i < want.length; i++) {
      if (want[i] < 0) {
        if (unknown >= 0) {
          unknown = -2;
          break;
        }
        unknown = i;
      } else {
        known *= want[i];
      }
    }
    if (unknown >= 0 && known > 0 && n % known == 0) {
      long[] r = want.clone();
      r[unknown] = n / known;
      return r;
    }
    throw new InputException(file, where, key, "shape mismatch: a row of " + Arrays.toString(srcShape)
        + " cannot feed the signature's " + Arrays.toString(shape));
  }

  /**
   * A tensor of this input's dtype from a column (rows reshaped to {@code rowShape}); float32 and float64 inputs are
   * multiplied by {@code scale} (1 for none; numpy's float multiply: uint8 pixels {@code .astype(float32) * scale}).
   * A column of another dtype is converted exactly or refused (tensor I/O's {@link ColumnBuilder}: uint8 255 feeds
   * a float32 255, int64 2^53+1 does not feed a float64); float data never feeds an integer or bool input. A
   * {@link Column.Native} column is consumed: its tensor is returned, or closed after conversion.
   *
   * @throws InputException naming the file, rows and key for a value the input's dtype cannot hold, or a dtype TF
   *     Java has no tensor for
   */
  public Tensor tensor(Column c, long[] rowShape, double scale, Path file, String where) {
    long[] full = new long[rowShape.length + 1];
    full[0] = c.rows();
    System.arraycopy(rowShape, 0, full, 1, rowShape.length);
    Shape s = Shape.of(full);
    if (c.data() instanceof Column.Native n) {
      // the reader filled this tensor: it is fed as is when nothing is to change, else its values
      // are converted like any column's and it is closed
      if (c.dtype() == dtype && (scale == 1 || !dtype.floating()) && n.tensor().shape().equals(s)) {
        return n.tensor();
      }
      try {
        c = c.onHeap();
      } finally {
        n.tensor().close();
      }
    }
    if ((dtype.integral() || dtype == DType.BOOL) && c.dtype().floating()) {
      throw new InputException(file, where, key, "dtype mismatch: the data is " + c.dtype().label()
          + ", the signature expects " + dtype.tfName() + " (" + (dtype == DType.BOOL ? "bools" : "integers") + ")");
    }
    try {
      Column fed;
      if (scale != 1 && (dtype == DType.FLOAT32 || dtype == DType.FLOAT64)) {
        fed = scaled(c, rowShape, scale);
      } else if (c.dtype() == dtype) {
        fed = new Column(dtype, rowShape, c.rows(), c.data());
      } else {
        ColumnBuilder b = new ColumnBuilder(dtype, c.size());
        b.addAll(c);
        fed = b.toColumn(rowShape, c.rows());
      }
      return BatchTensors.tensor(fed, key);
    } catch (ValueException | TensorIoException e) {
      throw new InputException(file, where, key, e.getMessage());
    }
  }

  /** The values times {@code scale}: a float32 multiply for a float32 input (numpy's), a float64 one for float64. */
  private Column scaled(Column c, long[] rowShape, double scale) {
    int n = c.size();
    ByteBuffer out = ByteBuffer.allocate(n * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    boolean f32 = dtype == DType.FLOAT32;
    float sc = (float) scale;
    for (int i = 0; i < n; i++) {
      if (f32) {
        float v = c.dtype() == DType.FLOAT64 ? (float) (c.getDouble(i) * scale)
            : (c.dtype().floating() ? c.getFloat(i) : (float) c.getLong(i)) * sc;
        out.putFloat(v);
      } else {
        out.putDouble(c.getDouble(i) * scale);
      }
    }
    return new Column(dtype, rowShape, c.rows(), out.array());
  }
}
