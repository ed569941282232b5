package org.rnnport.data;

/** How training batches are ordered. */
public enum BatchOrder {
  /**
   * TF1 {@code DataSet.next_batch(shuffle=True)} after {@code np.random.seed(seed)}: a fresh
   * numpy permutation at the start of every epoch (the same batches as the Python oracle).
   */
  SHUFFLE,
  /** No shuffling: the training set in file order, wrapping around ({@code shuffle=False}). */
  SEQUENTIAL,
  /**
   * tf-keras 2.18 {@code model.fit(shuffle=True)} after {@code tf.random.set_seed(seed)}: every epoch the next output
   * of one stateful {@code RandomShuffle} op on the row indices ({@link TfRandomShuffle#forKerasFit(long)}). Epoch
   * orders ({@link EpochOrder}) only: TF1's {@code next_batch} ({@link Batcher}) refuses it.
   */
  KERAS
}
