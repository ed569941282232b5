package org.rnnport.data;

/** How training batches are ordered. */
public enum BatchOrder {
  /**
   * TF1 {@code DataSet.next_batch(shuffle=True)} after {@code np.random.seed(seed)}: a fresh
   * numpy permutation at the start of every epoch (the same batches as the Python oracle).
   */
  SHUFFLE,
  /** No shuffling: the training set in file order, wrapping around ({@code shuffle=False}). */
  SEQUENTIAL
}
