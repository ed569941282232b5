package org.rnnport.models;

/**
 * A notebook's training protocol.
 *
 * @param epochs number of epochs
 * @param stepsPerEpoch batches per epoch (the notebook's {@code total_batch})
 * @param batchSize examples per batch
 * @param learningRate Adam learning rate
 */
public record TrainDefaults(Integer epochs, Integer stepsPerEpoch, Integer batchSize, Float learningRate) {}
