package org.rnnport.fit;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.rnnport.data.BatchStream;
import org.rnnport.data.NumpyRandomState;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * tf.data's {@code shuffle(buffer_size)} over a {@link StreamedRows}, cut into batches: the buffer is filled with the
 * first rows, then each example is a uniformly drawn element of the buffer, replaced by the next row of the file
 * (once the file is exhausted, by the buffer's last element, the buffer shrinking); a new pass every epoch
 * (tf.data's {@code reshuffle_each_iteration}). The draws are numpy's {@code RandomState(seed)}
 * ({@code random_interval}), not tf.data's generator, and the order is not Keras' permutation of an in-memory array:
 * only a buffer of the whole file gives Keras' order, and then rnnport holds the rows in memory and uses it.
 *
 * <p>{@link #state()} is the generator at the epoch's start and the batch reached; {@link #restore} replays the
 * epoch from the file's start to that batch (reading, not training), so a resumed run continues bit for bit.
 */
final class ShuffleBufferBatches implements BatchStream {
  private final StreamedRows data;
  private final int batchSize;
  private final int capacity;
  private NumpyRandomState rng;
  private int[] epochStart;
  private StreamedRows.Cursor cursor;
  private byte[][] buffer;
  private int[] index;
  private int count;
  private int batch = -1;
  private byte[][] current;
  private int[] currentIndex;
  private int size;

  ShuffleBufferBatches(StreamedRows data, int batchSize, long seed) {
    this.data = data;
    this.batchSize = batchSize;
    this.capacity = (int) Math.max(1, Math.min(data.buffer(), data.rows()));
    this.rng = new NumpyRandomState(seed);
    this.current = new byte[batchSize][];
    this.currentIndex = new int[batchSize];
  }

  @Override
  public void startEpoch() {
    epochStart = rng.state();
    try {
      if (cursor != null) {
        cursor.close();
      }
      cursor = data.cursor();
      buffer = new byte[capacity][];
      index = new int[capacity];
      count = 0;
      while (count < capacity) {
        long at = cursor.position();
        byte[] b = cursor.next();
        if (b == null) {
          break;
        }
        buffer[count] = b;
        index[count++] = (int) at;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    batch = -1;
  }

  @Override
  public void next() {
    batch++;
    size = Math.min(batchSize, data.rows() - batch * batchSize);
    try {
      for (int i = 0; i < size; i++) {
        int j = (int) rng.randomInterval(count - 1);
        current[i] = buffer[j];
        currentIndex[i] = index[j];
        long at = cursor.position();
        byte[] b = cursor.next();
        if (b != null) {
          buffer[j] = b;
          index[j] = (int) at;
        } else {
          buffer[j] = buffer[count - 1];
          index[j] = index[count - 1];
          buffer[--count] = null;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (batch == batchesPerPass() - 1) {
      try {
        cursor.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Tensor x(long[] inputDims) {
    return data.tensor(current, size);
  }

  @Override
  public TFloat32 oneHot() {
    return data.y(currentIndex, 0, size);
  }

  /** The row (within the data) of example {@code i} of the current batch. */
  int row(int i) {
    return currentIndex[i];
  }

  @Override
  public int label(int i) {
    return data.labels()[currentIndex[i]];
  }

  @Override
  public int batchesPerPass() {
    return (data.rows() + batchSize - 1) / batchSize;
  }

  @Override
  public StreamState state() {
    return new StreamState(epochStart == null ? rng.state() : epochStart.clone(), null, batch, 0);
  }

  @Override
  public void restore(StreamState s) {
    if (s.rng() == null || s.order() != null) {
      throw new IllegalArgumentException("the saved batch position is for other data or another order");
    }
    rng = NumpyRandomState.fromState(s.rng());
    startEpoch();
    for (int b = 0; b <= s.position(); b++) {
      next();
    }
  }
}
