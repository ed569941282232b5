package org.rnnport.data;

/**
 * Images with class labels: the file's bytes (row-major, {@code rows*cols} per image) and integer labels. A
 * pixel's value is {@code float32(byte & 0xff) * scale}, computed when a batch is made, so the set holds one
 * byte per pixel, not four: 43 MB for MNIST's 55,000 training images instead of 172 MB. One-hot labels are made
 * per batch ({@link #oneHot}).
 */
public record ImageSet(byte[] bytes, float scale, int[] labels, int rows, int cols, int numClasses)
    implements EvalSet {

  public ImageSet {
    if (bytes.length != (long) labels.length * rows * cols) {
      throw new IllegalArgumentException(bytes.length + " pixel bytes for " + labels.length + " images of "
          + rows + "x" + cols);
    }
  }

  public int size() {
    return labels.length;
  }

  public int imageSize() {
    return rows * cols;
  }

  /** Pixel {@code i} of the whole set (image {@code i / imageSize()}), as float32. */
  public float pixel(int i) {
    return (bytes[i] & 0xff) * scale;
  }

  /** Writes images {@code [from, from + n)} as float32 into {@code out} from {@code offset}. */
  public void copyPixels(int from, int n, float[] out, int offset) {
    int start = from * imageSize();
    int len = n * imageSize();
    for (int k = 0; k < len; k++) {
      out[offset + k] = (bytes[start + k] & 0xff) * scale;
    }
  }

  /** Images {@code [from, from + n)} as a new float32 array. */
  public float[] pixels(int from, int n) {
    float[] out = new float[n * imageSize()];
    copyPixels(from, n, out, 0);
    return out;
  }

  /** Every image as a new float32 array (four bytes a pixel: for test-sized sets). */
  public float[] pixels() {
    return pixels(0, size());
  }

  /** Images {@code [from, to)} as a new set (copies). */
  public ImageSet slice(int from, int to) {
    if (from < 0 || to > size() || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + size());
    }
    byte[] p = java.util.Arrays.copyOfRange(bytes, from * imageSize(), to * imageSize());
    int[] l = java.util.Arrays.copyOfRange(labels, from, to);
    return new ImageSet(p, scale, l, rows, cols, numClasses);
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
        org.tensorflow.ndarray.buffer.DataBuffers.of(pixels(from, n), true, false));
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
