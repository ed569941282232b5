package org.rnnport.data;

/**
 * TF1 {@code input_data} {@code DataSet.next_batch} semantics over an {@link ImageSet}: an endless
 * stream of batches; each epoch is a pass over a (re)permuted order, and a batch that crosses the
 * end of an epoch is the rest of that epoch followed by the start of the next, exactly as TF1
 * does. The permutation compounds as in TF1 ({@code images = images[perm]} each epoch).
 *
 * <p>Batches are written into buffers owned by the batcher (no allocation per step): consume a
 * batch before asking for the next one.
 */
public final class Batcher implements BatchStream {
  private final ImageSet data;
  private final int batchSize;
  private final BatchOrder order;
  private NumpyRandomState rng;
  private final int[] index; // current order: position -> example
  private int indexInEpoch;
  private int epochsCompleted;
  private final float[] x;
  private final float[] y;
  private final int[] labels;

  public Batcher(ImageSet data, int batchSize, BatchOrder order, long seed) {
    if (batchSize <= 0 || batchSize > data.size()) {
      throw new IllegalArgumentException("batch size must be 1.." + data.size() + ", got " + batchSize);
    }
    if (order == BatchOrder.KERAS) {
      throw new IllegalArgumentException("TF1's next_batch shuffles with numpy (order SHUFFLE); the KERAS order is "
          + "Keras fit's");
    }
    this.data = data;
    this.batchSize = batchSize;
    this.order = order;
    this.rng = order == BatchOrder.SHUFFLE ? new NumpyRandomState(seed) : null;
    this.index = new int[data.size()];
    for (int i = 0; i < index.length; i++) {
      index[i] = i;
    }
    this.x = new float[batchSize * data.imageSize()];
    this.y = new float[batchSize * data.numClasses()];
    this.labels = new int[batchSize];
  }

  public int batchSize() {
    return batchSize;
  }

  public int epochsCompleted() {
    return epochsCompleted;
  }

  /** Nothing: TF1's next_batch reshuffles when it crosses the end of an epoch. */
  @Override
  public void startEpoch() {}

  /** Fills the batch buffers with the next batch. */
  @Override
  public void next() {
    int n = data.size();
    int start = indexInEpoch;
    if (epochsCompleted == 0 && start == 0 && rng != null) {
      permute();
    }
    if (start + batchSize > n) {
      epochsCompleted++;
      int rest = n - start;
      for (int i = 0; i < rest; i++) {
        copy(index[start + i], i);
      }
      if (rng != null) {
        permute();
      }
      indexInEpoch = batchSize - rest;
      for (int i = 0; i < indexInEpoch; i++) {
        copy(index[i], rest + i);
      }
    } else {
      indexInEpoch += batchSize;
      for (int i = 0; i < batchSize; i++) {
        copy(index[start + i], i);
      }
    }
    ImageSet.oneHot(labels, batchSize, data.numClasses(), y);
  }

  private void permute() {
    int[] perm = rng.permutation(index.length);
    int[] old = index.clone();
    for (int i = 0; i < index.length; i++) {
      index[i] = old[perm[i]];
    }
  }

  private void copy(int example, int slot) {
    data.copyPixels(example, 1, x, slot * data.imageSize());
    labels[slot] = data.labels()[example];
  }

  /** Pixels of the current batch, {@code batchSize * rows * cols}. */
  public float[] x() {
    return x;
  }

  /** One-hot labels of the current batch, {@code batchSize * numClasses}. */
  public float[] y() {
    return y;
  }

  /** Integer labels of the current batch. */
  public int[] labels() {
    return labels;
  }

  @Override
  public int size() {
    return batchSize;
  }

  @Override
  public org.tensorflow.Tensor x(long[] inputDims) {
    long[] d = inputDims.clone();
    d[0] = batchSize;
    return org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(d),
        org.tensorflow.ndarray.buffer.DataBuffers.of(x, true, false).narrow((long) batchSize * data.imageSize()));
  }

  @Override
  public org.tensorflow.types.TFloat32 oneHot() {
    return org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(batchSize, data.numClasses()),
        org.tensorflow.ndarray.buffer.DataBuffers.of(y, true, false).narrow((long) batchSize * data.numClasses()));
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public int batchesPerPass() {
    return -1;
  }

  @Override
  public StreamState state() {
    return new StreamState(rng == null ? null : rng.state(), index.clone(), indexInEpoch, epochsCompleted);
  }

  @Override
  public void restore(StreamState s) {
    if (s.order() == null || s.order().length != index.length || (s.rng() == null) != (rng == null)) {
      throw new IllegalArgumentException("the saved batch position is for other data or another order ("
          + (s.order() == null ? "no" : s.order().length) + " examples, here " + index.length + ")");
    }
    System.arraycopy(s.order(), 0, index, 0, index.length);
    indexInEpoch = s.position();
    epochsCompleted = s.epochsCompleted();
    if (rng != null) {
      rng = NumpyRandomState.fromState(s.rng());
    }
  }
}
