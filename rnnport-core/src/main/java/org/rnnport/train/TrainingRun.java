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
import org.rnnport.util.TestHooks;
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

  /**
   * Keras' {@code fit} for every model, in its steps: {@link Loop#begin} (a fresh run, or a resumed one from its newest
   * intact checkpoint), then for each epoch {@link Loop#epoch} (its batches: {@link Loop#batch} and the batch
   * callbacks) and {@link Loop#endEpoch} (validation, then the epoch callbacks: the protocol's epoch line, TensorBoard,
   * early stopping, the epoch's checkpoint), and {@link Loop#end} (early stopping's restore, the final evaluation, the
   * export, history.json and loss.png). A failure still writes the history and plot of a fresh run.
   */
  public static History run(NotebookModel model, TrainOptions o, StopSignal stop, PrintStream out)
      throws IOException {
    TrainingProtocol p = model.protocol();
    History h = start(model, o);
    TrainingData data = p.load(o.dataDir());
    h.datasetFiles = Provenance.sha256(o.dataDir(), data.files());
    boolean validate = o.validate() && data.validation() != null;
    EarlyStopping es = o.earlyStopping();
    if (es != null && !validate) {
      throw new IllegalArgumentException("early stopping monitors " + es.monitor() + ": it needs the validation split");
    }
    Loop loop = new Loop(model, o, stop, out, data, h, validate);
    try (Trainer t = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), o.learningRate(), o.threads(), o.device(),
        model.gradients(), o.graph())) {
      loop.begin(t);
      try (Board board = new Board(o.runDir().resolve("tensorboard"), validate)) {
        loop.onTrainBegin(board);
        for (int epoch = loop.startEpoch; epoch <= o.epochs() && !loop.stopEarly; epoch++) {
          EpochStats s = loop.epoch(epoch);
          if (s == null) {
            break; // stopped: checkpoint and history written, nothing exported
          }
          loop.endEpoch(s);
        }
        loop.onTrainEnd();
      }
      loop.end();
    } catch (IOException | RuntimeException e) {
      if (!o.resume()) {
        h.timings.putIfAbsent("trainSeconds", (System.nanoTime() - loop.t0) / 1e9);
        writeOutputs(model, p, o, h);
      }
      throw e;
    }
    return loop.h;
  }

  /** One training run's state, and its steps as Keras' fit loop names them. */
  private static final class Loop {
    final NotebookModel model;
    final TrainOptions o;
    final StopSignal stop;
    final PrintStream out;
    final TrainingProtocol p;
    final TrainingData data;
    final boolean validate;
    final EarlyStopping es;
    final long t0 = System.nanoTime();
    final List<Double> stepMillis = new ArrayList<>();
    History h;
    double priorSeconds;
    Trainer t;
    Checkpoint modelVars;
    RunCheckpoints ckpts;
    BatchStream batches;
    int steps;
    EarlyStopping.State esState;
    int startEpoch = 1;
    EpochStats resumed;
    long globalStep;
    List<Double> accuracy;
    List<Double> valLoss;
    List<Double> valAccuracy;
    Context ctx;
    Board board;
    boolean stopEarly;
    int lastCorrect;
    int lastSize;
    /** Keras fit's metric names, or null (the notebooks' loss and accuracy) */
    List<String> km;

    Loop(NotebookModel model, TrainOptions o, StopSignal stop, PrintStream out, TrainingData data, History h,
        boolean validate) {
      this.model = model;
      this.o = o;
      this.stop = stop;
      this.out = out;
      this.p = model.protocol();
      this.data = data;
      this.h = h;
      this.validate = validate;
      this.es = o.earlyStopping();
    }

    /** The initial weights (initializers, or a checkpoint by name), the batches, and a fresh or resumed state. */
    void begin(Trainer trainer) throws IOException {
      t = trainer;
      modelVars = new Checkpoint(Ops.create(t.graph()), "rnnport_export", t.modelGraph().modelVariables());
      ckpts = new RunCheckpoints(Ops.create(t.graph()), o.runDir().resolve("checkpoints"), o.keepCheckpoints(),
          t.modelGraph().allVariables(), t.modelGraph().modelVariables());
      t.initialize();
      if (o.initCheckpoint() != null) {
        // e.g. the Python oracle's initial checkpoint: model variables restored by exact TF1 name
        new Checkpoint(Ops.create(t.graph()), "rnnport_init", t.modelGraph().modelVariables())
            .restore(t.session(), o.initCheckpoint().toString());
        LOG.info("model variables restored from {}", o.initCheckpoint());
      }
      // numpy takes 32-bit seeds; Keras' order its own seed whole (TfRandomShuffle.forKerasFit)
      batches = data.train().open(o.batchSize(), o.order(),
          o.order() == org.rnnport.data.BatchOrder.KERAS ? o.seed() : o.seed() & 0xffffffffL);
      steps = p.stepsPerEpoch(batches, o.stepsPerEpoch());
      p.describe(h.hyperparameters, steps);
      if (es != null) {
        h.hyperparameters.put("earlyStopping", Map.of("patience", es.patience(), "monitor", es.monitor(),
            "restoreBestWeights", es.restoreBest()));
      }
      esState = es == null ? null : es.initial();
      if (o.resume()) {
        resume();
      } else {
        int removed = ckpts.clear();
        if (removed > 0) {
          out.println("removed the checkpoints of an earlier run in " + ckpts.dir() + " (" + removed + " files)");
        }
      }
      km = p.kerasMetrics();
      if (validate && km == null) {
        accuracy = h.epochMetrics.computeIfAbsent("accuracy", k -> new ArrayList<>());
        valLoss = h.epochMetrics.computeIfAbsent("val_loss", k -> new ArrayList<>());
        valAccuracy = h.epochMetrics.computeIfAbsent("val_accuracy", k -> new ArrayList<>());
      }
      ctx = new Context(t, batches, data, h, out, o.batchSize());
      ctx.step = (int) globalStep;
    }

    /** Every variable, the batch stream, the epoch's sums, early stopping and the history from the newest checkpoint. */
    private void resume() throws IOException {
      RunCheckpoints.Found f = ckpts.latestValid(out);
      if (f == null) {
        throw new IOException(o.runDir() + ": no intact checkpoint in " + ckpts.dir() + " to resume from");
      }
      checkSameRun(f, model, h);
      ckpts.restore(t.session(), f.prefix());
      batches.restore(f.state().batches);
      TrainingState st = f.state();
      History before = st.history;
      before.datasetFiles = h.datasetFiles;
      before.versions = h.versions;
      before.gitCommit = h.gitCommit;
      before.interrupted = false;
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("fromCheckpoint", f.name());
      r.put("step", st.globalStep);
      r.put("at", Instant.now().toString());
      before.resumes.add(r);
      h = before;
      priorSeconds = h.timings.getOrDefault("trainSeconds", 0.0);
      globalStep = st.globalStep;
      esState = st.earlyStopping;
      if (st.epochComplete) {
        startEpoch = st.epoch + 1;
      } else {
        startEpoch = st.epoch;
        resumed = new EpochStats(st.epoch, o.epochs(), steps);
        TrainingState.EpochProgress e = st.epochProgress;
        resumed.steps = e.steps();
        resumed.batchLossSum = e.batchLossSum();
        resumed.exampleLossSum = e.exampleLossSum();
        resumed.examples = e.examples();
        resumed.correct = e.correct();
        resumed.lastLoss = e.lastLoss();
        resumed.kerasMeans = st.kerasMeans == null ? null : st.kerasMeans.clone();
      }
      if (esState != null && esState.bestEpoch > 0) {
        ckpts.protect(bestName(h, esState));
      }
      out.printf("resuming %s from %s: step %d, epoch %d%s%n", model.name(), f.prefix(), globalStep, st.epoch,
          st.epochComplete ? " (complete)" : ", step " + st.stepInEpoch + " of " + steps);
    }

    /** on_train_begin: the graph and hyperparameters on TensorBoard (a resumed run continues its event files). */
    void onTrainBegin(Board b) throws IOException {
      board = b;
      if (o.resume()) {
        board.train.restart(globalStep);
      } else {
        board.train.graph(t.graph().toGraphDef());
        board.train.text("hyperparameters", 0, markdownTable(model, h.hyperparameters));
      }
      stopEarly = esState != null && esState.stoppedEpoch > 0;
    }

    /**
     * One epoch's batches (the rest of a resumed epoch), with the progress bar; null when a stop was requested (the
     * position is checkpointed, the history marked interrupted).
     */
    EpochStats epoch(int epoch) throws IOException {
      ctx.epoch = epoch;
      long e0 = System.nanoTime();
      boolean continuing = resumed != null && epoch == startEpoch;
      EpochStats s = continuing ? resumed : new EpochStats(epoch, o.epochs(), steps);
      if (km != null && s.kerasMeans == null) {
        s.kerasMeans = new Trainer.KerasMeans(km.size()).state;
      }
      if (!continuing) {
        batches.startEpoch();
      }
      try (ProgressBar pb = Progress.bar(p.progressLabel(epoch, o.epochs()), steps, null, 1)) {
        pb.stepTo(s.steps);
        long checkpointed = globalStep;
        for (int i = s.steps; i < steps; i++) {
          if (stop.requested()) {
            if (globalStep > checkpointed) {
              h.timings.put("trainSeconds", trainSeconds());
              ckpts.save(t.session(), globalStep, state(model, h, globalStep, epoch, i, false, batches, s, esState));
            }
            h.interrupted = true;
            return null;
          }
          batch(s);
          onBatchEnd(s, pb);
          if (o.checkpointEvery() > 0 && globalStep % o.checkpointEvery() == 0 && i < steps - 1) {
            h.timings.put("trainSeconds", trainSeconds());
            ckpts.save(t.session(), globalStep, state(model, h, globalStep, epoch, i + 1, false, batches, s, esState));
            checkpointed = globalStep;
            board.flush();
          }
        }
      }
      if (h.devicesUsed == null || h.devicesUsed.isEmpty()) {
        h.devicesUsed = t.devicesUsed();
        LOG.info("ops ran on {}", t.devicesUsed());
      }
      s.seconds = (System.nanoTime() - e0) / 1e9;
      return s;
    }

    /** train_step: one optimizer step on the next batch, its loss and correct predictions added to the epoch's. */
    void batch(EpochStats s) {
      batches.next();
      int n = batches.size();
      long st = System.nanoTime();
      Trainer.BatchResult r;
      try (Tensor x = batches.x(t.inputDims()); TFloat32 y = batches.oneHot()) {
        r = t.runBatch(x, y, true);
      }
      stepMillis.add((System.nanoTime() - st) / 1e6);
      h.batchCost.add(r.loss());
      int c = correct(r, batches, n);
      s.add(r.loss(), n, c);
      if (s.kerasMeans != null) {
        new Trainer.KerasMeans(s.kerasMeans).add(r, n);
      }
      lastCorrect = c;
      lastSize = n;
    }

    /** on_train_batch_end: the protocol's per-step hook, TensorBoard's batch scalars, the progress bar. */
    private void onBatchEnd(EpochStats s, ProgressBar pb) throws IOException {
      ctx.step++;
      globalStep++;
      p.afterStep(ctx);
      board.train.scalar("batch_loss", globalStep, s.lastLoss);
      if (km == null) {
        board.train.scalar("batch_accuracy", globalStep, (double) lastCorrect / lastSize);
      } else {
        // Keras' logs at a batch's end: the epoch's running means
        float[] r = new Trainer.KerasMeans(s.kerasMeans).results();
        for (int i = 0; i < km.size(); i++) {
          board.train.scalar("batch_" + km.get(i), globalStep, r[1 + i]);
        }
      }
      board.train.scalar("batch_learning_rate", globalStep, o.learningRate());
      pb.step();
      pb.setExtraMessage(p.stepMessage(s));
      TestHooks.pause("step:" + globalStep, stop::requested);
    }

    /**
     * The end of an epoch: validation (forward passes only: no variable changes, no random numbers, the batch order
     * untouched), then on_epoch_end: the protocol's line, TensorBoard, early stopping, the epoch's checkpoint.
     */
    void endEpoch(EpochStats s) throws IOException {
      if (km != null) {
        kerasEndEpoch(s);
        return;
      }
      if (validate) {
        long v0 = System.nanoTime();
        double[] val = t.evaluate(data.validation(), p.evalBatchSize(o.batchSize()));
        s.valLoss = val[0];
        s.valAccuracy = val[1];
        accuracy.add(s.accuracy());
        valLoss.add(val[0]);
        valAccuracy.add(val[1]);
        s.seconds += (System.nanoTime() - v0) / 1e9;
      }
      h.epochCost.add(p.epochLoss(s));
      p.afterEpoch(ctx, s);
      board.epoch(s.epoch, p.epochLoss(s), s.accuracy(), o.learningRate(), s.valLoss, s.valAccuracy);
      callbacks(s);
    }

    /** The epoch's callbacks after its logs: early stopping, the epoch's checkpoint. */
    private void callbacks(EpochStats s) throws IOException {
      String name = "model.ckpt-" + globalStep;
      if (es != null) {
        double current = es.monitor().equals("val_loss") ? s.valLoss : s.valAccuracy;
        EarlyStopping.Decision d = es.update(esState, s.epoch, current);
        if (d == EarlyStopping.Decision.IMPROVED_CONTINUE) {
          esState.hasBestWeights = true;
          esState.bestGlobalStep = globalStep;
          h.results.put("bestEpoch", (double) s.epoch);
          ckpts.protect(name);
        }
        stopEarly = d == EarlyStopping.Decision.STOP;
      }
      h.timings.put("trainSeconds", trainSeconds());
      ckpts.save(t.session(), globalStep, state(model, h, globalStep, s.epoch, steps, true, batches, s, esState));
      board.flush();
      TestHooks.pause("epoch-end:" + s.epoch);
    }

    /**
     * {@link #endEpoch} of Keras fit's logs: validation as {@code model.evaluate} (float32 running means), the history's
     * metrics (each metric every epoch; val_loss and val_ metrics when validating) and TensorBoard's epoch scalars,
     * then the same callbacks.
     */
    private void kerasEndEpoch(EpochStats s) throws IOException {
      float[] train = new Trainer.KerasMeans(s.kerasMeans).results();
      if (validate) {
        long v0 = System.nanoTime();
        float[] val = t.evaluateKeras(data.validation(), p.evalBatchSize(o.batchSize()));
        s.valLoss = val[0];
        s.valMetrics = val;
        s.seconds += (System.nanoTime() - v0) / 1e9;
      }
      for (int i = 0; i < km.size(); i++) {
        h.epochMetrics.computeIfAbsent(km.get(i), k -> new ArrayList<>()).add((double) train[1 + i]);
      }
      if (validate) {
        h.epochMetrics.computeIfAbsent("val_loss", k -> new ArrayList<>()).add(s.valLoss);
        for (int i = 0; i < km.size(); i++) {
          h.epochMetrics.computeIfAbsent("val_" + km.get(i), k -> new ArrayList<>()).add((double) s.valMetrics[1 + i]);
        }
      }
      h.epochCost.add(p.epochLoss(s));
      p.afterEpoch(ctx, s);
      board.train.scalar("epoch_loss", s.epoch - 1, p.epochLoss(s));
      for (int i = 0; i < km.size(); i++) {
        board.train.scalar("epoch_" + km.get(i), s.epoch - 1, train[1 + i]);
      }
      board.train.scalar("epoch_learning_rate", s.epoch - 1, o.learningRate());
      if (board.validation != null) {
        board.validation.scalar("epoch_loss", s.epoch - 1, s.valLoss);
        for (int i = 0; i < km.size(); i++) {
          board.validation.scalar("epoch_" + km.get(i), s.epoch - 1, s.valMetrics[1 + i]);
        }
      }
      callbacks(s);
    }

    /** on_train_end: early stopping's report and, if asked, the best epoch's weights back. */
    void onTrainEnd() throws IOException {
      if (!stopEarly) {
        return;
      }
      h.results.put("stoppedEpoch", (double) esState.stoppedEpoch);
      out.printf("Epoch %d: early stopping (%s did not improve for %d epochs; best %.4f at epoch %d)%n",
          esState.stoppedEpoch, es.monitor(), es.patience(), esState.best, esState.bestEpoch);
      if (es.restoreBest() && esState.hasBestWeights) {
        Path best = ckpts.dir().resolve(bestName(h, esState));
        ckpts.restoreModel(t.session(), best);
        out.println("Restoring model weights from the end of the best epoch: " + esState.bestEpoch + " (" + best + ")");
      }
    }

    /** Timings, then the final evaluation and the export (not after a stop), history.json and loss.png. */
    void end() throws IOException {
      double trainSeconds = trainSeconds();
      h.timings.put("trainSeconds", trainSeconds);
      h.timings.put("medianStepMillis", median(stepMillis));
      h.timings.put("checkpointSeconds", ckpts.secondsSaving());
      h.timings.put("checkpointsWritten", (double) ckpts.saved());
      if (!h.interrupted) {
        long e0 = System.nanoTime();
        double acc = p.afterTraining(ctx);
        h.timings.put("testEvalSeconds", (System.nanoTime() - e0) / 1e9);
        export(model, t, modelVars, o, h, acc, trainSeconds, out);
      } else {
        out.println("\ninterrupted: history and a checkpoint written, nothing exported; continue with "
            + "rnnport " + ("keras".equals(model.notebook()) ? "fit" : "train") + " --resume " + o.runDir());
      }
      writeOutputs(model, p, o, h);
    }

    private double trainSeconds() {
      return priorSeconds + (System.nanoTime() - t0) / 1e9;
    }
  }

  private static void writeOutputs(NotebookModel model, TrainingProtocol p, TrainOptions o, History h)
      throws IOException {
    Json.write(o.runDir().resolve("history.json"), h);
    List<Double> valLoss = h.epochMetrics.getOrDefault("val_loss", List.of());
    if (p.plotsTrainVsValidation()) {
      if (!h.epochCost.isEmpty()) {
        LossPlot.writeTrainVsTest(o.runDir().resolve("loss.png"), model.name(), h.epochCost, valLoss);
      }
    } else if (!h.batchCost.isEmpty()) {
      LossPlot.write(o.runDir().resolve("loss.png"), model.name(), h.epochCost, h.batchCost, valLoss);
    }
  }

  /** The checkpoint at the end of early stopping's best epoch. */
  private static String bestName(History h, EarlyStopping.State es) {
    return "model.ckpt-" + es.bestGlobalStep;
  }

  private static TrainingState state(NotebookModel model, History h, long globalStep, int epoch, int stepInEpoch,
      boolean complete, BatchStream batches, EpochStats s, EarlyStopping.State es) {
    TrainingState st = new TrainingState();
    st.model = model.name();
    st.hyperparameters = h.hyperparameters;
    st.globalStep = globalStep;
    st.epoch = epoch;
    st.stepInEpoch = stepInEpoch;
    st.epochComplete = complete;
    st.batches = batches.state();
    st.epochProgress = new TrainingState.EpochProgress(s.steps, s.batchLossSum, s.exampleLossSum, s.examples, s.correct,
        s.lastLoss);
    st.earlyStopping = es;
    st.kerasMeans = s.kerasMeans;
    st.history = h;
    return st;
  }

  /** A resume must continue the same model with the same hyperparameters. */
  private static void checkSameRun(RunCheckpoints.Found f, NotebookModel model, History now) {
    TrainingState st = f.state();
    if (!model.name().equals(st.model)) {
      throw new IllegalArgumentException("cannot resume: checkpoint " + f.prefix() + " is a run of " + st.model
          + ", not " + model.name());
    }
    com.fasterxml.jackson.databind.JsonNode was;
    com.fasterxml.jackson.databind.JsonNode is;
    try {
      // both as they read back from JSON (a float and a double, an int and a long compare equal)
      was = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(st.hyperparameters));
      is = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(now.hyperparameters));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    List<String> diffs = new ArrayList<>();
    java.util.Set<String> keys = new java.util.TreeSet<>();
    was.fieldNames().forEachRemaining(keys::add);
    is.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      // the graph may change on resume: both graphs have the same variables and train the same function
      if (!k.equals("graph") && !java.util.Objects.equals(was.get(k), is.get(k))) {
        diffs.add(k + ": the run has " + was.get(k) + ", now " + is.get(k));
      }
    }
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException("cannot resume " + f.prefix() + " with other hyperparameters ("
          + String.join("; ", diffs) + "); a resumed run keeps its own");
    }
  }

  private static String markdownTable(NotebookModel model, Map<String, Object> hp) {
    StringBuilder sb = new StringBuilder("| hyperparameter | value |\n|---|---|\n");
    sb.append("| model | ").append(model.name()).append(" |\n");
    hp.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    sb.append("| gitCommit | ").append(Provenance.gitCommit()).append(" |\n");
    return sb.toString();
  }

  /** Keras TensorBoard callback's layout: train/ and validation/ event files, batch_* and epoch_* scalars. */
  private static final class Board implements AutoCloseable {
    final EventWriter train;
    final EventWriter validation;

    Board(Path dir, boolean validate) throws IOException {
      train = new EventWriter(dir.resolve("train"));
      validation = validate ? new EventWriter(dir.resolve("validation")) : null;
    }

    /** Epoch scalars at step {@code epoch - 1}, as Keras numbers epochs from 0. */
    void epoch(int epoch, double loss, double accuracy, double lr, double valLoss, double valAccuracy)
        throws IOException {
      train.scalar("epoch_loss", epoch - 1, loss);
      train.scalar("epoch_accuracy", epoch - 1, accuracy);
      train.scalar("epoch_learning_rate", epoch - 1, lr);
      if (validation != null) {
        validation.scalar("epoch_loss", epoch - 1, valLoss);
        validation.scalar("epoch_accuracy", epoch - 1, valAccuracy);
      }
    }

    void flush() throws IOException {
      train.flush();
      if (validation != null) {
        validation.flush();
      }
    }

    @Override
    public void close() throws IOException {
      train.close();
      if (validation != null) {
        validation.close();
      }
    }
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
    if (o.graph() != org.rnnport.nn.GraphKind.FAITHFUL) {
      hp.put("graph", o.graph().label());
    }
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
    if (!Double.isNaN(testAccuracy)) {
      training.put("testAccuracy", testAccuracy);
    }
    training.put("trainSeconds", trainSeconds);
    ModelInfo info = Provenance.modelInfo(model, t.modelGraph().inputKey(), training, h.datasetFiles);
    Path dir = SavedModelExporter.export(model, t.session(), modelVars, o.exportRoot(), o.exportVersion(), info,
        o.graph());
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
    public float[] evaluateKeras(EvalSet set, int batchSize) {
      return trainer.evaluateKeras(set, batchSize);
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
