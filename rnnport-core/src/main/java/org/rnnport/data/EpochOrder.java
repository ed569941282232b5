package org.rnnport.data;

/**
 * The example order of Keras-style epochs over {@code n} examples: at every {@link #startEpoch()} a new
 * permutation (or file order), and the current batch's index; its {@link #state()} continues it bit for bit in
 * another process. The permutations: {@link BatchOrder#SHUFFLE}, one seeded numpy {@code RandomState}'s
 * {@code permutation(n)} (the notebooks' oracle); {@link BatchOrder#KERAS}, tf-keras {@code model.fit}'s
 * {@code tf.random.shuffle} of the row indices ({@link TfRandomShuffle#forKerasFit(long)}). Shared by the batch
 * streams of {@code train} ({@link SequenceBatches}) and {@code fit}.
 */
public final class EpochOrder {
  private final int n;
  private NumpyRandomState rng;
  private TfRandomShuffle keras;
  private int[] order;
  private int current = -1;

  public EpochOrder(int n, BatchOrder order, long seed) {
    this.n = n;
    this.rng = order == BatchOrder.SHUFFLE ? new NumpyRandomState(seed) : null;
    this.keras = order == BatchOrder.KERAS ? TfRandomShuffle.forKerasFit(seed) : null;
  }

  /** A new epoch: the next permutation, or file order; before its first batch. */
  public void startEpoch() {
    current = -1;
    if (rng != null) {
      order = rng.permutation(n);
    } else if (keras != null) {
      order = keras.permutation(n);
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

  /** The position; its {@code rng} is numpy's MT19937 state (625 ints), the Philox state (6 ints), or null. */
  public BatchStream.StreamState state() {
    int[] r = rng != null ? rng.state() : keras != null ? keras.state() : null;
    return new BatchStream.StreamState(r, order == null ? null : order.clone(), current, 0);
  }

  /** Continues from a {@link #state()} over the same examples, order kind and seed. */
  public void restore(BatchStream.StreamState s) {
    boolean numpy = s.rng() != null && s.rng().length != 6;
    boolean philox = s.rng() != null && s.rng().length == 6;
    if (numpy != (rng != null) || philox != (keras != null) || (s.order() != null && s.order().length != n)) {
      throw new IllegalArgumentException("the saved batch position is for other data or another order");
    }
    order = s.order() == null ? null : s.order().clone();
    current = s.position();
    if (rng != null) {
      rng = NumpyRandomState.fromState(s.rng());
    }
    if (keras != null) {
      keras = TfRandomShuffle.fromState(s.rng());
    }
  }
}
