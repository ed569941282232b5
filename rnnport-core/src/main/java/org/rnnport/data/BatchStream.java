package org.rnnport.data;

import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * The training batches of a run, one at a time: {@link #startEpoch()} at the start of every epoch,
 * then {@link #next()} before each step. Tensors are new on every call; close them.
 */
public interface BatchStream {
  /** Called at the start of each epoch (Keras draws the epoch's order here; TF1's next_batch does it itself). */
  void startEpoch();

  /** Moves to the next batch. */
  void next();

  /** Examples in the current batch. */
  int size();

  /** Inputs of the current batch, shaped {@code inputDims} with the batch dimension set to {@link #size()}. */
  Tensor x(long[] inputDims);

  /** One-hot labels of the current batch, {@code float32 [size, classes]}. */
  TFloat32 oneHot();

  /** Label of example {@code i} of the current batch. */
  int label(int i);

  /** Batches per epoch when an epoch is one pass over the data, or -1 when the stream is endless (TF1). */
  int batchesPerPass();

  /** The stream's position and RNG state, to continue it bit for bit in another process. */
  StreamState state();

  /** Continues from a {@link #state()} of a stream over the same data, batch size, order and seed. */
  void restore(StreamState s);

  /**
   * A serializable position: the numpy MT19937 state (null for file order), the current example order,
   * and counters.
   *
   * @param rng {@link NumpyRandomState#state()}, or null
   * @param order the current example order (TF1: the compounded permutation; Keras: this epoch's order)
   * @param position index in the epoch (TF1: index_in_epoch; Keras: the current batch)
   * @param epochsCompleted TF1's epochs_completed (0 for Keras)
   */
  record StreamState(int[] rng, int[] order, int position, int epochsCompleted) {}
}
