package org.rnnport.train;

import java.nio.file.Path;
import org.rnnport.data.BatchOrder;
import org.rnnport.nn.GraphKind;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainDefaults;

/**
 * Everything a training run needs beyond the model.
 *
 * @param runDir where history.json, loss.png, checkpoints/ and tensorboard/ go
 * @param exportRoot SavedModel root ({@code <root>/<model>/<version>}), or null for no export
 * @param exportVersion version to export as, or null for the next free one
 * @param initCheckpoint a TF checkpoint prefix to start the model variables from (by name), or null
 *     for the seeded initializers
 * @param checkpointEvery a checkpoint every this many steps (0: only at each epoch's end, which is always)
 * @param keepCheckpoints how many checkpoints to keep
 * @param resume continue the run in {@code runDir} from its newest intact checkpoint
 * @param earlyStopping Keras-style early stopping, or null
 * @param validate evaluate the validation split after every epoch
 * @param graph the graph to train and export ({@code fast}: {@link org.rnnport.nn.FastRnn}; same variables)
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
    Path initCheckpoint,
    int checkpointEvery,
    int keepCheckpoints,
    boolean resume,
    EarlyStopping earlyStopping,
    boolean validate,
    GraphKind graph) {

  public TrainOptions {
    graph = graph == null ? GraphKind.FAITHFUL : graph; // run.json written before --graph existed
  }

  /** The options with the faithful graph. */
  public TrainOptions(int epochs, int stepsPerEpoch, int batchSize, float learningRate, long seed, BatchOrder order,
      int threads, String device, Path dataDir, Path runDir, Path exportRoot, Integer exportVersion,
      Path initCheckpoint, int checkpointEvery, int keepCheckpoints, boolean resume, EarlyStopping earlyStopping,
      boolean validate) {
    this(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir, runDir, exportRoot,
        exportVersion, initCheckpoint, checkpointEvery, keepCheckpoints, resume, earlyStopping, validate,
        GraphKind.FAITHFUL);
  }

  /** TensorFlow's Saver keeps 5. */
  public static final int DEFAULT_KEEP = 5;

  /** The notebook's own protocol, with the given seed and folders. */
  public static TrainOptions defaults(NotebookModel model, long seed, Path dataDir, Path runDir, Path exportRoot) {
    TrainDefaults d = model.defaults();
    return new TrainOptions(d.epochs(), d.stepsPerEpoch(), d.batchSize(), d.learningRate(), seed,
        BatchOrder.SHUFFLE, 0, null, dataDir, runDir, exportRoot, null, null, 0, DEFAULT_KEEP, false, null, true);
  }

  public TrainOptions withEpochs(int epochs, int stepsPerEpoch) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, exportRoot, exportVersion, initCheckpoint, checkpointEvery, keepCheckpoints, resume, earlyStopping,
        validate);
  }

  public TrainOptions withCheckpoints(int every, int keep) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, exportRoot, exportVersion, initCheckpoint, every, keep, resume, earlyStopping, validate, graph);
  }

  public TrainOptions withResume(boolean r) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, exportRoot, exportVersion, initCheckpoint, checkpointEvery, keepCheckpoints, r, earlyStopping, validate, graph);
  }

  public TrainOptions withEarlyStopping(EarlyStopping es) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, exportRoot, exportVersion, initCheckpoint, checkpointEvery, keepCheckpoints, resume, es, validate, graph);
  }

  public TrainOptions withValidation(boolean v) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, exportRoot, exportVersion, initCheckpoint, checkpointEvery, keepCheckpoints, resume, earlyStopping, v, graph);
  }

  public TrainOptions withGraph(GraphKind g) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, exportRoot, exportVersion, initCheckpoint, checkpointEvery, keepCheckpoints, resume, earlyStopping,
        validate, g);
  }

  public TrainOptions withExport(Path root, Integer version) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        runDir, root, version, initCheckpoint, checkpointEvery, keepCheckpoints, resume, earlyStopping, validate, graph);
  }

  /**
   * The options with the run in {@code dir}: a resume works on the folder it is given, as it is
   * now (copied or moved), never through the path recorded in its run.json.
   */
  public TrainOptions withRunDir(Path dir) {
    return new TrainOptions(epochs, stepsPerEpoch, batchSize, learningRate, seed, order, threads, device, dataDir,
        dir, exportRoot, exportVersion, initCheckpoint, checkpointEvery, keepCheckpoints, resume, earlyStopping, validate,
        graph);
  }
}
