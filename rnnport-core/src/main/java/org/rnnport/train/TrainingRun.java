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
import org.rnnport.data.BatchStream;
import org.rnnport.data.EvalSet;
import org.rnnport.export.Checkpoint;
import org.rnnport.export.ModelInfo;
import org.rnnport.export.Provenance;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.export.Versions;
import org.rnnport.models.EpochStats;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainContext;
import org.rnnport.models.TrainingData;
import org.rnnport.models.TrainingProtocol;
import org.rnnport.nn.SeedSource;
import org.rnnport.util.Json;
import org.rnnport.util.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The one training loop, for every model: epochs of batches drawn as the model's
 * {@link TrainingProtocol} says, with a progress bar and the notebook's own lines, validation after
 * each epoch when the protocol has a validation split, the final evaluation, then {@code history.json},
 * {@code loss.png} and the SavedModel export. A stop request (Ctrl-C) ends training after the current
 * step, writes the history marked {@code interrupted} and exports nothing.
 */
public final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  private TrainingRun() {}

  public static History run(NotebookModel model, TrainOptions o, StopSignal stop, PrintStream out)
      throws IOException {
    TrainingProtocol p = model.protocol();
    History h = start(model, o);
    TrainingData data = p.load(o.dataDir());
    h.datasetFiles = Provenance.sha256(o.dataDir(), data.files());
    long t0 = System.nanoTime();
    List<Double> stepMillis = new ArrayList<>();
    List<Double> accuracy = new ArrayList<>();
    List<Double> valLoss = new ArrayList<>();
    List<Double> valAccuracy = new ArrayList<>();
    try (Trainer t = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), o.learningRate(), o.threads(), o.device())) {
      Checkpoint modelVars = new Checkpoint(Ops.create(t.graph()), "rnnport_export", t.modelGraph().modelVariables());
      t.initialize();
      if (o.initCheckpoint() != null) {
        // e.g. the Python oracle's initial checkpoint: model variables restored by exact TF1 name
        new Checkpoint(Ops.create(t.graph()), "rnnport_init", t.modelGraph().modelVariables())
            .restore(t.session(), o.initCheckpoint().toString());
        LOG.info("model variables restored from {}", o.initCheckpoint());
      }
      BatchStream batches = data.train().open(o.batchSize(), o.order(), o.seed() & 0xffffffffL);
      int steps = p.stepsPerEpoch(batches, o.stepsPerEpoch());
      p.describe(h.hyperparameters, steps);
      if (data.validation() != null) {
        h.epochMetrics.put("accuracy", accuracy);
        h.epochMetrics.put("val_loss", valLoss);
        h.epochMetrics.put("val_accuracy", valAccuracy);
      }
      long[] dims = t.inputDims();
      Context ctx = new Context(t, batches, data, h, out, o.batchSize());
      epochs:
      for (int epoch = 1; epoch <= o.epochs(); epoch++) {
        ctx.epoch = epoch;
        long e0 = System.nanoTime();
        batches.startEpoch();
        EpochStats s = new EpochStats(epoch, o.epochs(), steps);
        try (ProgressBar pb = Progress.bar(p.progressLabel(epoch, o.epochs()), steps, null, 1)) {
          for (int i = 0; i < steps; i++) {
            if (stop.requested()) {
              h.interrupted = true;
              break epochs;
            }
            batches.next();
            int n = batches.size();
            long st = System.nanoTime();
            Trainer.BatchResult r;
            try (Tensor x = batches.x(dims); TFloat32 y = batches.oneHot()) {
              r = t.runBatch(x, y, true);
            }
            stepMillis.add((System.nanoTime() - st) / 1e6);
            h.batchCost.add(r.loss());
            s.add(r.loss(), n, correct(r, batches, n));
            ctx.step++;
            p.afterStep(ctx);
            pb.step();
            pb.setExtraMessage(p.stepMessage(s));
          }
        }
        if (epoch == 1) {
          h.devicesUsed = t.devicesUsed();
          LOG.info("ops ran on {}", t.devicesUsed());
        }
        if (data.validation() != null) {
          double[] val = t.evaluate(data.validation(), p.evalBatchSize(o.batchSize()));
          s.valLoss = val[0];
          s.valAccuracy = val[1];
          accuracy.add(s.accuracy());
          valLoss.add(val[0]);
          valAccuracy.add(val[1]);
        }
        s.seconds = (System.nanoTime() - e0) / 1e9;
        h.epochCost.add(p.epochLoss(s));
        p.afterEpoch(ctx, s);
      }
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      h.timings.put("trainSeconds", trainSeconds);
      h.timings.put("medianStepMillis", median(stepMillis));
      if (!h.interrupted) {
        long e0 = System.nanoTime();
        double acc = p.afterTraining(ctx);
        h.timings.put("testEvalSeconds", (System.nanoTime() - e0) / 1e9);
        export(model, t, modelVars, o, h, acc, trainSeconds, out);
      } else {
        out.println("\ninterrupted: history written, nothing exported");
      }
    } finally {
      h.timings.putIfAbsent("trainSeconds", (System.nanoTime() - t0) / 1e9);
      Json.write(o.runDir().resolve("history.json"), h);
      if (p.plotsTrainVsValidation()) {
        if (!h.epochCost.isEmpty()) {
          LossPlot.writeTrainVsTest(o.runDir().resolve("loss.png"), model.name(), h.epochCost, valLoss);
        }
      } else if (!h.batchCost.isEmpty()) {
        LossPlot.write(o.runDir().resolve("loss.png"), model.name(), h.epochCost, h.batchCost);
      }
    }
    return h;
  }

  private static int correct(Trainer.BatchResult r, BatchStream b, int n) {
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (r.classes()[i] == b.label(i)) {
        c++;
      }
    }
    return c;
  }

  /** A new history with the run's hyperparameters and versions; creates the run folder. */
  static History start(NotebookModel model, TrainOptions o) throws IOException {
    Files.createDirectories(o.runDir());
    History h = new History();
    h.model = model.name();
    h.notebook = model.notebook();
    h.startedAt = Instant.now().toString();
    h.versions = Versions.all();
    h.gitCommit = Provenance.gitCommit();
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
    if (model.rnn() != null) {
      training.put("rnn", model.rnn());
    }
    training.put("testAccuracy", testAccuracy);
    training.put("trainSeconds", trainSeconds);
    ModelInfo info = Provenance.modelInfo(model, t.modelGraph().inputKey(), training, h.datasetFiles);
    Path dir = SavedModelExporter.export(model, t.session(), modelVars, o.exportRoot(), o.exportVersion(), info);
    h.exportedTo = dir.toString();
    out.println("exported " + dir);
  }

  /** The protocol's view of the run. */
  private static final class Context implements TrainContext {
    private final Trainer trainer;
    private final BatchStream batches;
    private final TrainingData data;
    private final History history;
    private final PrintStream out;
    private final int batchSize;
    int step;
    int epoch;

    Context(Trainer trainer, BatchStream batches, TrainingData data, History history, PrintStream out, int batchSize) {
      this.trainer = trainer;
      this.batches = batches;
      this.data = data;
      this.history = history;
      this.out = out;
      this.batchSize = batchSize;
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
    public int batchSize() {
      return batchSize;
    }

    @Override
    public TrainingData data() {
      return data;
    }

    @Override
    public float[] batchLossAndAccuracy() {
      int n = batches.size();
      try (Tensor x = batches.x(trainer.inputDims()); TFloat32 y = batches.oneHot()) {
        Trainer.BatchResult r = trainer.runBatch(x, y, false);
        return new float[] {r.loss(), (float) correct(r, batches, n) / n};
      }
    }

    @Override
    public double testAccuracy(int limit) {
      return trainer.accuracy(data.test(), limit, 1000);
    }

    @Override
    public double[] evaluate(EvalSet set, int batchSize) {
      return trainer.evaluate(set, batchSize);
    }

    @Override
    public double accuracy(EvalSet set, int limit, int batchSize) {
      return trainer.accuracy(set, limit, batchSize);
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
