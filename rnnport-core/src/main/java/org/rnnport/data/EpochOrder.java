package org.rnnport.data;

/**
 * The example order of Keras-style epochs over {@code n} examples: at every {@link #startEpoch()} a new
 * permutation from one seeded numpy {@code RandomState} (or file order), and the current batch's index; its
 * {@link #state()} continues it bit for bit in another process. Shared by the batch streams of {@code train}
 * ({@link SequenceBatches}) and {@code fit}.
 */
public final class EpochOrder {
  private final int n;
  private NumpyRandomState rng;
  private int[] order;
  private int current = -1;

  public EpochOrder(int n, BatchOrder order, long seed) {
    this.n = n;
    this.rng = order == BatchOrder.SHUFFLE ? new NumpyRandomState(seed) : null;
  }

  /** A new epoch: numpy's next permutation, or file order; before its first batch. */
  public void startEpoch() {
    current = -1;
    if (rng != null) {
      order = rng.permutation(n);
    } else {
      order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
    }
  }

  /** Moves to the next batch. */
  public void next() {
    current++;
  }

  /** The current batch's index in the epoch. */
  public int batch() {
    return current;
  }

  /** This epoch's order (example numbers); null before the first epoch. */
  public int[] order() {
    return order;
  }

  public BatchStream.StreamState state() {
    return new BatchStream.StreamState(rng == null ? null : rng.state(), order == null ? null : order.clone(), current,
        0);
  }

  /** Continues from a {@link #state()} over the same examples, order kind and seed. */
  public void restore(BatchStream.StreamState s) {
    if ((s.rng() == null) != (rng == null) || (s.order() != null && s.order().length != n)) {
      throw new IllegalArgumentException("the saved batch position is for other data or another order");
    }
    order = s.order() == null ? null : s.order().clone();
    current = s.position();
    if (rng != null) {
      rng = NumpyRandomState.fromState(s.rng());
    }
  }
}
