package org.rnnport.data;

/**
 * Images with class labels: pixels as float32 in [0,1] (row-major, {@code rows*cols} per image) and
 * integer labels. One-hot labels are made per batch ({@link #oneHot}).
 */
public record ImageSet(float[] pixels, int[] labels, int rows, int cols, int numClasses) implements EvalSet {

  public int size() {
    return labels.length;
  }

  public int imageSize() {
    return rows * cols;
  }

  /** Images {@code [from, to)} as a new set (copies). */
  public ImageSet slice(int from, int to) {
    if (from < 0 || to > size() || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + size());
    }
    float[] p = java.util.Arrays.copyOfRange(pixels, from * imageSize(), to * imageSize());
    int[] l = java.util.Arrays.copyOfRange(labels, from, to);
    return new ImageSet(p, l, rows, cols, numClasses);
  }

  /** Writes the one-hot encoding of the given labels into {@code out} (length n*numClasses). */
  public static void oneHot(int[] labels, int n, int numClasses, float[] out) {
    java.util.Arrays.fill(out, 0, n * numClasses, 0f);
    for (int i = 0; i < n; i++) {
      out[i * numClasses + labels[i]] = 1f;
    }
  }

  @Override
  public org.tensorflow.Tensor x(int from, int n, long[] inputDims) {
    long[] d = inputDims.clone();
    d[0] = n;
    return org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(d),
        org.tensorflow.ndarray.buffer.DataBuffers.of(pixels, true, false).slice((long) from * imageSize(),
            (long) n * imageSize()));
  }

  @Override
  public org.tensorflow.types.TFloat32 y(int from, int n) {
    float[] out = new float[n * numClasses];
    oneHot(java.util.Arrays.copyOfRange(labels, from, from + n), n, numClasses, out);
    return org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(n, numClasses),
        org.tensorflow.ndarray.buffer.DataBuffers.of(out, true, false));
  }

  @Override
  public int label(int i) {
    return labels[i];
  }
}
