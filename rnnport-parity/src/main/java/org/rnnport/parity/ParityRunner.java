package org.rnnport.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.BatchStream;
import org.rnnport.data.EvalSet;
import org.rnnport.eval.Inspector;
import org.rnnport.export.Checkpoint;
import org.rnnport.export.ModelInfo;
import org.rnnport.export.Provenance;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.export.Versions;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainingData;
import org.rnnport.models.TrainingProtocol;
import org.rnnport.nn.PythonGradients;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.train.Trainer;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Json;
import org.tensorflow.Result;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * Runs a model's Python oracle and the Java port on the same data and compares them: graphs
 * (variables, placeholders, op types), initial weights, per-step losses, final variables, test
 * logits, and both SavedModels cross-loaded (Java loads Python's; Python loads Java's with the TF2
 * and TF1 loaders). Writes {@code report.json}, {@code report.md} and {@code losses.png}.
 */
public final class ParityRunner {

  /** Thresholds of the parity claim. */
  public static final double MAX_LOSS_REL_DIFF = 1e-5;
  public static final double MAX_CROSS_LOGITS_DIFF = 1e-6;

  /** How the Java side gets its initial weights. */
  public enum Init {
    /** restore the Python oracle's initial checkpoint by name */
    CHECKPOINT,
    /** Java's own initializers with Python's set_random_seed(seed) attributes */
    PYTHON_SEED
  }

  /** Settings of a run. */
  public record Options(NotebookModel notebookModel, int steps, BatchOrder order, long seed, Init init, Path dataDir,
      Path parityDir, Path outDir, int testCount, PythonGradients.Mode gradients, boolean fastGraph) {
    /** Without the fast graph's checks. */
    public Options(NotebookModel notebookModel, int steps, BatchOrder order, long seed, Init init, Path dataDir,
        Path parityDir, Path outDir, int testCount, PythonGradients.Mode gradients) {
      this(notebookModel, steps, order, seed, init, dataDir, parityDir, outDir, testCount, gradients, false);
    }

    /** With gradients summed in Python's order ({@code --gradients python}, the parity default). */
    public Options(NotebookModel notebookModel, int steps, BatchOrder order, long seed, Init init, Path dataDir,
        Path parityDir, Path outDir, int testCount) {
      this(notebookModel, steps, order, seed, init, dataDir, parityDir, outDir, testCount, PythonGradients.Mode.PYTHON);
    }

    /** By registry name. */
    public Options(String model, int steps, BatchOrder order, long seed, Init init, Path dataDir, Path parityDir,
        Path outDir, int testCount) {
      this(ModelRegistry.get(model), steps, order, seed, init, dataDir, parityDir, outDir, testCount);
    }

    /** The Java training graph of this run. */
    Trainer trainer() {
      return new Trainer(notebookModel, SeedSource.tf1GraphSeed(seed), notebookModel.defaults().learningRate(), 0, null,
          gradients);
    }

    public String model() {
      return notebookModel.name();
    }

    /** The oracle's flags for a non-notebook recurrent layer. */
    List<String> rnnArgs() {
      org.rnnport.nn.RnnSpec r = notebookModel.rnn();
      if (r == null) {
        return List.of();
      }
      List<String> a = new ArrayList<>(List.of("--cell", r.cell(), "--units", Integer.toString(r.units()),
          "--layers", Integer.toString(r.layers())));
      if (r.bidirectional()) {
        a.add("--bidirectional");
      }
      return a;
    }
  }

  private ParityRunner() {}

  /** The output folders of a run, its Python environment and what the oracle reported about itself. */
  record Setup(Path out, Path py, Path dataDir, PythonEnv env, ParityRegistry.Oracle oracle) {
    /** Runs the oracle with the common arguments plus {@code extra} and the registry's own. */
    void runOracle(Options o, List<String> extra, PrintStream log) throws IOException {
      List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--out", py.toString(),
          "--steps", Integer.toString(o.steps()), "--seed", Long.toString(o.seed()), "--test-count",
          Integer.toString(o.testCount())));
      args.addAll(extra);
      args.addAll(oracle.args());
      env.runModule(o.parityDir().toAbsolutePath(), oracle.module(), args, log);
    }

    /** A report with the run's settings and both sides' versions (from the oracle's meta.json). */
    ParityReport report(Options o) throws IOException {
      ParityReport rep = new ParityReport();
      rep.model = o.model();
      rep.settings.put("steps", o.steps());
      rep.settings.put("seed", o.seed());
      rep.settings.put("testExamples", o.testCount());
      rep.settings.put("date", Instant.now().toString());
      rep.versions.putAll(Versions.all());
      JsonNode meta = Json.MAPPER.readTree(py.resolve("meta.json").toFile());
      rep.versions.put("pythonTensorflow", meta.get("tensorflow").asText());
      rep.versions.put("pythonNumpy", meta.get("numpy").asText());
      return rep;
    }
  }

  /** Clears {@code <out>/<model>}, and makes the Python environment ready. */
  static Setup setup(Options o, PrintStream log, String registryName) throws IOException {
    Path out = o.outDir().resolve(o.model()).toAbsolutePath();
    AtomicFiles.deleteRecursively(out);
    Files.createDirectories(out);
    PythonEnv env = PythonEnv.ensure(o.parityDir().resolve("requirements.txt"), log);
    return new Setup(out, out.resolve("python"), o.dataDir().toAbsolutePath(), env, ParityRegistry.oracle(registryName));
  }

  /** Writes report.json, report.md and losses.png into the run's folder. */
  static void write(ParityReport rep, Path out) throws IOException {
    Json.write(out.resolve("report.json"), rep);
    AtomicFiles.writeBytes(out.resolve("report.md"), markdown(rep).getBytes(StandardCharsets.UTF_8));
    ParityPlot.write(out.resolve("losses.png"), rep);
  }

  public static ParityReport run(Options o, PrintStream log) throws IOException {
    NotebookModel model = o.notebookModel();
    TrainingProtocol protocol = model.protocol();
    TrainingProtocol.Oracle oracle = protocol.oracle();
    if (!oracle.orders().contains(o.order())) {
      throw new IllegalArgumentException(model.name() + "'s oracle trains in " + oracle.orders() + " order, not "
          + o.order().name().toLowerCase());
    }
    Setup st = setup(o, log, model.registryName());
    PythonLoads loads = new PythonLoads();
    Path out = st.out();
    Path py = st.py();
    Path dataDir = st.dataDir();
    PythonEnv env = st.env();
    String order = o.order().name().toLowerCase();
    log.println("running the Python oracle " + st.oracle().module() + " (" + o.steps() + " steps, "
        + (oracle.describeOrder() != null ? oracle.describeOrder() : order + " order") + ", seed " + o.seed() + ")");
    List<String> extra = new ArrayList<>(List.of("--order", order));
    extra.addAll(o.rnnArgs());
    st.runOracle(o, extra, log);
    ParityReport rep = st.report(o);
    int batchSize = model.defaults().batchSize();
    rep.settings.put("order", oracle.describeOrder() != null
        ? oracle.describeOrder() + " (batches of " + batchSize + ")" : order);
    rep.settings.put("init", oracle.drawsSameInitialWeights() ? o.init().name().toLowerCase().replace('_', '-')
        : "Python's initial weights, restored by name");
    rep.settings.put("gradients", o.gradients().name().toLowerCase());

    TrainingData data = protocol.load(dataDir);
    EvalSet test = data.test();
    int n = Math.min(o.testCount(), test.size());

    try (Trainer java = o.trainer()) {
      if (model.rnn() != null) {
        rep.settings.put("rnn", String.valueOf(model.rnn()));
      }
      List<Tf1Variable> all = java.modelGraph().allVariables();
      List<Tf1Variable> modelVars = java.modelGraph().modelVariables();
      // the variables the oracle's checkpoints hold: all (TF1 Saver) or the model's (Keras weights by name)
      List<Tf1Variable> oracleVars = oracle.writesGraph() ? all : modelVars;

      // 1. graphs (or, without the oracle's graph, the checkpoint's names and shapes)
      if (oracle.writesGraph()) {
        GraphDef pyGraph = parseGraph(py.resolve("graph.pbtxt"));
        GraphDef jGraph = java.graph().toGraphDef();
        List<String> varDiff = GraphComparison.differences(GraphComparison.nodes(pyGraph, "VariableV2", "VarHandleOp"),
            GraphComparison.nodes(jGraph, "VariableV2", "VarHandleOp"));
        rep.check("variables: names, shapes, dtypes", varDiff.isEmpty()
            ? "identical (" + all.size() + " VariableV2)" : String.join("; ", varDiff), "identical", varDiff.isEmpty());
        List<String> phDiff = GraphComparison.differences(GraphComparison.nodes(pyGraph, "Placeholder"),
            GraphComparison.nodes(jGraph, "Placeholder"));
        rep.check("placeholders: names, shapes, dtypes", phDiff.isEmpty() ? "identical" : String.join("; ", phDiff),
            "identical", phDiff.isEmpty());
        Map<String, Object> opTypes = new LinkedHashMap<>();
        GraphComparison.opTypeDifferences(pyGraph, jGraph).forEach((k, v) -> opTypes.put(k, Map.of("python", v[0], "java", v[1])));
        rep.details.put("opTypeCountsThatDiffer", opTypes);
        rep.details.put("nodes", Map.of("python", pyGraph.getNodeCount(), "java", jGraph.getNodeCount()));
      }
      checkCheckpointNames(py.resolve("initial/variables.json"), oracleVars);
      if (!oracle.writesGraph()) {
        rep.check("variables: names, shapes (tf-keras vs Java)", "identical (" + modelVars.size() + ")", "identical", true);
      }

      // 2. initial weights: Java's seeded initializers vs Python's initial checkpoint, or Python's restored
      Checkpoint ckpt = new Checkpoint(Ops.create(java.graph()), "parity_ckpt", oracleVars);
      java.initialize();
      if (oracle.drawsSameInitialWeights()) {
        Map<String, float[]> javaInit = java.values(all);
        // keep Java's own draw: re-running a seeded random op in the same session draws new numbers
        String javaInitCkpt = out.resolve("java/initial/model.ckpt").toString();
        Files.createDirectories(out.resolve("java/initial"));
        ckpt.save(java.session(), javaInitCkpt);
        ckpt.restore(java.session(), py.resolve("initial/model.ckpt").toString());
        Map<String, float[]> pyInit = java.values(all);
        Compare.Diff init = compareVariables(all, javaInit, pyInit, rep, "initialVariables");
        rep.check("initial weights: Java initializers with set_random_seed(" + o.seed() + ") vs Python's",
            init.describe(), "bit-identical", init.bitIdentical());
        if (o.init() == Init.PYTHON_SEED) {
          ckpt.restore(java.session(), javaInitCkpt);
        }
      } else {
        ckpt.restore(java.session(), py.resolve("initial/model.ckpt").toString());
        rep.check("initial weights", "Python's, restored by name (Keras draws them from its own generator)",
            "restored", true);
      }

      // 3. the same steps on the same batches, drawn as the model's training protocol draws them
      BatchStream batches = data.train().open(batchSize, o.order(), o.seed() & 0xffffffffL);
      long[] dims = java.inputDims();
      int pass = batches.batchesPerPass();
      for (int i = 0; i < o.steps(); i++) {
        if (i == 0 || (pass > 0 && i % pass == 0)) {
          batches.startEpoch();
        }
        batches.next();
        try (Tensor x = batches.x(dims); TFloat32 y = batches.oneHot()) {
          rep.javaLosses.add(java.runBatch(x, y, true).loss());
        }
      }
      for (JsonNode x : Json.MAPPER.readTree(py.resolve("losses.json").toFile()).get("losses")) {
        rep.pythonLosses.add((float) x.asDouble());
      }
      float[] jl = toArray(rep.javaLosses);
      float[] pl = toArray(rep.pythonLosses);
      if (jl.length != pl.length) {
        throw new IOException("the oracle wrote " + pl.length + " losses, Java ran " + jl.length + " steps");
      }
      boolean firstSame = Float.floatToIntBits(jl[0]) == Float.floatToIntBits(pl[0]);
      rep.check("first-step loss", String.format("Java %s, Python %s%s", jl[0], pl[0], firstSame ? " (bit-identical)" : ""),
          "bit-identical", firstSame);
      TrainingChecks.losses(rep, o.gradients(), o.steps(), jl, pl);

      // 4. final variables
      Map<String, float[]> javaFinal = java.values(modelVars);
      Map<String, float[]> pyFinal;
      try (Trainer other = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), model.defaults().learningRate(), 0, null)) {
        List<Tf1Variable> otherVars = oracle.writesGraph() ? other.modelGraph().allVariables()
            : other.modelGraph().modelVariables();
        Checkpoint c2 = new Checkpoint(Ops.create(other.graph()), "parity_ckpt", otherVars);
        c2.restore(other.session(), py.resolve("final/model.ckpt").toString());
        pyFinal = other.values(otherVars);
      }
      Compare.Diff fin = compareVariables(modelVars, javaFinal, pyFinal, rep, "finalModelVariables");
      TrainingChecks.finalVariables(rep, o.gradients(), o.steps(), fin);

      // 5. test logits of the trained graphs
      float[] javaLogits = java.logits(test, n, 1000);
      float[] pyLogits = readFloats(py.resolve("test_logits.json"), "logits");
      Compare.Diff tl = Compare.diff(javaLogits, pyLogits);
      TrainingChecks.testLogits(rep, o.gradients(), "test logits after training (first " + n + " examples)", tl);

      // 6. cross-loading
      Path javaModels = out.resolve("java/savedmodels");
      Map<String, Object> training = new LinkedHashMap<>();
      training.put("parity", true);
      training.put("steps", o.steps());
      training.put("seed", o.seed());
      training.put("order", order);
      ModelInfo info = Provenance.modelInfo(model, java.modelGraph().inputKey(), training,
          Provenance.sha256(dataDir, data.files()));
      Checkpoint exportVars = new Checkpoint(Ops.create(java.graph()), "parity_export", modelVars);
      Path javaSaved = SavedModelExporter.export(model, java.session(), exportVars, javaModels, 1, info);
      Path pySaved = py.resolve("savedmodel/1");
      float[] javaSavedLogits;
      float[] pySavedInJava;
      try (Tensor x = test.x(0, n, dims)) {
        javaSavedLogits = savedModelLogits(javaSaved, x);
        pySavedInJava = savedModelLogits(pySaved, x);
      }
      Compare.Diff exportDiff = Compare.diff(javaSavedLogits, javaLogits);
      rep.check("Java SavedModel vs the Java training graph", exportDiff.describe(), "bit-identical", exportDiff.bitIdentical());
      Compare.Diff j2p = Compare.diff(pySavedInJava, pyLogits);
      rep.check(oracle.tf1SavedModel() ? "Python SavedModel loaded in Java vs Python's logits"
              : "Python SavedModel (TF2, Keras) loaded in Java vs Python's logits", j2p.describe(), "max abs <= 1e-6",
          j2p.maxAbs() <= MAX_CROSS_LOGITS_DIFF);
      if (oracle.tf1SavedModel()) {
        rep.details.put("pythonSavedModelAccuracyInJava", accuracy(pySaved, test, dims, model.classes()));
      }

      loads.add(javaSaved, out.resolve("python-loads-java.json"), cross -> {
        for (String loader : List.of("v2", "v1")) {
          float[] got = floats(cross.get(loader).get("logits"));
          Compare.Diff d = Compare.diff(got, javaSavedLogits);
          String label = loader.equals("v2") ? "tf.saved_model.load(...).signatures['serving_default']"
              : "tf.compat.v1.saved_model.loader.load";
          rep.check("Java SavedModel loaded in Python, " + label, d.describe(), "max abs <= 1e-6",
              d.maxAbs() <= MAX_CROSS_LOGITS_DIFF);
        }
      });

      // 7. signatures (the oracle's TF1 export has the same serving signature; Keras' TF2 one has its own)
      if (oracle.tf1SavedModel()) {
        SignatureDef jSig = Inspector.read(javaSaved).getMetaGraphs(0).getSignatureDefOrThrow(SavedModelExporter.SIGNATURE);
        SignatureDef pSig = Inspector.read(pySaved).getMetaGraphs(0).getSignatureDefOrThrow(SavedModelExporter.SIGNATURE);
        List<String> sigDiff = GraphComparison.differences(GraphComparison.signature(pSig), GraphComparison.signature(jSig));
        rep.check("serving_default signature (keys, dtypes, shapes, method)",
            sigDiff.isEmpty() ? "identical" : String.join("; ", sigDiff), "identical", sigDiff.isEmpty());
      }
    }

    if (o.fastGraph()) {
      fastGraph(o, st, rep, data, pyLogits(py), n, loads);
    }
    loads.run(env, o.parityDir(), dataDir, n, model.input().dataset(), log);
    write(rep, out);
    return rep;
  }

  /** {@code --graph fast}: the largest relative loss difference, per step, against Python's losses. */
  static final double FAST_MAX_LOSS_REL = 1e-5;
  /** {@code --graph fast}: the largest {@code ||fast - python|| / ||python||} of a final variable. */
  static final double FAST_MAX_VARIABLE_REL = 1e-5;
  /** {@code --graph fast}: the largest difference of a test logit after training, over the largest |logit|. */
  static final double FAST_MAX_TEST_LOGIT_REL = 1e-4;

  private static float[] pyLogits(Path py) throws IOException {
    return readFloats(py.resolve("test_logits.json"), "logits");
  }

  /** Losses, final model variables and test logits of a Java graph trained on the oracle's run. */
  private record Trained(float[] losses, Map<String, float[]> finalVars, float[] logits) {
    /** Worst relative loss difference to Python's over the first {@code k} steps. */
    double lossRel(float[] python, int k) {
      return Compare.diff(java.util.Arrays.copyOf(losses, k), java.util.Arrays.copyOf(python, k)).maxRel();
    }

    /** Worst per-variable relative L2 difference to Python's, and which variable. */
    Map.Entry<String, Double> varRel(List<Tf1Variable> vars, Map<String, float[]> python) {
      Map.Entry<String, Double> worst = Map.entry("", 0.0);
      for (Tf1Variable v : vars) {
        double rel = Compare.relativeL2(finalVars.get(v.name()), python.get(v.name()));
        if (rel >= worst.getValue()) {
          worst = Map.entry(v.name(), rel);
        }
      }
      return worst;
    }

    /** Largest logit difference to Python's over the largest |logit|. */
    double logitRel(float[] python) {
      double scale = 0;
      for (float v : python) {
        scale = Math.max(scale, Math.abs(v));
      }
      return Compare.diff(logits, python).maxAbs() / Math.max(scale, 1e-30);
    }
  }

  /** Trains {@code t} from Python's initial checkpoint on the oracle's batches. */
  private static Trained trainLikeOracle(Trainer t, Options o, Setup st, TrainingData data, int n) throws IOException {
    NotebookModel model = o.notebookModel();
    TrainingProtocol.Oracle oracle = model.protocol().oracle();
    List<Tf1Variable> modelVars = t.modelGraph().modelVariables();
    List<Tf1Variable> oracleVars = oracle.writesGraph() ? t.modelGraph().allVariables() : modelVars;
    t.initialize();
    new Checkpoint(Ops.create(t.graph()), "parity_ckpt", oracleVars).restore(t.session(),
        st.py().resolve("initial/model.ckpt").toString());
    BatchStream batches = data.train().open(model.defaults().batchSize(), o.order(), o.seed() & 0xffffffffL);
    long[] dims = t.inputDims();
    int pass = batches.batchesPerPass();
    float[] losses = new float[o.steps()];
    for (int i = 0; i < o.steps(); i++) {
      if (i == 0 || (pass > 0 && i % pass == 0)) {
        batches.startEpoch();
      }
      batches.next();
      try (Tensor x = batches.x(dims); TFloat32 y = batches.oneHot()) {
        losses[i] = t.runBatch(x, y, true).loss();
      }
    }
    return new Trained(losses, t.values(modelVars), t.logits(data.test(), n, 1000));
  }

  /** Steps whose losses must agree within {@link #FAST_MAX_LOSS_REL} whatever the trajectory does later. */
  static final int FAST_STRICT_STEPS = 10;
  /**
   * A trajectory is sensitive when the faithful graph with a mere change of summation order (TF Java's gradient
   * order) drifts past this fraction of a tolerance: then a free-running comparison at that tolerance says more
   * about the trajectory than about the graph, and the step-by-step check decides.
   */
  static final double FAST_SENSITIVE_FRACTION = 0.1;

  /**
   * {@code --graph fast}, step by step: the largest relative L2 difference of an optimizer slot (Adam's moments).
   * A slot holds running gradients, and a bias gradient sums batch times time terms of both signs to a small
   * number, so its rounding error relative to its own size is larger than a variable's; 1e-3 still catches any
   * wrong or missing term, which shows at order 1.
   */
  static final double FAST_MAX_SLOT_REL = 1e-3;

  /** One worst difference: its size, where and at which step (0-based). */
  private record Worst(double rel, String name, int step) {
    Worst max(double r, String n, int s) {
      return r > rel ? new Worst(r, n, s) : this;
    }

    String describe() {
      return String.format("%.3g (%sstep %d)", rel, name.isEmpty() ? "" : name + ", ", step + 1);
    }
  }

  /**
   * The worst differences of the fast graph's step against the faithful graph's, each step taken from the same
   * state: the loss, the model variables after the step, and the optimizer's slots after it.
   */
  private record Anchored(Worst loss, Worst variable, Worst slot) {
    boolean pass() {
      return loss.rel() <= FAST_MAX_LOSS_REL && variable.rel() <= FAST_MAX_VARIABLE_REL
          && slot.rel() <= FAST_MAX_SLOT_REL;
    }

    String describe() {
      return "loss max rel " + loss.describe() + "; model variables worst relative L2 " + variable.describe()
          + "; Adam slots " + slot.describe();
    }
  }

  /**
   * Trains {@code anchor} (a faithful graph) like the oracle and, before each of its steps, copies its whole state
   * (model variables, Adam slots, beta powers) into {@code fast}, which takes the same step on the same batch.
   * Differences cannot compound here, so the fast graph is held to 1e-5 at each of the run's steps, however
   * sensitive the trajectory is.
   */
  private static Trained anchoredRun(Trainer anchor, Trainer fast, Options o, Setup st, TrainingData data, int n,
      Anchored[] result) throws IOException {
    NotebookModel model = o.notebookModel();
    TrainingProtocol.Oracle oracle = model.protocol().oracle();
    List<Tf1Variable> modelVars = anchor.modelGraph().modelVariables();
    List<Tf1Variable> oracleVars = oracle.writesGraph() ? anchor.modelGraph().allVariables() : modelVars;
    List<Tf1Variable> all = anchor.modelGraph().allVariables();
    anchor.initialize();
    fast.initialize();
    new Checkpoint(Ops.create(anchor.graph()), "parity_ckpt", oracleVars).restore(anchor.session(),
        st.py().resolve("initial/model.ckpt").toString());
    Checkpoint from = new Checkpoint(Ops.create(anchor.graph()), "parity_anchor", all);
    Checkpoint to = new Checkpoint(Ops.create(fast.graph()), "parity_anchor", fast.modelGraph().allVariables());
    Path dir = Files.createDirectories(st.out().resolve("anchor"));
    String state = dir.resolve("state").toString();
    BatchStream batches = data.train().open(model.defaults().batchSize(), o.order(), o.seed() & 0xffffffffL);
    long[] dims = anchor.inputDims();
    int pass = batches.batchesPerPass();
    float[] losses = new float[o.steps()];
    java.util.Set<String> modelNames = new java.util.HashSet<>();
    modelVars.forEach(v -> modelNames.add(v.name()));
    Worst loss = new Worst(0, "", 0);
    Worst variable = loss;
    Worst slot = loss;
    for (int i = 0; i < o.steps(); i++) {
      if (i == 0 || (pass > 0 && i % pass == 0)) {
        batches.startEpoch();
      }
      batches.next();
      from.save(anchor.session(), state);
      to.restore(fast.session(), state);
      try (Tensor x = batches.x(dims); TFloat32 y = batches.oneHot()) {
        losses[i] = anchor.runBatch(x, y, true).loss();
        float fl = fast.runBatch(x, y, true).loss();
        loss = loss.max(Math.abs((double) fl - losses[i]) / Math.max(Math.abs(losses[i]), 1e-30), "", i);
      }
      Map<String, float[]> a = anchor.values(all);
      Map<String, float[]> f = fast.values(fast.modelGraph().allVariables());
      for (Tf1Variable v : all) {
        double rel = Compare.relativeL2(f.get(v.name()), a.get(v.name()));
        if (modelNames.contains(v.name())) {
          variable = variable.max(rel, v.name(), i);
        } else {
          slot = slot.max(rel, v.name(), i);
        }
      }
    }
    result[0] = new Anchored(loss, variable, slot);
    return new Trained(losses, anchor.values(modelVars), anchor.logits(data.test(), n, 1000));
  }

  /**
   * Whether a free-running difference passes: within {@code tolerance}, or, on a sensitive trajectory (the
   * yardstick alone drifts past {@link #FAST_SENSITIVE_FRACTION} of it), when the step-by-step check passes.
   */
  private static boolean freeRunPasses(double fast, double yardstick, double tolerance, Anchored anchored) {
    return fast <= tolerance || (yardstick > FAST_SENSITIVE_FRACTION * tolerance && anchored.pass());
  }

  /**
   * The fast graph ({@link org.rnnport.nn.FastRnn}) against the same oracle run: the same variables restored from
   * Python's initial checkpoint, the same batches; losses, final variables and test logits within 1e-5 (the
   * graphs sum in other orders, so not bit for bit); its SavedModel keeps the signature and loads in Python.
   *
   * <p>Some trajectories are sensitive: from some initial weights (reuters-lstm's, which Keras draws unseeded), any
   * change in the order of a sum, TF Java's own gradient order included, grows from 1e-7 to 1e-2 within a few
   * steps near the end of the run, and how far it grows varies from machine to machine. So the fast graph is
   * also checked step by step: at each step it starts from the faithful graph's exact state and must agree within
   * 1e-5, which no trajectory can excuse. The free-running comparisons must hold at 1e-5 too, unless the faithful
   * graph with TF Java's gradient order (the yardstick, trained on the same run) itself drifts past a tenth of the
   * tolerance; the first {@link #FAST_STRICT_STEPS} losses must agree within 1e-5 regardless.
   */
  static void fastGraph(Options o, Setup st, ParityReport rep, TrainingData data, float[] pyLogits, int n,
      PythonLoads loads) throws IOException {
    NotebookModel model = o.notebookModel();
    TrainingProtocol.Oracle oracle = model.protocol().oracle();
    Path py = st.py();
    EvalSet test = data.test();
    float[] pl = toArray(rep.pythonLosses);
    Map<String, float[]> pyFinal;
    try (Trainer other = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), model.defaults().learningRate(), 0,
        null)) {
      List<Tf1Variable> otherVars = oracle.writesGraph() ? other.modelGraph().allVariables()
          : other.modelGraph().modelVariables();
      new Checkpoint(Ops.create(other.graph()), "parity_ckpt", otherVars).restore(other.session(),
          py.resolve("final/model.ckpt").toString());
      pyFinal = other.values(otherVars);
    }
    Trained yard;
    Anchored[] anchoredOut = new Anchored[1];
    try (Trainer tfOrder = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), model.defaults().learningRate(), 0,
        null, PythonGradients.Mode.TF, org.rnnport.nn.GraphKind.FAITHFUL);
         Trainer stepper = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), model.defaults().learningRate(), 0,
        null, PythonGradients.Mode.TF, org.rnnport.nn.GraphKind.FAST)) {
      yard = anchoredRun(tfOrder, stepper, o, st, data, n, anchoredOut);
    }
    Anchored anchored = anchoredOut[0];
    rep.check("fast graph: each of " + o.steps() + " steps from the faithful graph's state", anchored.describe(),
        "loss max rel <= 1e-5, relative L2 <= 1e-5 per variable, <= 1e-3 per slot", anchored.pass());
    try (Trainer fast = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), model.defaults().learningRate(), 0, null,
        PythonGradients.Mode.TF, org.rnnport.nn.GraphKind.FAST)) {
      List<Tf1Variable> modelVars = fast.modelGraph().modelVariables();
      Trained f = trainLikeOracle(fast, o, st, data, n);
      long[] dims = fast.inputDims();
      rep.details.put("fastGraphLosses", f.losses());
      int strict = Math.min(FAST_STRICT_STEPS, o.steps());
      double first = f.lossRel(pl, strict);
      rep.check("fast graph: loss over the first " + strict + " steps", String.format("max rel %.3g", first),
          "max rel <= 1e-5", first <= FAST_MAX_LOSS_REL);
      String sensitive = "; on a sensitive trajectory (the gradient order alone past a tenth of it), the step-by-step check";
      double lossRel = f.lossRel(pl, o.steps());
      double yLoss = yard.lossRel(pl, o.steps());
      rep.check("fast graph: loss over " + o.steps() + " steps",
          String.format("max rel %.3g (faithful graph, TF Java's gradient order: %.3g)", lossRel, yLoss),
          "max rel <= 1e-5" + sensitive, freeRunPasses(lossRel, yLoss, FAST_MAX_LOSS_REL, anchored));
      Map.Entry<String, Double> vr = f.varRel(modelVars, pyFinal);
      double yVar = yard.varRel(modelVars, pyFinal).getValue();
      Map<String, Object> perVar = new LinkedHashMap<>();
      for (Tf1Variable v : modelVars) {
        perVar.put(v.name(), Compare.relativeL2(f.finalVars().get(v.name()), pyFinal.get(v.name())));
      }
      rep.details.put("fastGraphFinalVariablesRelativeL2", perVar);
      rep.check("fast graph: final model variables after " + o.steps() + " steps",
          String.format("worst relative L2 difference %.3g (%s; gradient order: %.3g)", vr.getValue(), vr.getKey(), yVar),
          "relative L2 <= 1e-5 per variable" + sensitive,
          freeRunPasses(vr.getValue(), yVar, FAST_MAX_VARIABLE_REL, anchored));
      double lr = f.logitRel(pyLogits);
      double yLogits = yard.logitRel(pyLogits);
      rep.check("fast graph: test logits after training (first " + n + " examples)",
          String.format("max abs %.3g of the largest |logit| (gradient order: %.3g)", lr, yLogits),
          "<= 1e-4 of the largest |logit|" + sensitive,
          freeRunPasses(lr, yLogits, FAST_MAX_TEST_LOGIT_REL, anchored));
      float[] fastLogits = f.logits();

      // its SavedModel: the faithful signature, the training graph's logits, and Python loads it
      Map<String, Object> training = new LinkedHashMap<>();
      training.put("parity", true);
      training.put("graph", "fast");
      ModelInfo info = Provenance.modelInfo(model, fast.modelGraph().inputKey(), training,
          Provenance.sha256(st.dataDir(), data.files()));
      Path saved = SavedModelExporter.export(model, fast.session(),
          new Checkpoint(Ops.create(fast.graph()), "parity_export", modelVars), st.out().resolve("java/savedmodels-fast"),
          1, info, org.rnnport.nn.GraphKind.FAST);
      float[] savedLogits;
      try (Tensor x = test.x(0, n, dims)) {
        savedLogits = savedModelLogits(saved, x);
      }
      Compare.Diff sd = Compare.diff(savedLogits, fastLogits);
      rep.check("fast graph: its SavedModel vs its training graph", sd.describe(), "max abs <= 1e-6",
          sd.maxAbs() <= MAX_CROSS_LOGITS_DIFF);
      Path faithfulSaved = st.out().resolve("java/savedmodels/" + model.name() + "/1");
      SignatureDef fSig = Inspector.read(saved).getMetaGraphs(0).getSignatureDefOrThrow(SavedModelExporter.SIGNATURE);
      SignatureDef jSig = Inspector.read(faithfulSaved).getMetaGraphs(0)
          .getSignatureDefOrThrow(SavedModelExporter.SIGNATURE);
      List<String> sigDiff = GraphComparison.differences(GraphComparison.signature(jSig), GraphComparison.signature(fSig));
      rep.check("fast graph: serving_default signature vs the faithful export's",
          sigDiff.isEmpty() ? "identical" : String.join("; ", sigDiff), "identical", sigDiff.isEmpty());
      loads.add(saved, st.out().resolve("python-loads-java-fast.json"), cross -> {
        Compare.Diff pd = Compare.diff(floats(cross.get("v2").get("logits")), savedLogits);
        rep.check("fast graph: its SavedModel loaded in Python (tf.saved_model.load)", pd.describe(),
            "max abs <= 1e-6", pd.maxAbs() <= MAX_CROSS_LOGITS_DIFF);
      });
    }
  }

  /** The report as Markdown: settings, the checks, op-type differences. */
  public static String markdown(ParityReport rep) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Parity: ").append(rep.model).append("\n\n");
    sb.append("Settings: ").append(rep.settings).append("  \n");
    sb.append("Java: TF Java ").append(rep.versions.get("tensorflowJava")).append(" (TF ")
        .append(rep.versions.get("tensorflowNative")).append("); Python: tensorflow-cpu ")
        .append(rep.versions.get("pythonTensorflow")).append(", numpy ").append(rep.versions.get("pythonNumpy"))
        .append("\n\n");
    sb.append(rep.markdown()).append('\n');
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Integer>> ops = (Map<String, Map<String, Integer>>) rep.details.get("opTypeCountsThatDiffer");
    if (ops != null && !ops.isEmpty()) {
      sb.append("Op types whose counts differ (Python's While loop vs Java's static unroll):\n\n");
      sb.append("| op type | Python | Java |\n|---|---|---|\n");
      ops.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v.get("python")).append(" | ")
          .append(v.get("java")).append(" |\n"));
    }
    return sb.toString();
  }

  /** Per-variable diffs, recorded under {@code detailKey}; returns them merged. */
  static Compare.Diff compareVariables(List<Tf1Variable> vars, Map<String, float[]> java,
      Map<String, float[]> python, ParityReport rep, String detailKey) {
    Map<String, Object> detail = new LinkedHashMap<>();
    List<Compare.Diff> diffs = new ArrayList<>();
    for (Tf1Variable v : vars) {
      Compare.Diff d = Compare.diff(java.get(v.name()), python.get(v.name()));
      diffs.add(d);
      detail.put(v.name(), d.describe());
    }
    rep.details.put(detailKey, detail);
    return Compare.merge(diffs);
  }

  static void checkCheckpointNames(Path variablesJson, List<Tf1Variable> vars) throws IOException {
    JsonNode ck = Json.MAPPER.readTree(variablesJson.toFile());
    Map<String, String> python = new java.util.TreeMap<>();
    ck.fields().forEachRemaining(e -> python.put(e.getKey(), e.getValue().get("shape").toString().replace(" ", "")));
    Map<String, String> javaVars = new java.util.TreeMap<>();
    for (Tf1Variable v : vars) {
      javaVars.put(v.name(), java.util.Arrays.toString(v.shape().asArray()).replace(" ", ""));
    }
    List<String> diff = GraphComparison.differences(python, javaVars);
    if (!diff.isEmpty()) {
      throw new IOException("the Python checkpoint " + variablesJson.getParent() + " does not match the Java graph by name:\n  "
          + String.join("\n  ", diff));
    }
  }

  private static GraphDef parseGraph(Path pbtxt) throws IOException {
    GraphDef.Builder b = GraphDef.newBuilder();
    TextFormat.getParser().merge(Files.readString(pbtxt, StandardCharsets.UTF_8), b);
    return b.build();
  }

  /** Logits of a SavedModel's serving_default for the input tensor {@code x} (the caller keeps {@code x}). */
  static float[] savedModelLogits(Path dir, org.tensorflow.Tensor x) {
    try (SavedModelPredictor p = SavedModelPredictor.builder(dir).optMaxBatch((int) x.shape().size(0))
        .optResolveVersion(false).build()) {
      SignatureSpec sig = p.signature(SavedModelExporter.SIGNATURE);
      try (Result r = p.run(sig, Map.of(sig.singleInput().key(), x))) {
        TFloat32 t = (TFloat32) r.get("logits").orElseThrow();
        float[] out = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Accuracy of a SavedModel's serving_default on a whole split, through the predictor's one "run, then argmax". */
  static double accuracy(Path dir, EvalSet test, long[] dims, int classes) {
    try (SavedModelPredictor p = SavedModelPredictor.builder(dir).optMaxBatch(test.size()).optResolveVersion(false)
        .build(); NamedTensors in = new NamedTensors()) {
      SignatureSpec sig = p.signature(SavedModelExporter.SIGNATURE);
      in.put(sig.singleInput().key(), test.x(0, test.size(), dims));
      int[] predicted = p.predictClasses(sig.key(), in);
      int correct = 0;
      for (int i = 0; i < test.size(); i++) {
        if (predicted[i] == test.label(i)) {
          correct++;
        }
      }
      return (double) correct / test.size();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static float[] readFloats(Path json, String field) throws IOException {
    return floats(Json.MAPPER.readTree(json.toFile()).get(field));
  }

  /** A (nested) JSON array of numbers, flattened row-major. */
  static float[] floats(JsonNode node) {
    List<Float> out = new ArrayList<>();
    flatten(node, out);
    return toArray(out);
  }

  private static void flatten(JsonNode n, List<Float> out) {
    if (n.isArray()) {
      n.forEach(c -> flatten(c, out));
    } else {
      out.add((float) n.asDouble());
    }
  }

  static float[] toArray(List<Float> xs) {
    float[] a = new float[xs.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = xs.get(i);
    }
    return a;
  }
}
