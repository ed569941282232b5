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
  private NumpyRandomState rng;
  private int[] order;
  private int current = -1;

  public SequenceBatches(SequenceSet data, int batchSize, BatchOrder order, long seed) {
    this.data = data;
    this.batchSize = batchSize;
    this.rng = order == BatchOrder.SHUFFLE ? new NumpyRandomState(seed) : null;
  }

  /** Number of batches per epoch. */
  public int batchesPerEpoch() {
    return (data.size() + batchSize - 1) / batchSize;
  }

  /** Starts an epoch: a new order. */
  @Override
  public void startEpoch() {
    current = -1;
    if (rng != null) {
      order = rng.permutation(data.size());
    } else {
      order = new int[data.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
    }
  }

  @Override
  public void next() {
    current++;
  }

  @Override
  public int size() {
    return size(current);
  }

  @Override
  public org.tensorflow.Tensor x(long[] inputDims) {
    return x(current);
  }

  @Override
  public TFloat32 oneHot() {
    return y(current);
  }

  @Override
  public int label(int i) {
    return label(current, i);
  }

  @Override
  public int batchesPerPass() {
    return batchesPerEpoch();
  }

  @Override
  public StreamState state() {
    return new StreamState(rng == null ? null : rng.state(), order == null ? null : order.clone(), current, 0);
  }

  @Override
  public void restore(StreamState s) {
    if ((s.rng() == null) != (rng == null) || (s.order() != null && s.order().length != data.size())) {
      throw new IllegalArgumentException("the saved batch position is for other data or another order");
    }
    order = s.order() == null ? null : s.order().clone();
    current = s.position();
    if (rng != null) {
      rng = NumpyRandomState.fromState(s.rng());
    }
  }

  /** Examples in batch {@code b} of the epoch. */
  public int size(int b) {
    return Math.min(batchSize, data.size() - b * batchSize);
  }

  /** Token ids of batch {@code b}, {@code int32 [n, length]}. */
  public TInt32 x(int b) {
    return rows(data, order, b * batchSize, size(b));
  }

  /** One-hot labels of batch {@code b}, {@code float32 [n, classes]}. */
  public TFloat32 y(int b) {
    return oneHot(data, order, b * batchSize, size(b));
  }

  /** Labels of batch {@code b}. */
  public int label(int b, int i) {
    return data.labels()[order[b * batchSize + i]];
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
