package org.rnnport.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.BatchStream;

/**
 * How a notebook trains, supplied by its {@link NotebookModel#protocol()}: the data and how batches
 * are drawn per epoch, what is shown and recorded per step and per epoch, the final evaluation, and
 * what the model's Python oracle provides to the parity harness. The training loop
 * ({@code org.rnnport.train.TrainingRun}) and the parity harness run every model through this, with
 * no knowledge of the model's kind.
 */
public interface TrainingProtocol {

  /** Reads the splits from the data folder. */
  TrainingData load(Path dataDir) throws IOException;

  /** Extra hyperparameters for history.json (and the export's rnnport.json). */
  void describe(Map<String, Object> hyperparameters, int stepsPerEpoch);

  /** Batches in an epoch: the notebook's step count ({@code requested}) or one pass over the data (Keras). */
  int stepsPerEpoch(BatchStream batches, int requested);

  /** Batch size of the per-epoch validation and the final evaluation's forward passes. */
  int evalBatchSize(int trainBatchSize);

  /** Label of the epoch's progress bar. */
  String progressLabel(int epoch, int epochs);

  /** Extra text of the progress bar after a step. */
  String stepMessage(EpochStats s);

  /** The epoch's training loss as the notebook reports it. */
  double epochLoss(EpochStats s);

  /** After every step: the notebook's per-step reporting. */
  void afterStep(TrainContext c);

  /** After every epoch (validation done): the notebook's epoch line and per-epoch evaluation. */
  void afterEpoch(TrainContext c, EpochStats s);

  /** After the last step: the final evaluation and report; returns the test accuracy. */
  double afterTraining(TrainContext c);

  /** The loss plot: train vs validation loss per epoch (Keras) or the notebook's cost per epoch and per batch. */
  boolean plotsTrainVsValidation();

  /**
   * Keras fit's logs: the compiled metrics' names (possibly none), reported as Keras' float32 running means over the
   * epoch (loss and metrics, and val_ ones) in the history, TensorBoard and the protocol's lines; null (the default)
   * for the notebooks' loss and accuracy.
   */
  default List<String> kerasMetrics() {
    return null;
  }

  /** What the model's Python oracle does, for the parity harness. */
  Oracle oracle();

  /**
   * The Python oracle's side of the parity protocol.
   *
   * @param drawsSameInitialWeights Java's seeded initializers draw Python's initial weights (TF1); false when
   *     the oracle's initial weights must be restored (Keras draws from its own generator)
   * @param writesGraph the oracle writes its training graph ({@code graph.pbtxt}) and checkpoints all
   *     variables (optimizer slots included), else only the model's
   * @param tf1SavedModel the oracle's SavedModel is a TF1 export with the same serving signature
   * @param orders batch orders the oracle can train in
   * @param describeOrder how the report names the order
   */
  record Oracle(boolean drawsSameInitialWeights, boolean writesGraph, boolean tf1SavedModel, List<BatchOrder> orders,
      String describeOrder) {}
}
