package org.rnnport.models;

/**
 * A notebook's training protocol.
 *
 * @param epochs number of epochs
 * @param stepsPerEpoch batches per epoch (the notebook's {@code total_batch})
 * @param batchSize examples per batch
 * @param learningRate Adam learning rate
 * @param reportEvery print the notebook's progress line every this many epochs
 */
public record TrainDefaults(int epochs, int stepsPerEpoch, int batchSize, float learningRate, int reportEvery) {}
