package org.rnnport.predict;

import java.nio.file.Path;
import java.util.Arrays;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

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
   * A tensor of this input's dtype from a column (rows reshaped to {@code rowShape}); float inputs
   * are multiplied by {@code scale} (1 for none). Integer sources widen; float sources refuse to
   * feed integer inputs; int64 values that do not fit an int32 input are an error. A
   * {@link Column.Native} column is consumed: its tensor is returned, or closed after conversion.
   */
  public Tensor tensor(Column c, long[] rowShape, double scale, Path file, String where) {
    long[] full = new long[rowShape.length + 1];
    full[0] = c.rows();
    System.arraycopy(rowShape, 0, full, 1, rowShape.length);
    Shape s = Shape.of(full);
    if (c.data() instanceof Column.Native n) {
      // the reader filled this tensor: it is fed as is when nothing is to change, else its values
      // are converted like any column's and it is closed
      if (c.dtype() == dtype && scale == 1 && n.tensor().shape().equals(s)) {
        return n.tensor();
      }
      try {
        c = c.onHeap();
      } finally {
        n.tensor().close();
      }
    }
    int n = c.rows() * c.rowSize();
    switch (dtype) {
      case FLOAT32 -> {
        float[] f;
        if (c.dtype() == DType.FLOAT32 && scale == 1) {
          f = (float[]) c.data();
        } else {
          f = new float[n];
          if (c.dtype() == DType.FLOAT32) {
            float[] src = (float[]) c.data();
            float sc = (float) scale;
            for (int i = 0; i < n; i++) {
              f[i] = src[i] * sc;
            }
          } else if (c.dtype().integral()) {
            // numpy: uint8 pixels .astype(float32) * (1.0 / 255.0) is a float32 multiply
            float sc = (float) scale;
            for (int i = 0; i < n; i++) {
              f[i] = (float) c.getLong(i) * sc;
            }
          } else {
            for (int i = 0; i < n; i++) {
              f[i] = (float) (c.getDouble(i) * scale);
            }
          }
        }
        return TFloat32.tensorOf(s, DataBuffers.of(f, true, false));
      }
      case FLOAT64 -> {
        double[] d;
        if (c.dtype() == DType.FLOAT64 && scale == 1) {
          d = (double[]) c.data();
        } else {
          d = new double[n];
          for (int i = 0; i < n; i++) {
            d[i] = c.getDouble(i) * scale;
          }
        }
        return TFloat64.tensorOf(s, DataBuffers.of(d, true, false));
      }
      case INT32 -> {
        requireIntegral(c, file, where);
        int[] a;
        if (c.dtype() == DType.INT32) {
          a = (int[]) c.data();
        } else {
          a = new int[n];
          for (int i = 0; i < n; i++) {
            long v = c.getLong(i);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
              throw new InputException(file, where, key, "value " + v + " does not fit the signature's DT_INT32");
            }
            a[i] = (int) v;
          }
        }
        return TInt32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case INT64 -> {
        requireIntegral(c, file, where);
        long[] a;
        if (c.dtype() == DType.INT64) {
          a = (long[]) c.data();
        } else {
          a = new long[n];
          for (int i = 0; i < n; i++) {
            a[i] = c.getLong(i);
          }
        }
        return TInt64.tensorOf(s, DataBuffers.of(a, true, false));
      }
      default -> throw new InputException(file, where, key, "predict cannot feed dtype " + dtype.tf());
    }
  }

  private void requireIntegral(Column c, Path file, String where) {
    if (!c.dtype().integral()) {
      throw new InputException(file, where, key, "dtype mismatch: the data is " + c.dtype().numpy() + " ("
          + c.dtype().name().toLowerCase() + "), the signature expects " + dtype.tf() + " (integers)");
    }
  }
}
