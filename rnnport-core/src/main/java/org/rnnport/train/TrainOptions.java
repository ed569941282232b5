package org.rnnport.train;

import java.nio.file.Path;
import org.rnnport.data.BatchOrder;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainDefaults;

/**
 * Everything a training run needs beyond the model.
 *
 * @param runDir where history.json and loss.png go
 * @param exportRoot SavedModel root ({@code <root>/<model>/<version>}), or null for no export
 * @param exportVersion version to export as, or null for the next free one
 * @param initCheckpoint a TF checkpoint prefix to start the model variables from (by name), or null
 *     for the seeded initializers
 */
public record TrainOptions(
    int epochs,
    int stepsPerEpoch,
    int batchSize,
    float learningRate,
    long seed,
    BatchOrder order,
    int threads,
    String device,
    Path dataDir,
    Path runDir,
    Path exportRoot,
    Integer exportVersion,
    Path initCheckpoint) {

  /** The notebook's own protocol, with the given seed and folders. */
  public static TrainOptions defaults(NotebookModel model, long seed, Path dataDir, Path runDir, Path exportRoot) {
    TrainDefaults d = model.defaults();
    return new TrainOptions(d.epochs(), d.stepsPerEpoch(), d.batchSize(), d.learningRate(), seed,
        BatchOrder.SHUFFLE, 0, null, dataDir, runDir, exportRoot, null, null);
  }

  public TrainOptions withEpochs(int epochs, int stepsPerEpoch) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, exportRoot, exportVersion, initCheckpoint);
  }
}
