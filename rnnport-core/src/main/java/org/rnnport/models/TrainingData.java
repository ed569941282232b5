package org.rnnport.models;

import java.util.List;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.BatchStream;
import org.rnnport.data.EvalSet;

/**
 * The splits a training protocol uses.
 *
 * @param train opens the training batches
 * @param validation evaluated after every epoch (MNIST: TF1 input_data's 5,000 validation images;
 *     Reuters: the test split, as the notebook's {@code validation_data})
 * @param test the final evaluation
 * @param files the dataset files that were read, relative to the data folder (for provenance)
 */
public record TrainingData(Batches train, EvalSet validation, EvalSet test, List<String> files) {

  /** Opens a stream of training batches. */
  @FunctionalInterface
  public interface Batches {
    BatchStream open(int batchSize, BatchOrder order, long seed);
  }
}
