package org.rnnport.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.DataDir;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainDefaults;
import org.rnnport.train.EarlyStopping;
import org.rnnport.train.History;
import org.rnnport.train.RunRecord;
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

  @Option(names = "--graph", description = "faithful (the notebook's graph, the default) or fast (fused cells and a "
      + "hand-built backward pass; the same variables, checkpoints and SavedModel signature); --resume may switch it")
  String graph;

  @Option(names = "--order", description = "batch order: ${COMPLETION-CANDIDATES} (default: SHUFFLE)")
  BatchOrder order;

  @Option(names = "--threads", description = "TensorFlow intra/inter-op threads, 0 = TensorFlow's choice (default: 0)")
  Integer threads;

  @Option(names = "--device", description = "device for the graph, e.g. /CPU:0 or /GPU:0 (soft placement)")
  String device;

  @Option(names = "--data-dir", description = "dataset folder (default: $RNNPORT_DATA_DIR or ./data)")
  Path dataDir;

  @Option(names = {"-o", "--out"}, description = "run folder for history.json and loss.png (default: runs/<model>-<time>)")
  Path out;

  @Option(names = "--export-dir", description = "SavedModel root (default: savedmodels; with --resume, the run's own)")
  Path exportDir;

  @Option(names = "--export-version", description = "version folder to export as (default: next free)")
  Integer exportVersion;

  @Option(names = "--no-export", description = "do not export a SavedModel")
  boolean noExport;

  @Option(names = "--checkpoint-every", description = "also write a checkpoint every N steps (one is written at "
      + "each epoch's end anyway; default: 0, only those)")
  Integer checkpointEvery;

  @Option(names = "--keep-checkpoints", description = "checkpoints to keep in RUN_DIR/checkpoints (default: 5, as "
      + "TensorFlow's Saver)")
  Integer keepCheckpoints;

  @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue the run in RUN_DIR from its newest intact "
      + "checkpoint, bit for bit; its model and hyperparameters are used (flags that differ are an error)")
  Path resume;

  @Option(names = "--early-stopping-patience", description = "stop after N epochs without improvement of --monitor "
      + "(Keras EarlyStopping, min_delta 0)")
  Integer patience;

  @Option(names = "--monitor", description = "val_loss (default) or val_accuracy")
  String monitor;

  @Option(names = "--restore-best", description = "when stopping early, put back the best epoch's weights")
  boolean restoreBest;

  @Option(names = "--no-validation", description = "skip the per-epoch validation (changes no training number)")
  boolean noValidation;

  @Override
  public Integer call() throws Exception {
    if (resume != null) {
      return resume();
    }
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
        s, order != null ? order : BatchOrder.SHUFFLE, threads != null ? threads : 0, device, DataDir.resolve(dataDir), run,
        noExport ? null : exportDir != null ? exportDir : Path.of("savedmodels"), exportVersion, initCheckpoint,
        checkpointEvery != null ? checkpointEvery : 0,
        keepCheckpoints != null ? keepCheckpoints : TrainOptions.DEFAULT_KEEP, false,
        patience != null ? new EarlyStopping(patience, monitor != null ? monitor : "val_loss", restoreBest) : null,
        !noValidation, graph != null ? org.rnnport.nn.GraphKind.parse(graph) : org.rnnport.nn.GraphKind.FAITHFUL);
    if (o.epochs() <= 0 || o.stepsPerEpoch() <= 0 || o.batchSize() <= 0 || !(o.learningRate() > 0)) {
      throw new IllegalArgumentException("--epochs, --steps-per-epoch, --batch-size and --lr must be positive");
    }
    if (o.checkpointEvery() < 0) {
      throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + o.checkpointEvery());
    }
    if ((monitor != null || restoreBest) && patience == null) {
      throw new IllegalArgumentException("--monitor and --restore-best go with --early-stopping-patience N");
    }
    RunRecord.write(run, m, o);
    System.out.printf("training %s (notebook %s): %d epochs x %d steps, batch %d, lr %s, seed %d, order %s%s%n",
        m.name(), m.notebook(), o.epochs(), o.stepsPerEpoch(), o.batchSize(), o.learningRate(), s,
        o.order().name().toLowerCase(), o.graph() == org.rnnport.nn.GraphKind.FAST ? ", fast graph" : "");
    return train(m, o);
  }

  private static int train(NotebookModel m, TrainOptions o) throws java.io.IOException {
    History h;
    try (StopSignal stop = StopSignal.onShutdown()) {
      // SIGTERM/SIGINT: stop after the current step, with a checkpoint and the history (Signals)
      Signals.onStop(() -> {
        System.err.println("stopping: finishing the current step, then a checkpoint and the history");
        System.err.flush();
        stop.request();
      });
      h = TrainingRun.run(m, o, stop, System.out);
    } finally {
      Signals.onStop(null);
    }
    System.out.println("history: " + o.runDir().resolve("history.json") + ", plot: " + o.runDir().resolve("loss.png")
        + ", tensorboard --logdir " + o.runDir().resolve("tensorboard"));
    return h.interrupted ? (Signals.exitCode() != 0 ? Signals.exitCode() : 130) : 0;
  }

  /** {@code --resume RUN_DIR}: the recorded model and options; any flag given must agree with them. */
  private int resume() throws java.io.IOException {
    RunRecord r = RunRecord.read(resume);
    NotebookModel m = r.notebookModel();
    if (model != null || spec != null || variant != null || rnnOptions.given()) {
      NotebookModel asked = model != null ? ModelRegistry.get(model, variant)
          : spec != null ? org.rnnport.models.ModelSpec.read(spec).resolve() : ModelRegistry.get(m.registryName(), variant);
      asked = rnnOptions.apply(asked);
      if (!asked.name().equals(m.name())) {
        throw new IllegalArgumentException("cannot resume " + resume + ": it is a run of " + m.name() + ", not "
            + asked.name());
      }
    }
    // the run is the folder given, as it is now (copied or moved): nothing goes through the path run.json recorded
    TrainOptions o = r.options().withRunDir(resume);
    java.nio.file.Path recorded = r.options().runDir();
    if (recorded != null && !sameFolder(recorded, resume)) {
      System.out.printf("note: %s was recorded as %s (copied or moved since); resuming in %s as it is now%n", resume,
          recorded, resume);
    }
    List<String> diffs = new ArrayList<>();
    differs(diffs, "--epochs", epochs, o.epochs());
    differs(diffs, "--steps-per-epoch", stepsPerEpoch, o.stepsPerEpoch());
    differs(diffs, "--batch-size", batchSize, o.batchSize());
    differs(diffs, "--lr", learningRate, o.learningRate());
    differs(diffs, "--seed", seed, o.seed());
    differs(diffs, "--order", order, o.order());
    differs(diffs, "--threads", threads, o.threads());
    differs(diffs, "--device", device, o.device());
    differs(diffs, "--early-stopping-patience", patience,
        o.earlyStopping() == null ? null : o.earlyStopping().patience());
    differs(diffs, "--monitor", monitor, o.earlyStopping() == null ? null : o.earlyStopping().monitor());
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException("cannot resume " + resume + " with other hyperparameters: "
          + String.join("; ", diffs) + " (a resumed run keeps its own)");
    }
    java.nio.file.Path hist = resume.resolve("history.json");
    if (java.nio.file.Files.isRegularFile(hist)) {
      History done = org.rnnport.util.Json.MAPPER.readValue(hist.toFile(), History.class);
      if (!done.interrupted && done.results.containsKey("testAccuracy")) {
        throw new IllegalArgumentException("the run in " + resume + " is complete (" + hist + " has its test accuracy"
            + (done.exportedTo != null ? ", exported to " + done.exportedTo : "") + "); nothing to resume");
      }
    }
    o = o.withResume(true);
    if (graph != null) {
      o = o.withGraph(org.rnnport.nn.GraphKind.parse(graph)); // both graphs restore the same checkpoints
    }
    if (checkpointEvery != null || keepCheckpoints != null) {
      o = o.withCheckpoints(checkpointEvery != null ? checkpointEvery : o.checkpointEvery(),
          keepCheckpoints != null ? keepCheckpoints : o.keepCheckpoints());
    }
    if (noExport) {
      o = o.withExport(null, null);
    } else if (exportDir != null || exportVersion != null) {
      // e.g. a copied run exporting beside the original's versions, not into them
      o = o.withExport(exportDir != null ? exportDir : o.exportRoot(), exportVersion != null ? exportVersion
          : o.exportVersion());
    }
    System.out.printf("resuming %s in %s%n", m.name(), resume);
    return train(m, o);
  }

  private static boolean sameFolder(java.nio.file.Path a, java.nio.file.Path b) {
    try {
      return java.nio.file.Files.exists(a) && java.nio.file.Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static void differs(List<String> diffs, String flag, Object given, Object recorded) {
    if (given != null && !given.equals(recorded)) {
      diffs.add(flag + " " + given + " (the run has " + recorded + ")");
    }
  }
}
