package org.rnnport.data;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras {@code fit}-style batches over a {@link SequenceSet}: each epoch is one pass in a fresh
 * order (numpy's shuffle with a seeded RandomState, or file order), cut into batches of
 * {@code batchSize} with a smaller last batch. Tensors are made per batch; close them.
 */
public final class SequenceBatches implements BatchStream {
  private final SequenceSet data;
  private final int batchSize;
  private final EpochOrder epochs;

  public SequenceBatches(SequenceSet data, int batchSize, BatchOrder order, long seed) {
    this.data = data;
    this.batchSize = batchSize;
    this.epochs = new EpochOrder(data.size(), order, seed);
  }

  /** Number of batches per epoch. */
  public int batchesPerEpoch() {
    return (data.size() + batchSize - 1) / batchSize;
  }

  /** Starts an epoch: a new order. */
  @Override
  public void startEpoch() {
    epochs.startEpoch();
  }

  @Override
  public void next() {
    epochs.next();
  }

  @Override
  public int size() {
    return size(epochs.batch());
  }

  @Override
  public org.tensorflow.Tensor x(long[] inputDims) {
    return x(epochs.batch());
  }

  @Override
  public TFloat32 oneHot() {
    return y(epochs.batch());
  }

  @Override
  public int label(int i) {
    return label(epochs.batch(), i);
  }

  @Override
  public int batchesPerPass() {
    return batchesPerEpoch();
  }

  @Override
  public StreamState state() {
    return epochs.state();
  }

  @Override
  public void restore(StreamState s) {
    epochs.restore(s);
  }

  /** Examples in batch {@code b} of the epoch. */
  public int size(int b) {
    return Math.min(batchSize, data.size() - b * batchSize);
  }

  /** Token ids of batch {@code b}, {@code int32 [n, length]}. */
  public TInt32 x(int b) {
    return rows(data, epochs.order(), b * batchSize, size(b));
  }

  /** One-hot labels of batch {@code b}, {@code float32 [n, classes]}. */
  public TFloat32 y(int b) {
    return oneHot(data, epochs.order(), b * batchSize, size(b));
  }

  /** Labels of batch {@code b}. */
  public int label(int b, int i) {
    return data.labels()[epochs.order()[b * batchSize + i]];
  }

  static TInt32 rows(SequenceSet d, int[] order, int from, int n) {
    int len = d.length();
    int[] buf = new int[n * len];
    for (int i = 0; i < n; i++) {
      int ex = order == null ? from + i : order[from + i];
      System.arraycopy(d.tokens(), ex * len, buf, i * len, len);
    }
    return TInt32.tensorOf(Shape.of(n, len), DataBuffers.of(buf, true, false));
  }

  static TFloat32 oneHot(SequenceSet d, int[] order, int from, int n) {
    float[] y = new float[n * d.numClasses()];
    for (int i = 0; i < n; i++) {
      int ex = order == null ? from + i : order[from + i];
      y[i * d.numClasses() + d.labels()[ex]] = 1f;
    }
    return TFloat32.tensorOf(Shape.of(n, d.numClasses()), DataBuffers.of(y, true, false));
  }

  /** Examples {@code [from, from+n)} in file order (evaluation). */
  public static TInt32 range(SequenceSet d, int from, int n) {
    return rows(d, null, from, n);
  }

  /** One-hot labels of examples {@code [from, from+n)}. */
  public static TFloat32 rangeLabels(SequenceSet d, int from, int n) {
    return oneHot(d, null, from, n);
  }
}
