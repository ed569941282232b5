package org.rnnport.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Batcher;
import org.rnnport.data.DataDir;
import org.rnnport.data.EvalSet;
import org.rnnport.data.Mnist;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceBatches;
import org.rnnport.data.SequenceSet;
import org.rnnport.export.GraphConversion;
import org.rnnport.export.Versions;
import org.rnnport.models.InputKind;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.SeedSource;
import org.rnnport.parity.PythonEnv;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.TensorSpec;
import org.rnnport.train.Trainer;
import org.rnnport.util.Json;
import org.rnnport.util.Progress;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rnnport bench MODEL}: median training ms/step and evaluation samples/s after warm-up, on
 * real batches (MNIST, or Reuters for reuters-lstm). {@code --compare}: the Python notebook graph, the
 * faithful and the fast Java graph, interleaved round by round in one run. A benchmark, not a test: it
 * asserts nothing.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark a model: median training ms/step and eval samples/s after warm-up; --compare: "
        + "the Python notebook graph vs the faithful and fast Java graphs, interleaved.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(description = "model name, e.g. mnist-rnn or reuters-lstm")
  String model;

  @Option(names = "--batch-size", description = "training batch (default: the notebook's)")
  Integer batchSize;

  @Option(names = "--steps", defaultValue = "300", description = "timed training steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--warmup", defaultValue = "50", description = "untimed warm-up steps (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--eval-batch-size", defaultValue = "1000", description = "eval batch (default: ${DEFAULT-VALUE})")
  int evalBatch;

  @Option(names = "--eval-rounds", defaultValue = "5", description = "timed passes over the test split, after one "
      + "untimed pass (default: ${DEFAULT-VALUE})")
  int evalRounds;

  @Option(names = "--threads", defaultValue = "0", description = "TensorFlow threads, 0 = TensorFlow's choice")
  int threads;

  @Option(names = "--device", description = "e.g. /CPU:0 or /GPU:0")
  String device;

  @Option(names = "--data-dir", description = "dataset folder (default: $RNNPORT_DATA_DIR or ./data)")
  Path dataDir;

  @Option(names = "--graph", defaultValue = "faithful", description = "faithful (the notebook's graph) or fast "
      + "(fused cells, hand-built backward pass; same variables)")
  String graph;

  @Option(names = "--json", description = "also write the figures as JSON to this file")
  Path json;

  @Option(names = "--compare", description = "run the Python notebook graph (parity venv), the faithful and the "
      + "fast Java graph, interleaved for --rounds rounds; report medians over rounds and speed-ups")
  boolean compare;

  @Option(names = "--rounds", defaultValue = "3", description = "with --compare: rounds (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--predictions", defaultValue = "2000", description = "with --compare: timed single-example "
      + "predictions per graph through SavedModelPredictor, 0 = none (default: ${DEFAULT-VALUE})")
  int predictions;

  @Option(names = "--predictor-warmup", defaultValue = "500", description = "with --compare: untimed predictions "
      + "per graph first (default: ${DEFAULT-VALUE})")
  int predictorWarmup;

  @Option(names = "--parity-dir", defaultValue = "parity", description = "with --compare: the Python oracle's "
      + "folder, holding requirements.txt (default: ${DEFAULT-VALUE})")
  Path parityDir;

  @Option(names = "--predictor-loop", defaultValue = "0", description = "instead: N single-example predictions through "
      + "the library API (SavedModelPredictor) on the exported model, reporting latency and resident memory before/after")
  int predictorLoop;

  @Option(names = "--model", description = "SavedModel for --predictor-loop (default: savedmodels/<model>, latest) "
      + "and --compare (default: savedmodels/<model>/1)")
  Path modelDir;

  /** A model's data: training batches (one fresh stream per leg, all legs see the same) and the test split. */
  private interface Workload {
    int batchSize();

    EvalSet test();

    Feed feed();
  }

  /** A stream of training batches: {@link #next} prepares one (untimed), {@link #step} trains on it (timed). */
  private interface Feed {
    void next();

    void step(Trainer t);
  }

  private static Workload mnistWorkload(Mnist mnist, int b) {
    return new Workload() {
      public int batchSize() {
        return b;
      }

      public EvalSet test() {
        return mnist.test();
      }

      public Feed feed() {
        Batcher batches = new Batcher(mnist.train(), b, BatchOrder.SHUFFLE, 1);
        return new Feed() {
          public void next() {
            batches.next();
          }

          public void step(Trainer t) {
            t.step(batches.x(), batches.y(), b);
          }
        };
      }
    };
  }

  /** Reuters: full batches of {@code b} in file order, wrapping around (the notebook's last, partial one left out). */
  private static Workload reutersWorkload(Reuters.Padded data, int b) {
    SequenceSet train = data.train();
    int full = train.size() / b;
    return new Workload() {
      public int batchSize() {
        return b;
      }

      public EvalSet test() {
        return data.test();
      }

      public Feed feed() {
        SequenceBatches batches = new SequenceBatches(train, b, BatchOrder.SEQUENTIAL, 1);
        return new Feed() {
          int current = full;

          public void next() {
            if (++current >= full) {
              batches.startEpoch();
              current = 0;
            }
          }

          public void step(Trainer t) {
            try (TInt32 x = batches.x(current); TFloat32 y = batches.y(current)) {
              t.runBatch(x, y, true);
            }
          }
        };
      }
    };
  }

  private Workload workload(NotebookModel m, int b) throws IOException {
    Path dir = DataDir.resolve(dataDir);
    return m.input() == InputKind.REUTERS_SEQUENCES ? reutersWorkload(Reuters.notebook(dir), b)
        : mnistWorkload(Mnist.load(dir), b);
  }

  /** One timed leg's figures. */
  record Leg(double trainMedianMsPerStep, double trainP90MsPerStep, double evalMedianSecondsPerPass,
      double evalSamplesPerSecond, Double peakRssMiB) {
    Map<String, Object> toMap() {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("trainMedianMsPerStep", trainMedianMsPerStep);
      r.put("trainP90MsPerStep", trainP90MsPerStep);
      r.put("evalMedianSecondsPerPass", evalMedianSecondsPerPass);
      r.put("evalSamplesPerSecond", evalSamplesPerSecond);
      r.put("peakRssMiB", peakRssMiB);
      return r;
    }
  }

  /** A fresh Trainer of {@code kind}: warm-up and timed steps, one untimed and {@code evalRounds} timed test passes. */
  private Leg javaLeg(NotebookModel m, GraphKind kind, Workload w, String label, Map<String, Object> extra) {
    try (Trainer t = new Trainer(m, SeedSource.tf1GraphSeed(1), m.defaults().learningRate(), threads, device,
        org.rnnport.nn.PythonGradients.Mode.TF, kind)) {
      t.initialize();
      Feed feed = w.feed();
      double[] times = new double[steps];
      EvalSet test = w.test();
      try (ProgressBar pb = Progress.bar(label, (long) warmup + steps + evalRounds + 1, null, 1)) {
        for (int i = 0; i < warmup + steps; i++) {
          feed.next();
          long s = System.nanoTime();
          feed.step(t);
          if (i >= warmup) {
            times[i - warmup] = (System.nanoTime() - s) / 1e6;
          }
          pb.step();
        }
        if (extra != null) {
          extra.put("devicesUsed", t.devicesUsed());
        }
        t.accuracy(test, test.size(), evalBatch); // warm-up
        pb.step();
        double[] passes = new double[evalRounds];
        for (int i = 0; i < evalRounds; i++) {
          long s = System.nanoTime();
          t.accuracy(test, test.size(), evalBatch);
          passes[i] = (System.nanoTime() - s) / 1e9;
          pb.step();
        }
        double pass = median(passes);
        return new Leg(median(times), percentile(times, 0.9), pass, test.size() / pass, null);
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    NotebookModel m = ModelRegistry.get(model);
    if (predictorLoop > 0) {
      return predictorLoop(m);
    }
    if (steps < 1 || evalRounds < 1 || warmup < 0) {
      throw new IllegalArgumentException("--steps and --eval-rounds must be at least 1, --warmup at least 0");
    }
    int b = batchSize != null ? batchSize : m.defaults().batchSize();
    if (compare) {
      return compare(m, b);
    }
    Workload w = workload(m, b);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("model", m.name());
    r.put("batchSize", b);
    r.put("threads", threads);
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("versions", Versions.all());
    GraphKind kind = GraphKind.parse(graph);
    r.put("graph", kind.label());
    Map<String, Object> extra = new LinkedHashMap<>();
    Leg leg = javaLeg(m, kind, w, "train steps, eval passes", extra);
    int n = w.test().size();
    r.put("trainMedianMsPerStep", leg.trainMedianMsPerStep());
    r.put("trainP90MsPerStep", leg.trainP90MsPerStep());
    r.putAll(extra);
    r.put("evalBatchSize", evalBatch);
    r.put("evalExamples", n);
    if (n == 10_000) {
      r.put("evalMedianSecondsFor10k", leg.evalMedianSecondsPerPass());
    }
    r.put("evalMedianSecondsPerPass", leg.evalMedianSecondsPerPass());
    r.put("evalSamplesPerSecond", leg.evalSamplesPerSecond());
    r.put("peakRssMiB", procStatusMiB("VmHWM"));
    System.out.printf("%s (%s graph), batch %d, %d threads requested (%d cores): train median %.2f ms/step (p90 %.2f), "
            + "eval %.0f samples/s at batch %d (%d test examples in %.3f s), peak RSS %s MiB%n",
        m.name(), kind.label(), b, threads, Runtime.getRuntime().availableProcessors(), leg.trainMedianMsPerStep(),
        leg.trainP90MsPerStep(), leg.evalSamplesPerSecond(), evalBatch, n, leg.evalMedianSecondsPerPass(),
        r.get("peakRssMiB"));
    if (json != null) {
      Json.write(json, r);
    }
    return 0;
  }

  /** {@code --compare}: rounds of Python, faithful, fast; medians over rounds, speed-ups, predictor latency. */
  private int compare(NotebookModel m, int b) throws Exception {
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be at least 1");
    }
    if (batchSize != null && batchSize != m.defaults().batchSize()) {
      throw new IllegalArgumentException("--compare runs the notebook's batch (" + m.defaults().batchSize()
          + "); the Python graph has no other");
    }
    if (device != null) {
      throw new IllegalArgumentException("--compare runs on TensorFlow's default device; drop --device");
    }
    Path data = DataDir.resolve(dataDir).toAbsolutePath();
    Path parity = parityDir.toAbsolutePath().normalize();
    Path savedModel = modelDir != null ? modelDir : Path.of("savedmodels", m.name(), "1");
    if (predictions > 0 && !Files.isDirectory(savedModel)) {
      throw new IOException(savedModel + ": no SavedModel for the predictor latency (pass --model DIR, or "
          + "--predictions 0)");
    }
    String loadStart = loadAverage();
    PythonEnv env = PythonEnv.ensure(parity.resolve("requirements.txt"), System.err);
    Workload w = workload(m, b);
    boolean rssReset = resetPeakRss();
    List<Leg> python = new ArrayList<>();
    List<Leg> faithful = new ArrayList<>();
    List<Leg> fast = new ArrayList<>();
    JsonNode pyInfo = null;
    for (int round = 1; round <= rounds; round++) {
      String tag = "round " + round + "/" + rounds + " ";
      JsonNode py = pythonLeg(env, parity, data, m, tag + "python");
      pyInfo = py;
      python.add(new Leg(py.get("trainMedianMsPerStep").asDouble(), py.get("trainP90MsPerStep").asDouble(),
          py.get("evalMedianSecondsPerPass").asDouble(), py.get("evalSamplesPerSecond").asDouble(),
          py.hasNonNull("peakRssMiB") ? py.get("peakRssMiB").asDouble() : null));
      for (GraphKind kind : List.of(GraphKind.FAITHFUL, GraphKind.FAST)) {
        boolean reset = rssReset && resetPeakRss();
        Leg leg = javaLeg(m, kind, w, tag + kind.label(), null);
        long peak = procStatusMiB("VmHWM");
        leg = new Leg(leg.trainMedianMsPerStep(), leg.trainP90MsPerStep(), leg.evalMedianSecondsPerPass(),
            leg.evalSamplesPerSecond(), reset && peak > 0 ? (double) peak : null);
        (kind == GraphKind.FAST ? fast : faithful).add(leg);
      }
    }
    double[] predictor = predictions > 0 ? predictorLatency(m, savedModel) : null;
    String loadEnd = loadAverage();

    Map<String, Object> pyMap = summary(python);
    Map<String, Object> faithfulMap = summary(faithful);
    Map<String, Object> fastMap = summary(fast);
    if (predictor != null) {
      faithfulMap.put("predictorMedianMs", predictor[0]);
      fastMap.put("predictorMedianMs", predictor[1]);
    }
    double pyMs = (double) pyMap.get("trainMedianMsPerStep");
    double pySps = (double) pyMap.get("evalSamplesPerSecond");
    double faMs = (double) faithfulMap.get("trainMedianMsPerStep");
    double faSps = (double) faithfulMap.get("evalSamplesPerSecond");
    double fsMs = (double) fastMap.get("trainMedianMsPerStep");
    double fsSps = (double) fastMap.get("evalSamplesPerSecond");

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("model", m.name());
    r.put("batchSize", b);
    r.put("steps", steps);
    r.put("warmup", warmup);
    r.put("evalBatchSize", evalBatch);
    r.put("evalExamples", w.test().size());
    r.put("evalRounds", evalRounds);
    r.put("rounds", rounds);
    r.put("threads", threads);
    r.put("python", pyMap);
    r.put("faithful", faithfulMap);
    r.put("fast", fastMap);
    r.put("trainSpeedupVsPython", pyMs / fsMs);
    r.put("evalSpeedupVsPython", fsSps / pySps);
    r.put("trainSpeedupVsFaithful", faMs / fsMs);
    r.put("evalSpeedupVsFaithful", fsSps / faSps);
    r.put("faithfulTrainSpeedupVsPython", pyMs / faMs);
    r.put("faithfulEvalSpeedupVsPython", faSps / pySps);
    if (predictor != null) {
      r.put("predictor", Map.of("savedModel", savedModel.toString(), "predictions", predictions,
          "warmup", predictorWarmup, "note", "single-example SavedModelPredictor.predict calls, faithful and fast "
              + "alternating; fast = GraphConversion.convert(savedModel, FAST)"));
    }
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("loadAverageStart", loadStart);
    machine.put("loadAverageEnd", loadEnd);
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    machine.put("cpu", cpuModel());
    machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    Map<String, Object> versions = new LinkedHashMap<>(Versions.all());
    if (pyInfo != null) {
      versions.put("pythonTensorflow", pyInfo.path("tensorflow").asText());
      versions.put("pythonNumpy", pyInfo.path("numpy").asText());
      versions.put("python", pyInfo.path("python").asText());
    }
    machine.put("versions", versions);
    machine.put("peakRssNote", rssReset
        ? "python: the Python process's peak (ru_maxrss); faithful/fast: the peak of this JVM process during "
            + "the graph's legs (VmHWM reset through /proc/self/clear_refs before each), JVM and data included"
        : "python: the Python process's peak (ru_maxrss); faithful/fast: not measurable separately here "
            + "(VmHWM could not be reset)");
    r.put("machine", machine);

    System.out.printf("%n%s, batch %d, %d round(s) of %d warm-up + %d timed steps and %d timed passes over %d test "
            + "examples at batch %d; load average %s at start, %s at end (%d cores)%n",
        m.name(), b, rounds, warmup, steps, evalRounds, w.test().size(), evalBatch, loadStart, loadEnd,
        Runtime.getRuntime().availableProcessors());
    System.out.printf("%-10s %14s %16s %14s %14s%n", "graph", "train ms/step", "eval samples/s", "predictor ms",
        "peak RSS MiB");
    for (Map.Entry<String, Map<String, Object>> e : List.of(Map.entry("python", pyMap),
        Map.entry("faithful", faithfulMap), Map.entry("fast", fastMap))) {
      Map<String, Object> g = e.getValue();
      System.out.printf("%-10s %14.2f %16.0f %14s %14s%n", e.getKey(), (double) g.get("trainMedianMsPerStep"),
          (double) g.get("evalSamplesPerSecond"),
          g.get("predictorMedianMs") == null ? "-" : String.format("%.3f", (double) g.get("predictorMedianMs")),
          g.get("peakRssMiB") == null ? "-" : String.format("%.0f", (double) g.get("peakRssMiB")));
    }
    System.out.printf("fast vs python: train %.2fx, eval %.2fx; fast vs faithful: train %.2fx, eval %.2fx%n",
        pyMs / fsMs, fsSps / pySps, faMs / fsMs, fsSps / faSps);
    if (json != null) {
      Json.write(json, r);
    }
    return 0;
  }

  /** Medians over rounds of each round's figures, the rounds themselves, and the largest peak RSS. */
  private static Map<String, Object> summary(List<Leg> legs) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("trainMedianMsPerStep", median(legs.stream().mapToDouble(Leg::trainMedianMsPerStep).toArray()));
    r.put("trainP90MsPerStep", median(legs.stream().mapToDouble(Leg::trainP90MsPerStep).toArray()));
    r.put("evalMedianSecondsPerPass", median(legs.stream().mapToDouble(Leg::evalMedianSecondsPerPass).toArray()));
    r.put("evalSamplesPerSecond", median(legs.stream().mapToDouble(Leg::evalSamplesPerSecond).toArray()));
    boolean allRss = legs.stream().allMatch(l -> l.peakRssMiB() != null);
    r.put("peakRssMiB", allRss ? legs.stream().mapToDouble(Leg::peakRssMiB).max().orElse(Double.NaN) : null);
    r.put("rounds", legs.stream().map(Leg::toMap).toList());
    return r;
  }

  /** The Python notebook graph: {@code python -m rnnport_oracle.bench} in the parity venv, cwd {@code parity/}. */
  private JsonNode pythonLeg(PythonEnv env, Path parity, Path data, NotebookModel m, String label)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("rnnport-bench-python-", ".json");
    try {
      List<String> cmd = List.of(env.python().toString(), "-m", "rnnport_oracle.bench", "--model", m.name(),
          "--data-dir", data.toString(), "--steps", Integer.toString(steps), "--warmup", Integer.toString(warmup),
          "--eval-rounds", Integer.toString(evalRounds), "--eval-batch-size", Integer.toString(evalBatch),
          "--threads", Integer.toString(threads), "--json", out.toString(), "--progress");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(parity.toFile()).redirectErrorStream(true);
      pb.environment().putAll(Map.of("TF_USE_LEGACY_KERAS", "1", "TF_CPP_MIN_LOG_LEVEL", "2",
          "PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1"));
      Process p = pb.start();
      Deque<String> tail = new ArrayDeque<>();
      try (ProgressBar bar = Progress.bar(label, (long) warmup + steps + evalRounds + 1, null, 1);
           BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("@progress ")) {
            bar.stepTo(Long.parseLong(line.split(" ")[1]));
            continue;
          }
          tail.addLast(line);
          if (tail.size() > 25) {
            tail.removeFirst();
          }
        }
      } catch (IOException | RuntimeException e) {
        p.destroy();
        throw e;
      }
      int code = p.waitFor();
      if (code != 0 || Files.size(out) == 0) {
        throw new IOException("the Python bench failed (exit " + code + ", command: " + String.join(" ", cmd)
            + ", in " + parity + "); last output:\n  " + String.join("\n  ", tail));
      }
      return Json.MAPPER.readTree(out.toFile());
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * Median single-example latency through {@link SavedModelPredictor#predict} of the committed SavedModel
   * (faithful) and its fast rebuild, both loaded, calls alternating (which goes first switches every call).
   */
  private double[] predictorLatency(NotebookModel m, Path savedModel) throws Exception {
    List<Object> inputs = exampleInputs(m, 100);
    try (GraphConversion.Converted conv = GraphConversion.convert(savedModel, GraphKind.FAST);
         SavedModelPredictor faithful = SavedModelPredictor.load(savedModel);
         SavedModelPredictor fast = SavedModelPredictor.load(conv.dir())) {
      String key = faithful.signature(null).inputs().keySet().iterator().next();
      SavedModelPredictor[] ps = {faithful, fast};
      double[][] t = new double[2][predictions];
      try (ProgressBar pb = Progress.bar("predictor latency (faithful, fast)", (long) predictorWarmup + predictions,
          null, 1)) {
        for (int i = 0; i < predictorWarmup + predictions; i++) {
          Map<String, Object> in = Map.of(key, inputs.get(i % inputs.size()));
          for (int k = 0; k < 2; k++) {
            int g = (i + k) % 2;
            long s = System.nanoTime();
            ps[g].predict(in);
            if (i >= predictorWarmup) {
              t[g][i - predictorWarmup] = (System.nanoTime() - s) / 1e6;
            }
          }
          pb.step();
        }
      }
      return new double[] {median(t[0]), median(t[1])};
    }
  }

  /** The first {@code n} test examples, each a batch of one as a Java array of the model's input shape. */
  private List<Object> exampleInputs(NotebookModel m, int n) throws IOException {
    Path dir = DataDir.resolve(dataDir);
    List<Object> out = new ArrayList<>();
    if (m.input() == InputKind.REUTERS_SEQUENCES) {
      SequenceSet test = Reuters.notebook(dir).test();
      for (int i = 0; i < n; i++) {
        out.add(new int[][] {Arrays.copyOfRange(test.tokens(), i * test.length(), (i + 1) * test.length())});
      }
      return out;
    }
    org.rnnport.data.ImageSet test = Mnist.loadTest(dir);
    for (int i = 0; i < n; i++) {
      float[] img = test.pixels(i, 1);
      if (m.input() == InputKind.MNIST_FLAT) {
        out.add(new float[][] {img});
      } else {
        float[][][] x = new float[1][28][28];
        for (int r = 0; r < 28; r++) {
          System.arraycopy(img, r * 28, x[0][r], 0, 28);
        }
        out.add(x);
      }
    }
    return out;
  }

  /** The library API in a long loop: does resident memory stay flat (no native leak)? */
  private int predictorLoop(NotebookModel m) throws Exception {
    Path dir = org.rnnport.predictor.ModelVersions.resolve(modelDir != null ? modelDir : Path.of("savedmodels", m.name()));
    List<Object> inputs = exampleInputs(m, 100);
    GraphKind kind = GraphKind.parse(graph);
    // --graph fast: the SavedModel rebuilt with the fast graph; -Drnnport.tf.xla=true: XLA's CPU auto-clustering
    try (GraphConversion.Converted conv = kind == GraphKind.FAST ? GraphConversion.convert(dir, kind) : null;
         SavedModelPredictor p = SavedModelPredictor.builder(conv != null ? conv.dir() : dir)
             .optConfig(org.rnnport.train.Devices.config(threads)).build()) {
      System.out.println("graph " + kind.label() + (Boolean.getBoolean("rnnport.tf.xla") ? ", XLA auto-clustering" : ""));
      String key = p.signature(null).inputs().keySet().iterator().next();
      for (int i = 0; i < 2000; i++) {
        p.predict(Map.of(key, inputs.get(i % 100)));
      }
      System.gc();
      long before = procStatusMiB("VmRSS");
      double[] t = new double[predictorLoop];
      List<Long> rss = new ArrayList<>();
      try (ProgressBar pb = Progress.bar("predictions", predictorLoop, null, 1)) {
        for (int i = 0; i < predictorLoop; i++) {
          long s = System.nanoTime();
          p.predict(Map.of(key, inputs.get(i % 100)));
          t[i] = (System.nanoTime() - s) / 1e6;
          if ((i + 1) % Math.max(1, predictorLoop / 10) == 0) {
            rss.add(procStatusMiB("VmRSS"));
          }
          pb.step();
        }
      }
      System.gc();
      long after = procStatusMiB("VmRSS");
      Arrays.sort(t);
      System.out.printf("%s via SavedModelPredictor: %d single-image predictions, median %.3f ms, p99 %.3f ms; "
          + "resident memory %d MiB after warm-up, %d MiB after the loop (%+.1f%%); every tenth: %s MiB%n",
          dir, predictorLoop, t[t.length / 2], t[(int) (t.length * 0.99)], before, after, 100.0 * (after - before) / before, rss);
    }
    return 0;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** numpy's default (linear) percentile, {@code q} in [0, 1]. */
  static double percentile(double[] v, double q) {
    double[] s = v.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  }

  /** The first three fields of /proc/loadavg, or "unknown". */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      return "unknown";
    }
    return "unknown";
  }

  /** Resets this process's peak RSS (VmHWM) on Linux; false where that is not possible. */
  static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** A field of /proc/self/status (e.g. VmRSS, VmHWM) in MiB, or -1 where there is none. */
  static long procStatusMiB(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }
}
