package org.rnnport.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Batcher;
import org.rnnport.data.DataDir;
import org.rnnport.data.Mnist;
import org.rnnport.export.Versions;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.SeedSource;
import org.rnnport.train.Trainer;
import org.rnnport.util.Json;
import org.rnnport.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rnnport bench MODEL}: median training ms/step and evaluation samples/s after warm-up, on
 * real MNIST batches. A benchmark, not a test: it asserts nothing.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark a model: median training ms/step and eval samples/s after warm-up.")
final class BenchCommand implements Callable<Integer> {
  @Parameters(description = "model name, e.g. mnist-rnn")
  String model;

  @Option(names = "--batch-size", description = "training batch (default: the notebook's)")
  Integer batchSize;

  @Option(names = "--steps", defaultValue = "300", description = "timed training steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--warmup", defaultValue = "50", description = "untimed warm-up steps (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--eval-batch-size", defaultValue = "1000", description = "eval batch (default: ${DEFAULT-VALUE})")
  int evalBatch;

  @Option(names = "--eval-rounds", defaultValue = "5", description = "timed passes over the 10k test images (default: ${DEFAULT-VALUE})")
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

  @Option(names = "--predictor-loop", defaultValue = "0", description = "instead: N single-image predictions through the "
      + "library API (SavedModelPredictor) on the exported model, reporting latency and resident memory before/after")
  int predictorLoop;

  @Option(names = "--model", description = "SavedModel for --predictor-loop (default: savedmodels/<model>, latest)")
  Path modelDir;

  /** The library API in a long loop: does resident memory stay flat (no native leak)? */
  private int predictorLoop(NotebookModel m) throws Exception {
    Path dir = org.rnnport.predictor.ModelVersions.resolve(modelDir != null ? modelDir : Path.of("savedmodels", m.name()));
    org.rnnport.data.ImageSet test = Mnist.loadTest(DataDir.resolve(dataDir));
    float[][][][] inputs = new float[100][1][28][28];
    for (int i = 0; i < 100; i++) {
      for (int r = 0; r < 28; r++) {
        System.arraycopy(test.pixels(), i * 784 + r * 28, inputs[i][0][r], 0, 28);
      }
    }
    try (org.rnnport.predictor.SavedModelPredictor p = org.rnnport.predictor.SavedModelPredictor.load(dir)) {
      String key = p.signature(null).inputs().keySet().iterator().next();
      for (int i = 0; i < 2000; i++) {
        p.predict(java.util.Map.of(key, inputs[i % 100]));
      }
      System.gc();
      long before = procStatusMiB("VmRSS");
      double[] t = new double[predictorLoop];
      List<Long> rss = new ArrayList<>();
      try (ProgressBar pb = Progress.bar("predictions", predictorLoop, null, 1)) {
        for (int i = 0; i < predictorLoop; i++) {
          long s = System.nanoTime();
          p.predict(java.util.Map.of(key, inputs[i % 100]));
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

  @Override
  public Integer call() throws Exception {
    NotebookModel m = ModelRegistry.get(model);
    if (predictorLoop > 0) {
      return predictorLoop(m);
    }
    int b = batchSize != null ? batchSize : m.defaults().batchSize();
    Mnist mnist = Mnist.load(DataDir.resolve(dataDir));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("model", m.name());
    r.put("batchSize", b);
    r.put("threads", threads);
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("versions", Versions.all());
    GraphKind kind = GraphKind.parse(graph);
    r.put("graph", kind.label());
    try (Trainer t = new Trainer(m, SeedSource.tf1GraphSeed(1), m.defaults().learningRate(), threads, device,
        org.rnnport.nn.PythonGradients.Mode.TF, kind)) {
      t.initialize();
      Batcher batches = new Batcher(mnist.train(), b, BatchOrder.SHUFFLE, 1);
      double[] times = new double[steps];
      try (ProgressBar pb = Progress.bar("train steps", (long) warmup + steps, null, 1)) {
        for (int i = 0; i < warmup + steps; i++) {
          batches.next();
          long s = System.nanoTime();
          t.step(batches.x(), batches.y(), b);
          if (i >= warmup) {
            times[i - warmup] = (System.nanoTime() - s) / 1e6;
          }
          pb.step();
        }
      }
      Arrays.sort(times);
      r.put("trainMedianMsPerStep", times[times.length / 2]);
      r.put("trainP90MsPerStep", times[(int) (times.length * 0.9)]);
      r.put("devicesUsed", t.devicesUsed());

      t.accuracy(mnist.test(), mnist.test().size(), evalBatch); // warm-up
      List<Double> passes = new ArrayList<>();
      try (ProgressBar pb = Progress.bar("eval passes", evalRounds, null, 1)) {
        for (int i = 0; i < evalRounds; i++) {
          long s = System.nanoTime();
          t.accuracy(mnist.test(), mnist.test().size(), evalBatch);
          passes.add((System.nanoTime() - s) / 1e9);
          pb.step();
        }
      }
      passes.sort(Double::compare);
      double median = passes.get(passes.size() / 2);
      r.put("evalBatchSize", evalBatch);
      r.put("evalMedianSecondsFor10k", median);
      r.put("evalSamplesPerSecond", mnist.test().size() / median);
    }
    r.put("peakRssMiB", procStatusMiB("VmHWM"));
    System.out.printf("%s, batch %d, %d threads requested (%d cores): train median %.2f ms/step (p90 %.2f), "
            + "eval %.0f samples/s at batch %d (10k test images in %.3f s), peak RSS %s MiB%n",
        m.name(), b, threads, Runtime.getRuntime().availableProcessors(), r.get("trainMedianMsPerStep"),
        r.get("trainP90MsPerStep"), r.get("evalSamplesPerSecond"), evalBatch, r.get("evalMedianSecondsFor10k"),
        r.get("peakRssMiB"));
    if (json != null) {
      Json.write(json, r);
    }
    return 0;
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
