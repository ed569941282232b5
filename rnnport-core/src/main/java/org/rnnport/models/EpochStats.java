package org.rnnport.models;

/** What one epoch's training steps and its validation gave. */
public final class EpochStats {
  public final int epoch;
  public final int epochs;
  public final int stepsPerEpoch;
  /** steps run in this epoch so far */
  public int steps;
  /** sum of the batch losses (each a float, summed in double) */
  public double batchLossSum;
  /** sum of batch loss times batch size */
  public double exampleLossSum;
  public long examples;
  public long correct;
  public float lastLoss;
  /** validation loss and accuracy after the epoch, NaN if none */
  public double valLoss = Double.NaN;
  public double valAccuracy = Double.NaN;
  /** seconds from the epoch's start to its end, validation included */
  public double seconds;
  /**
   * Keras fit's running float32 means over the epoch ({@code Trainer.KerasMeans}'s state: loss total and count, then
   * each metric's), or null for the notebooks' sums above
   */
  public float[] kerasMeans;
  /** the Keras metrics' validation values after the epoch (rnnport fit), or null */
  public float[] valMetrics;

  public EpochStats(int epoch, int epochs, int stepsPerEpoch) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.stepsPerEpoch = stepsPerEpoch;
  }

  /** Adds one training step's loss and number of correct predictions on a batch of {@code n}. */
  public void add(float loss, int n, int correctInBatch) {
    steps++;
    batchLossSum += loss;
    exampleLossSum += (double) loss * n;
    examples += n;
    correct += correctInBatch;
    lastLoss = loss;
  }

  /** Mean of the batch losses (the TF1 notebooks' {@code epoch_cost / total_batch}). */
  public double meanBatchLoss() {
    return batchLossSum / steps;
  }

  /** Mean loss per example (what Keras' progress bar shows). */
  public double meanExampleLoss() {
    return exampleLossSum / examples;
  }

  /** Training accuracy over the epoch's examples. */
  public double accuracy() {
    return (double) correct / examples;
  }
}
