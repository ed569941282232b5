package org.rnnport.train;

/**
 * Keras' {@code EarlyStopping(monitor, min_delta=0, patience, mode='auto', restore_best_weights)}:
 * after each epoch {@code wait += 1}; an improvement (strictly lower val_loss, strictly higher
 * val_accuracy) resets it and remembers the epoch (and its weights); training stops when
 * {@code wait >= patience} after the first epoch, and with {@code restoreBest} the best epoch's model
 * weights are put back (Keras also keeps the first epoch's weights when nothing improved).
 *
 * @param patience epochs without improvement before stopping
 * @param monitor {@code val_loss} or {@code val_accuracy}
 * @param restoreBest put back the best epoch's weights when stopping
 */
public record EarlyStopping(int patience, String monitor, boolean restoreBest) {

  public EarlyStopping {
    if (patience < 0) {
      throw new IllegalArgumentException("--early-stopping-patience must be >= 0, got " + patience);
    }
    if (!monitor.equals("val_loss") && !monitor.equals("val_accuracy")) {
      throw new IllegalArgumentException("--monitor must be val_loss or val_accuracy, got '" + monitor + "'");
    }
  }

  /** What is known after some epochs (serialized in checkpoints). */
  public static final class State {
    /** the best value so far; null before the first epoch (Keras starts at ±inf) */
    public Double best;
    public int bestEpoch;
    /** global step at the end of the best epoch: its checkpoint holds the best weights */
    public long bestGlobalStep;
    public int wait;
    public int stoppedEpoch;
    /** best weights are stored (checkpoints/best) */
    public boolean hasBestWeights;

    public State() {}

  }

  public State initial() {
    return new State();
  }

  boolean maximize() {
    return monitor.equals("val_accuracy");
  }

  /** What to do after an epoch. */
  public enum Decision {
    /** an improvement: keep these weights as the best */
    IMPROVED_CONTINUE,
    CONTINUE,
    STOP
  }

  /**
   * Updates the state with the epoch's monitored value.
   *
   * @param epoch 1-based
   */
  public Decision update(State s, int epoch, double current) {
    s.wait++;
    boolean improved = s.best == null || (maximize() ? current > s.best : current < s.best);
    if (improved) {
      s.best = current;
      s.bestEpoch = epoch;
      s.wait = 0;
      return Decision.IMPROVED_CONTINUE;
    }
    if (s.wait >= patience && epoch > 1) {
      s.stoppedEpoch = epoch;
      return Decision.STOP;
    }
    return Decision.CONTINUE;
  }
}
