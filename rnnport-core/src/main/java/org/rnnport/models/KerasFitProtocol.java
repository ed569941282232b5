package org.rnnport.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.BatchStream;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceBatches;

/**
 * Keras {@code model.fit(x, y, batch_size, epochs, validation_data=(x_test, y_test))} for the Reuters
 * notebook: per epoch a shuffled pass in batches (the last one smaller), training loss and accuracy
 * averaged over the examples as Keras' progress bar shows them, then val_loss and val_accuracy on
 * the test split and Keras' epoch line; finally the test split's accuracy.
 */
public final class KerasFitProtocol implements TrainingProtocol {

  @Override
  public TrainingData load(Path dataDir) throws IOException {
    Reuters.Padded data = Reuters.notebook(dataDir);
    // validation_data=(x_test, y_test): Keras validates on the test split
    return new TrainingData((batchSize, order, seed) -> new SequenceBatches(data.train(), batchSize, order, seed),
        data.test(), data.test(), List.of(Reuters.NPZ));
  }

  @Override
  public void describe(Map<String, Object> hp, int stepsPerEpoch) {
    hp.put("data", "reuters.load_data(num_words=1000, test_split=0.2), pad_sequences(maxlen=100)");
  }

  @Override
  public int stepsPerEpoch(BatchStream batches, int requested) {
    return batches.batchesPerPass();
  }

  @Override
  public int evalBatchSize(int trainBatchSize) {
    return trainBatchSize;
  }

  @Override
  public String progressLabel(int epoch, int epochs) {
    return String.format("Epoch %d/%d", epoch, epochs);
  }

  @Override
  public String stepMessage(EpochStats s) {
    return String.format(" loss: %.4f - accuracy: %.4f", s.meanExampleLoss(), s.accuracy());
  }

  @Override
  public double epochLoss(EpochStats s) {
    return s.meanExampleLoss();
  }

  @Override
  public void afterStep(TrainContext c) {}

  @Override
  public void afterEpoch(TrainContext c, EpochStats s) {
    c.out().printf("Epoch %d/%d%n%d/%d - %.0fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f%n",
        s.epoch, s.epochs, s.steps, s.stepsPerEpoch, s.seconds, s.meanExampleLoss(), s.accuracy(), s.valLoss,
        s.valAccuracy);
  }

  @Override
  public double afterTraining(TrainContext c) {
    double[] test = c.evaluate(c.data().test(), c.batchSize());
    c.result("testAccuracy", test[1]);
    c.result("testLoss", test[0]);
    // the notebook's model.evaluate(X_test, Y_test) ran on the unpadded lists (a bug); this is the padded test set
    c.out().printf("%n Test Accuracy: %.4f%n", test[1]);
    return test[1];
  }

  @Override
  public boolean plotsTrainVsValidation() {
    return true;
  }

  @Override
  public Oracle oracle() {
    return new Oracle(false, false, false, List.of(BatchOrder.SEQUENTIAL), "train_on_batch in file order");
  }
}
