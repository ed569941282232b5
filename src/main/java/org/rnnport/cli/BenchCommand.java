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

  @Option(names = "--json", description = "also write the figures as JSON to this file")
  Path json;

  @Override
  public Integer call() throws Exception {
    NotebookModel m = ModelRegistry.get(model);
    int b = batchSize != null ? batchSize : m.defaults().batchSize();
    Mnist mnist = Mnist.load(DataDir.resolve(dataDir));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("model", m.name());
    r.put("batchSize", b);
    r.put("threads", threads);
    r.put("cores", Runtime.getRuntime().availableProcessors());
    r.put("versions", Versions.all());
    try (Trainer t = new Trainer(m, SeedSource.tf1GraphSeed(1), m.defaults().learningRate(), threads, device)) {
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
    r.put("peakRssMiB", peakRssMiB());
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

  /** VmHWM from /proc/self/status, or -1 where there is none. */
  static long peakRssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }
}
