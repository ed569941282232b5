package org.rnnport.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.rnnport.data.Batcher;
import org.rnnport.data.Mnist;
import org.rnnport.export.Checkpoint;
import org.rnnport.export.ModelInfo;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.export.Versions;
import org.rnnport.models.InputKind;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainContext;
import org.rnnport.nn.SeedSource;
import org.rnnport.util.Json;
import org.rnnport.util.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.op.Ops;

/**
 * A whole training run as the notebook does it: epochs of batches with a progress bar and the
 * notebook's own lines (its {@link NotebookModel#afterStep}/{@code afterEpoch}/{@code afterTraining}),
 * test accuracy on all test images, then {@code history.json}, {@code loss.png} and the SavedModel
 * export. A stop request (Ctrl-C) ends training after the current step, writes the history marked
 * {@code interrupted} and exports nothing.
 */
public final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  private TrainingRun() {}

  public static History run(NotebookModel model, TrainOptions o, StopSignal stop, PrintStream out)
      throws IOException {
    if (model.input() == InputKind.REUTERS_SEQUENCES) {
      return KerasFit.run(model, o, stop, out);
    }
    History h = start(model, o);
    h.hyperparameters.put("stepsPerEpoch", o.stepsPerEpoch());

    Mnist mnist = Mnist.load(o.dataDir());
    long t0 = System.nanoTime();
    List<Double> stepMillis = new ArrayList<>();
    try (Trainer t = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), o.learningRate(), o.threads(), o.device())) {
      Checkpoint modelVars = new Checkpoint(Ops.create(t.graph()), "rnnport_export", t.modelGraph().modelVariables());
      t.initialize();
      if (o.initCheckpoint() != null) {
        // e.g. the Python oracle's initial checkpoint: model variables restored by exact TF1 name
        new Checkpoint(Ops.create(t.graph()), "rnnport_init", t.modelGraph().modelVariables())
            .restore(t.session(), o.initCheckpoint().toString());
        LOG.info("model variables restored from {}", o.initCheckpoint());
      }
      Batcher batches = new Batcher(mnist.train(), o.batchSize(), o.order(), o.seed() & 0xffffffffL);
      Context ctx = new Context(t, batches, mnist, h, out);
      epochs:
      for (int epoch = 1; epoch <= o.epochs(); epoch++) {
        ctx.epoch = epoch;
        double epochCost = 0;
        int done = 0;
        try (ProgressBar pb = Progress.bar(String.format("epoch %d/%d", epoch, o.epochs()), o.stepsPerEpoch(),
            null, 1)) {
          for (int i = 0; i < o.stepsPerEpoch(); i++) {
            if (stop.requested()) {
              h.interrupted = true;
              break epochs;
            }
            batches.next();
            long s = System.nanoTime();
            float cost = t.step(batches.x(), batches.y(), o.batchSize());
            stepMillis.add((System.nanoTime() - s) / 1e6);
            h.batchCost.add(cost);
            epochCost += cost;
            done++;
            ctx.step++;
            model.afterStep(ctx);
            pb.step();
            pb.setExtraMessage(String.format(" cost %.4f", cost));
          }
        }
        if (epoch == 1) {
          h.devicesUsed = t.devicesUsed();
          LOG.info("ops ran on {}", t.devicesUsed());
        }
        double avg = epochCost / done;
        h.epochCost.add(avg);
        model.afterEpoch(ctx, avg);
      }
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      h.timings.put("trainSeconds", trainSeconds);
      h.timings.put("medianStepMillis", median(stepMillis));
      if (!h.interrupted) {
        model.afterTraining(ctx);
        long e0 = System.nanoTime();
        double acc = t.accuracy(mnist.test(), mnist.test().size(), 1000);
        h.timings.put("testEvalSeconds", (System.nanoTime() - e0) / 1e9);
        h.results.put("testAccuracy", acc);
        out.printf("test accuracy on all %d test images: %.4f%n", mnist.test().size(), acc);
        export(model, t, modelVars, o, h, acc, trainSeconds, out);
      } else {
        out.println("\ninterrupted: history written, nothing exported");
      }
    } finally {
      h.timings.putIfAbsent("trainSeconds", (System.nanoTime() - t0) / 1e9);
      Json.write(o.runDir().resolve("history.json"), h);
      if (!h.batchCost.isEmpty()) {
        LossPlot.write(o.runDir().resolve("loss.png"), model.name(), h.epochCost, h.batchCost);
      }
    }
    return h;
  }

  /** A new history with the run's hyperparameters and versions; creates the run folder. */
  static History start(NotebookModel model, TrainOptions o) throws IOException {
    Files.createDirectories(o.runDir());
    History h = new History();
    h.model = model.name();
    h.notebook = model.notebook();
    h.startedAt = Instant.now().toString();
    h.versions = Versions.all();
    Map<String, Object> hp = h.hyperparameters;
    hp.put("epochs", o.epochs());
    hp.put("batchSize", o.batchSize());
    hp.put("learningRate", o.learningRate());
    hp.put("seed", o.seed());
    hp.put("init", o.initCheckpoint() == null ? "python-seed:" + o.seed() : "checkpoint:" + o.initCheckpoint());
    hp.put("order", o.order().name().toLowerCase());
    hp.put("threads", o.threads());
    hp.put("device", o.device() == null ? "default" : o.device());
    return h;
  }

  /** Exports the trained model with its rnnport.json (when the options ask for it), recording where. */
  static void export(NotebookModel model, Trainer t, Checkpoint modelVars, TrainOptions o, History h, double testAccuracy,
      double trainSeconds, PrintStream out) throws IOException {
    if (o.exportRoot() == null) {
      return;
    }
    Map<String, Object> training = new LinkedHashMap<>(h.hyperparameters);
    training.put("testAccuracy", testAccuracy);
    training.put("trainSeconds", trainSeconds);
    ModelInfo info = new ModelInfo(model.name(), model.notebook(), model.input().name(), model.input().dataset(),
        SavedModelExporter.SIGNATURE, t.modelGraph().inputKey(), model.classes(), Instant.now().toString(),
        Versions.all(), training);
    Path dir = SavedModelExporter.export(model, t.session(), modelVars, o.exportRoot(), o.exportVersion(), info);
    h.exportedTo = dir.toString();
    out.println("exported " + dir);
  }

  /** The notebook hooks' view of the run. */
  private static final class Context implements TrainContext {
    private final Trainer trainer;
    private final Batcher batches;
    private final Mnist mnist;
    private final History history;
    private final PrintStream out;
    int step;
    int epoch;

    Context(Trainer trainer, Batcher batches, Mnist mnist, History history, PrintStream out) {
      this.trainer = trainer;
      this.batches = batches;
      this.mnist = mnist;
      this.history = history;
      this.out = out;
    }

    @Override
    public int step() {
      return step;
    }

    @Override
    public int epoch() {
      return epoch;
    }

    @Override
    public float[] batchLossAndAccuracy() {
      return trainer.evaluateBatch(batches.x(), batches.y(), batches.labels(), batches.batchSize());
    }

    @Override
    public double testAccuracy(int limit) {
      return trainer.accuracy(mnist.test(), limit, 1000);
    }

    @Override
    public PrintStream out() {
      return out;
    }

    @Override
    public void record(String metric, double value) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("step", step);
      e.put("epoch", epoch);
      e.put(metric, value);
      history.log.add(e);
    }

    @Override
    public void result(String name, double value) {
      history.results.put(name, value);
    }
  }

  static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
