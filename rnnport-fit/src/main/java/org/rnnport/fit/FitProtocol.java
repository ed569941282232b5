package org.rnnport.fit;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.BatchStream;
import org.rnnport.data.EvalSet;
import org.rnnport.models.EpochStats;
import org.rnnport.models.KerasFitProtocol;
import org.rnnport.models.TrainContext;
import org.rnnport.models.TrainingData;
import org.rnnport.models.TrainingProtocol;

/**
 * Keras {@code model.fit(x, y, batch_size, epochs, validation_data | validation_split, shuffle)} on data read
 * before the run starts: per epoch one pass in batches (Keras' or numpy's seeded permutation, or file order), loss
 * and accuracy averaged over the examples as Keras' progress bar shows them, validation after every epoch, Keras'
 * epoch line; finally the validation split's (or, without one, the training data's) loss and accuracy.
 */
final class FitProtocol implements TrainingProtocol {
  private final FitRows train;
  private final FitRows validation;
  private final Map<String, Object> described;
  /** The compiled metrics' names (Keras' log keys), possibly none. */
  private final List<String> metrics;
  /** The Reuters notebook's fit: the same progress bar, epoch line and per-epoch numbers. */
  private final KerasFitProtocol keras = new KerasFitProtocol();

  FitProtocol(FitRows train, FitRows validation, Map<String, Object> described) {
    this(train, validation, described, List.of("accuracy"));
  }

  FitProtocol(FitRows train, FitRows validation, Map<String, Object> described, List<String> metrics) {
    this.metrics = List.copyOf(metrics);
    this.train = train;
    this.validation = validation;
    this.described = described;
  }

  @Override
  public TrainingData load(Path dataDir) {
    EvalSet val = validation == null ? null : ArrayBatches.eval(validation);
    List<String> files = new java.util.ArrayList<>();
    train.files().forEach(f -> files.add(f.toAbsolutePath().toString()));
    if (validation != null && validation.files() != train.files()) {
      validation.files().forEach(f -> files.add(f.toAbsolutePath().toString()));
    }
    // a streamed file too big for its shuffle buffer is shuffled through the buffer (tf.data's shuffle), every other
    // source by the epoch order's picks
    return new TrainingData((batchSize, order, seed) -> train instanceof StreamedRows s
        && order != BatchOrder.SEQUENTIAL
        // numpy's RandomState takes 32 bits (Keras' order gets the whole seed)
        ? new ShuffleBufferBatches(s, batchSize, seed & 0xffffffffL) : new ArrayBatches(train, batchSize, order, seed), val,
        val != null ? val : ArrayBatches.eval(train), files);
  }

  @Override
  public void describe(Map<String, Object> hp, int stepsPerEpoch) {
    hp.putAll(described);
    hp.put("trainRows", train.rows());
    if (validation != null) {
      hp.put("validationRows", validation.rows());
    }
  }

  @Override
  public int stepsPerEpoch(BatchStream batches, int requested) {
    return keras.stepsPerEpoch(batches, requested);
  }

  @Override
  public int evalBatchSize(int trainBatchSize) {
    return keras.evalBatchSize(trainBatchSize);
  }

  @Override
  public String progressLabel(int epoch, int epochs) {
    return keras.progressLabel(epoch, epochs);
  }

  @Override
  public List<String> kerasMetrics() {
    return metrics;
  }

  /** Keras' logs: {@code loss: x - <metric>: y ...} of float32 running means (and the val_ ones). */
  private String logs(float[] means, float[] val) {
    StringBuilder sb = new StringBuilder(String.format(" loss: %.4f", means[0]));
    for (int i = 0; i < metrics.size(); i++) {
      sb.append(String.format(" - %s: %.4f", metrics.get(i), means[1 + i]));
    }
    if (val != null) {
      sb.append(String.format(" - val_loss: %.4f", val[0]));
      for (int i = 0; i < metrics.size(); i++) {
        sb.append(String.format(" - val_%s: %.4f", metrics.get(i), val[1 + i]));
      }
    }
    return sb.toString();
  }

  @Override
  public String stepMessage(EpochStats s) {
    return logs(new org.rnnport.train.Trainer.KerasMeans(s.kerasMeans).results(), null);
  }

  /** Keras' epoch loss: the float32 running mean of the batch losses weighted by the batch sizes. */
  @Override
  public double epochLoss(EpochStats s) {
    return new org.rnnport.train.Trainer.KerasMeans(s.kerasMeans).results()[0];
  }

  @Override
  public void afterStep(TrainContext c) {}

  @Override
  public void afterEpoch(TrainContext c, EpochStats s) {
    c.out().printf("Epoch %d/%d%n%d/%d - %.0fs -%s%n", s.epoch, s.epochs, s.steps, s.stepsPerEpoch, s.seconds,
        logs(new org.rnnport.train.Trainer.KerasMeans(s.kerasMeans).results(), s.valMetrics));
  }

  @Override
  public double afterTraining(TrainContext c) {
    // Keras' model.evaluate with the compiled metrics: <split>Loss, <split><Metric> (trainAccuracy, validationMae)
    float[] r = c.evaluateKeras(c.data().test(), c.batchSize());
    String split = validation == null ? "train" : "validation";
    c.result(split + "Loss", r[0]);
    double accuracy = Double.NaN;
    for (int i = 0; i < metrics.size(); i++) {
      String m = metrics.get(i);
      c.result(split + Character.toUpperCase(m.charAt(0)) + m.substring(1), r[1 + i]);
      if (Double.isNaN(accuracy) && metrics.get(i).toLowerCase(java.util.Locale.ROOT).contains("acc")) {
        accuracy = r[1 + i];
      }
    }
    c.out().printf("%n %s%s%n", split, logs(r, null));
    return accuracy;
  }

  @Override
  public boolean plotsTrainVsValidation() {
    return true;
  }

  @Override
  public Oracle oracle() {
    return new Oracle(false, false, false, List.of(BatchOrder.KERAS, BatchOrder.SHUFFLE,
        BatchOrder.SEQUENTIAL), "tf-keras model.fit (rnnport-fit's KerasParity)");
  }
}
