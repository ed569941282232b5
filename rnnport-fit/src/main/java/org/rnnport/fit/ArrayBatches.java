package org.rnnport.fit;

import org.rnnport.data.BatchOrder;
import org.rnnport.data.BatchStream;
import org.rnnport.data.EvalSet;
import org.rnnport.data.EpochOrder;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code fit}-style batches over {@link FitRows} (in memory, read by index, or streamed in file order):
 * every epoch one pass in a new order ({@link EpochOrder}: Keras'
 * {@code tf.random.shuffle} or numpy's {@code RandomState(seed).permutation(n)}, drawn once per epoch from one generator, or file order), cut into
 * batches of {@code batchSize} with a smaller last batch. Also the {@link EvalSet} of a split, in file order.
 */
final class ArrayBatches implements BatchStream {
  private final FitRows data;
  private final int batchSize;
  private final EpochOrder epochs;

  ArrayBatches(FitRows data, int batchSize, BatchOrder order, long seed) {
    this.data = data;
    this.batchSize = batchSize;
    this.epochs = new EpochOrder(data.rows(), order, seed);
  }

  /** The split as an evaluation set, in file order. */
  static EvalSet eval(FitRows data) {
    ArrayBatches b = new ArrayBatches(data, 1, BatchOrder.SEQUENTIAL, 0);
    return new EvalSet() {
      @Override
      public int size() {
        return data.rows();
      }

      @Override
      public Tensor x(int from, int n, long[] inputDims) {
        return b.rows(null, from, n);
      }

      @Override
      public TFloat32 y(int from, int n) {
        return b.oneHot(null, from, n);
      }

      @Override
      public int label(int i) {
        return data.labels()[i];
      }
    };
  }

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
    return Math.min(batchSize, data.rows() - epochs.batch() * batchSize);
  }

  @Override
  public Tensor x(long[] inputDims) {
    return rows(epochs.order(), epochs.batch() * batchSize, size());
  }

  @Override
  public TFloat32 oneHot() {
    return oneHot(epochs.order(), epochs.batch() * batchSize, size());
  }

  @Override
  public int label(int i) {
    return data.labels()[epochs.order()[epochs.batch() * batchSize + i]];
  }

  @Override
  public int batchesPerPass() {
    return (data.rows() + batchSize - 1) / batchSize;
  }

  @Override
  public StreamState state() {
    return epochs.state();
  }

  @Override
  public void restore(StreamState s) {
    epochs.restore(s);
  }

  private Tensor rows(int[] order, int from, int n) {
    return data.x(order, from, n);
  }

  /** One-hot labels, or for a regression loss the float targets, {@code float32 [n, classes]}. */
  private TFloat32 oneHot(int[] order, int from, int n) {
    return data.y(order, from, n);
  }
}
