package org.rnnport.models;

import java.io.PrintStream;

/**
 * What a notebook's training protocol can see and do between steps: the notebook lines it prints
 * and the metrics it records (into {@code history.json}).
 */
public interface TrainContext {
  /** 1-based number of the step just run. */
  int step();

  /** 1-based epoch. */
  int epoch();

  /** Loss and accuracy of the current batch, evaluated now (after this step's update). */
  float[] batchLossAndAccuracy();

  /** Accuracy on the first {@code limit} test examples. */
  double testAccuracy(int limit);

  /** The training batch size. */
  int batchSize();

  /** The run's data. */
  TrainingData data();

  /** Mean loss per example and accuracy on a whole split, forward passes in batches of {@code batchSize}. */
  double[] evaluate(org.rnnport.data.EvalSet set, int batchSize);

  /**
   * Keras {@code model.evaluate} with the compiled metrics on a split: {@code [loss, metric 0, ...]} as Keras' float32
   * running means (rnnport fit).
   */
  default float[] evaluateKeras(org.rnnport.data.EvalSet set, int batchSize) {
    throw new UnsupportedOperationException("not a Keras fit");
  }

  /** Accuracy on the first {@code limit} examples of a split (predicted classes only). */
  double accuracy(org.rnnport.data.EvalSet set, int limit, int batchSize);

  /** Where notebook lines go. */
  PrintStream out();

  /** Records a metric at the current step into the history's log. */
  void record(String metric, double value);

  /** Records a final result (history.json {@code results}). */
  void result(String name, double value);
}
