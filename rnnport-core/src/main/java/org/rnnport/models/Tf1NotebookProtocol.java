package org.rnnport.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.BatchStream;
import org.rnnport.data.Batcher;
import org.rnnport.data.Mnist;

/**
 * The TF1 MNIST notebooks (000, 001, 002): {@code mnist.train.next_batch(batch_size)} for a fixed
 * number of steps per epoch, the mean batch cost per epoch, the notebook's own lines through the
 * model's {@code afterStep}/{@code afterEpoch}/{@code afterTraining} hooks, then accuracy on all
 * 10,000 test images. Validation after each epoch is on input_data's 5,000 validation images.
 */
public final class Tf1NotebookProtocol implements TrainingProtocol {
  private final NotebookModel model;

  public Tf1NotebookProtocol(NotebookModel model) {
    this.model = model;
  }

  @Override
  public TrainingData load(Path dataDir) throws IOException {
    Mnist mnist = Mnist.load(dataDir);
    return new TrainingData((batchSize, order, seed) -> new Batcher(mnist.train(), batchSize, order, seed),
        mnist.validation(), mnist.test(),
        List.of(Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, Mnist.TEST_IMAGES, Mnist.TEST_LABELS));
  }

  @Override
  public void describe(Map<String, Object> hp, int stepsPerEpoch) {
    hp.put("stepsPerEpoch", stepsPerEpoch);
  }

  @Override
  public int stepsPerEpoch(BatchStream batches, int requested) {
    return requested;
  }

  @Override
  public int evalBatchSize(int trainBatchSize) {
    return 1000;
  }

  @Override
  public String progressLabel(int epoch, int epochs) {
    return String.format("epoch %d/%d", epoch, epochs);
  }

  @Override
  public String stepMessage(EpochStats s) {
    return String.format(" cost %.4f", s.lastLoss);
  }

  @Override
  public double epochLoss(EpochStats s) {
    return s.meanBatchLoss();
  }

  @Override
  public void afterStep(TrainContext c) {
    model.afterStep(c);
  }

  @Override
  public void afterEpoch(TrainContext c, EpochStats s) {
    model.afterEpoch(c, s.meanBatchLoss());
  }

  @Override
  public double afterTraining(TrainContext c) {
    model.afterTraining(c);
    int n = c.data().test().size();
    double acc = c.accuracy(c.data().test(), n, 1000);
    c.result("testAccuracy", acc);
    c.out().printf("test accuracy on all %d test images: %.4f%n", n, acc);
    return acc;
  }

  @Override
  public boolean plotsTrainVsValidation() {
    return false;
  }

  @Override
  public Oracle oracle() {
    return new Oracle(true, true, true, List.of(BatchOrder.SEQUENTIAL, BatchOrder.SHUFFLE), null);
  }
}
