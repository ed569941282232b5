package org.rnnport.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.DataDir;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainDefaults;
import org.rnnport.train.History;
import org.rnnport.train.StopSignal;
import org.rnnport.train.TrainOptions;
import org.rnnport.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rnnport train MODEL}: the notebook's training, then test accuracy, history and export. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a notebook model with the notebook's defaults; write history.json, loss.png and a SavedModel.")
final class TrainCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", description = "model name, e.g. mnist-rnn (or give --spec)")
  String model;

  @Option(names = "--spec", description = "a model spec JSON (see specs/): model, variant, rnn, epochs, stepsPerEpoch, "
      + "batchSize, learningRate, seed; flags given as well override it")
  java.nio.file.Path spec;

  @picocli.CommandLine.Mixin
  RnnOptions rnnOptions = new RnnOptions();

  @Option(names = "--variant", description = "faithful (the notebook as written, default) or fixed "
      + "(mnist-lstm-state: the loss on the logits instead of the notebook's double softmax)")
  String variant;

  @Option(names = "--epochs", description = "epochs (default: the notebook's)")
  Integer epochs;

  @Option(names = "--steps-per-epoch", description = "batches per epoch (default: the notebook's)")
  Integer stepsPerEpoch;

  @Option(names = "--batch-size", description = "batch size (default: the notebook's)")
  Integer batchSize;

  @Option(names = {"--lr", "--learning-rate"}, description = "Adam learning rate (default: the notebook's)")
  Float learningRate;

  @Option(names = "--seed", description = "seed of the initializers and the batch order (default: drawn and recorded)")
  Long seed;

  @Option(names = "--init", description = "initial weights: python-seed[:S] (Java's initializers drawing exactly what "
      + "Python draws after tf.compat.v1.set_random_seed(S); S defaults to --seed) or checkpoint:PREFIX (a TF "
      + "checkpoint, e.g. the Python oracle's, restored by variable name). Default: python-seed")
  String init;

  @Option(names = "--order", description = "batch order: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})",
      defaultValue = "SHUFFLE")
  BatchOrder order;

  @Option(names = "--threads", description = "TensorFlow intra/inter-op threads, 0 = TensorFlow's choice (default: 0)",
      defaultValue = "0")
  int threads;

  @Option(names = "--device", description = "device for the graph, e.g. /CPU:0 or /GPU:0 (soft placement)")
  String device;

  @Option(names = "--data-dir", description = "dataset folder (default: $RNNPORT_DATA_DIR or ./data)")
  Path dataDir;

  @Option(names = {"-o", "--out"}, description = "run folder for history.json and loss.png (default: runs/<model>-<time>)")
  Path out;

  @Option(names = "--export-dir", description = "SavedModel root (default: savedmodels)", defaultValue = "savedmodels")
  Path exportDir;

  @Option(names = "--export-version", description = "version folder to export as (default: next free)")
  Integer exportVersion;

  @Option(names = "--no-export", description = "do not export a SavedModel")
  boolean noExport;

  @Override
  public Integer call() throws Exception {
    org.rnnport.models.ModelSpec fromFile = spec != null ? org.rnnport.models.ModelSpec.read(spec) : null;
    if (model == null && fromFile == null) {
      throw new IllegalArgumentException("name a model (" + ModelRegistry.all().keySet() + ") or give --spec FILE");
    }
    NotebookModel m = model != null ? ModelRegistry.get(model, variant) : fromFile.resolve();
    m = rnnOptions.apply(m);
    TrainDefaults d = m.defaults();
    if (fromFile != null) {
      TrainDefaults f = fromFile.trainDefaults();
      d = new TrainDefaults(f.epochs() != null ? f.epochs() : d.epochs(),
          f.stepsPerEpoch() != null ? f.stepsPerEpoch() : d.stepsPerEpoch(),
          f.batchSize() != null ? f.batchSize() : d.batchSize(),
          f.learningRate() != null ? f.learningRate() : d.learningRate());
      if (seed == null) {
        seed = fromFile.seed();
      }
    }
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(0, 1L << 31);
    Path initCheckpoint = null;
    if (init != null && !init.equals("python-seed")) {
      if (init.startsWith("python-seed:")) {
        s = Long.parseLong(init.substring("python-seed:".length()));
      } else if (init.startsWith("checkpoint:")) {
        initCheckpoint = Path.of(init.substring("checkpoint:".length()));
      } else {
        throw new IllegalArgumentException("--init must be python-seed, python-seed:S or checkpoint:PREFIX, got '" + init + "'");
      }
    }
    Path run = out != null ? out
        : Path.of("runs", m.name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    TrainOptions o = new TrainOptions(
        epochs != null ? epochs : d.epochs(),
        stepsPerEpoch != null ? stepsPerEpoch : d.stepsPerEpoch(),
        batchSize != null ? batchSize : d.batchSize(),
        learningRate != null ? learningRate : d.learningRate(),
        s, order, threads, device, DataDir.resolve(dataDir), run, noExport ? null : exportDir, exportVersion,
        initCheckpoint);
    if (o.epochs() <= 0 || o.stepsPerEpoch() <= 0 || o.batchSize() <= 0 || !(o.learningRate() > 0)) {
      throw new IllegalArgumentException("--epochs, --steps-per-epoch, --batch-size and --lr must be positive");
    }
    System.out.printf("training %s (notebook %s): %d epochs x %d steps, batch %d, lr %s, seed %d, order %s%n",
        m.name(), m.notebook(), o.epochs(), o.stepsPerEpoch(), o.batchSize(), o.learningRate(), s,
        o.order().name().toLowerCase());
    History h;
    try (StopSignal stop = StopSignal.onShutdown()) {
      h = TrainingRun.run(m, o, stop, System.out);
    }
    System.out.println("history: " + run.resolve("history.json") + ", plot: " + run.resolve("loss.png"));
    return h.interrupted ? 130 : 0;
  }
}
