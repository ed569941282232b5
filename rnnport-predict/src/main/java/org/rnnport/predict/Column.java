package org.rnnport.predict;

import java.util.Arrays;
import org.tensorflow.Tensor;

/**
 * A block of rows of one input or output: dtype, the shape of one row, the row count and the
 * values row-major in a primitive array ({@code byte[]} for uint8, {@code int[]}, {@code long[]},
 * {@code float[]}, {@code double[]}), or, for an input a reader wrote straight into tensor memory,
 * a {@link Native}.
 */
public record Column(DType dtype, long[] rowShape, int rows, Object data) {
  public Column {
    long n = (long) rows * size(rowShape);
    long len = data instanceof Native t ? t.tensor().shape().size() : java.lang.reflect.Array.getLength(data);
    if (len != n) {
      throw new IllegalArgumentException(len + " values for " + rows + " rows of " + Arrays.toString(rowShape));
    }
  }

  /**
   * Values a reader wrote straight into the memory of the tensor they are fed as: its shape is
   * {@code [rows] + rowShape}, its dtype the column's. The column owns the tensor until
   * {@link InputBinding#tensor} hands it to the inference call, which closes it;
   * {@link Column#release()} closes it if it never gets there (closing twice is harmless).
   */
  public record Native(Tensor tensor) {}

  /** Closes the tensor of a {@link Native} column; nothing for an array column. */
  public void release() {
    if (data instanceof Native t) {
      t.tensor().close();
    }
  }

  /** This column with its values in a Java array (a copy out of tensor memory for a {@link Native}). */
  public Column onHeap() {
    if (!(data instanceof Native t)) {
      return this;
    }
    return new Column(dtype, rowShape, rows, Pipeline.column(t.tensor(), "input", rows).data());
  }

  public static long size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  private void heapOnly() {
    if (data instanceof Native) {
      throw new IllegalStateException("the values are in tensor memory: read them through onHeap()");
    }
  }

  public int rowSize() {
    return (int) size(rowShape);
  }

  public double getDouble(int i) {
    heapOnly();
    return switch (dtype) {
      case UINT8 -> ((byte[]) data)[i] & 0xff;
      case INT32 -> ((int[]) data)[i];
      case INT64 -> ((long[]) data)[i];
      case FLOAT32 -> ((float[]) data)[i];
      case FLOAT64 -> ((double[]) data)[i];
    };
  }

  public long getLong(int i) {
    heapOnly();
    return switch (dtype) {
      case UINT8 -> ((byte[]) data)[i] & 0xff;
      case INT32 -> ((int[]) data)[i];
      case INT64 -> ((long[]) data)[i];
      case FLOAT32 -> (long) ((float[]) data)[i];
      case FLOAT64 -> (long) ((double[]) data)[i];
    };
  }

  /** Rows {@code from .. from+n} as a new column. */
  public Column slice(int from, int n) {
    heapOnly();
    int rs = rowSize();
    Object d = java.lang.reflect.Array.newInstance(data.getClass().getComponentType(), n * rs);
    System.arraycopy(data, from * rs, d, 0, n * rs);
    return new Column(dtype, rowShape, n, d);
  }

  public static Object newArray(DType t, int n) {
    return switch (t) {
      case UINT8 -> new byte[n];
      case INT32 -> new int[n];
      case INT64 -> new long[n];
      case FLOAT32 -> new float[n];
      case FLOAT64 -> new double[n];
    };
  }
}
