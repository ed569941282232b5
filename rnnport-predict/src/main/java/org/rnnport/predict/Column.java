package org.rnnport.predict;

import java.util.Arrays;

/**
 * A block of rows of one input or output: dtype, the shape of one row, the row count and the
 * values row-major in a primitive array ({@code byte[]} for uint8, {@code int[]}, {@code long[]},
 * {@code float[]}, {@code double[]}).
 */
public record Column(DType dtype, long[] rowShape, int rows, Object data) {
  public Column {
    long n = (long) rows * size(rowShape);
    int len = java.lang.reflect.Array.getLength(data);
    if (len != n) {
      throw new IllegalArgumentException(len + " values for " + rows + " rows of " + Arrays.toString(rowShape));
    }
  }

  public static long size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public int rowSize() {
    return (int) size(rowShape);
  }

  public double getDouble(int i) {
    return switch (dtype) {
      case UINT8 -> ((byte[]) data)[i] & 0xff;
      case INT32 -> ((int[]) data)[i];
      case INT64 -> ((long[]) data)[i];
      case FLOAT32 -> ((float[]) data)[i];
      case FLOAT64 -> ((double[]) data)[i];
    };
  }

  public long getLong(int i) {
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
