package org.rnnport.fit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.EpochOrder;
import org.rnnport.data.Npz;
import org.rnnport.keras.KerasCompile;
import org.rnnport.keras.KerasModel;
import org.rnnport.nn.PythonGradients;
import org.rnnport.parity.PythonEnv;
import org.rnnport.train.History;
import org.rnnport.util.Json;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code rnnport parity --keras-model}: tf-keras 2.18 ({@code parity/rnnport_oracle/keras_fit.py}) trains the model
 * with its own {@code model.fit} (Keras' shuffle of the rows) from Keras' initial weights, rnnport fit trains the same
 * model file from those weights ({@code --gradients python}, Keras' order); then Keras' row order of every epoch,
 * every batch loss, every final weight (read back from rnnport's SavedModel) and the export's predictions on the
 * training rows are compared, bit for bit or to a tolerance.
 */
public final class KerasParity {
  private KerasParity() {}

  /**
   * One comparison.
   *
   * @param kerasData the npz the oracle reads ({@code x}, {@code y} arrays)
   * @param fitData the file rnnport fit reads (the same rows, in any format; the npz by default)
   * @param tolerance 0: bit for bit; else the relative (losses) and absolute (weights, predictions) tolerance
   * @param archiveWeights the model is a {@code .keras} archive and both sides start from its weights (Keras'
   *     {@code load_model}, rnnport's {@link KerasArchiveWeights}) instead of Keras' initial weights handed over
   */
  public record Case(String name, Path model, Path kerasData, Path fitData, String x, String y, String loss,
      String optimizer, Float learningRate, Double momentum, Boolean nesterov, Double rho, int batchSize, int epochs,
      long seed, double tolerance, boolean archiveWeights, List<String> metrics) {
    /** A case that starts from Keras' initial weights, without metrics (the loss only). */
    public Case(String name, Path model, Path kerasData, Path fitData, String x, String y, String loss,
        String optimizer, Float learningRate, Double momentum, Boolean nesterov, Double rho, int batchSize,
        int epochs, long seed, double tolerance) {
      this(name, model, kerasData, fitData, x, y, loss, optimizer, learningRate, momentum, nesterov, rho, batchSize,
          epochs, seed, tolerance, false, List.of());
    }
  }

  /**
   * What differed: up to 10 lines each.
   *
   * @param ordersDiffering epochs whose row order (the oracle's {@code order.json}, Keras' data handler) is not
   *     rnnport's {@link BatchOrder#KERAS} order for the case's seed
   */
  public record Result(String name, int batches, int lossesDiffering, List<String> losses, int weightsDiffering,
      List<String> weights, int predictionsDiffering, int predictions, int ordersDiffering, List<String> metrics) {
    public boolean passed() {
      return lossesDiffering == 0 && weightsDiffering == 0 && predictionsDiffering == 0 && ordersDiffering == 0
          && metrics.isEmpty();
    }
  }

  /** The compile settings rnnport fit will use for {@code c} (the model's own, or the case's). */
  static KerasCompile compile(Case c) throws IOException {
    return fit(c).compile();
  }

  private static Fit fit(Case c) throws IOException {
    Fit f = Fit.of(c.model());
    if (c.loss() != null) {
      f.loss(c.loss());
    }
    if (c.optimizer() != null) {
      f.optimizer(c.optimizer());
    }
    if (!c.metrics().isEmpty()) {
      f.metrics(c.metrics());
    }
    return f.learningRate(c.learningRate()).momentum(c.momentum()).nesterov(c.nesterov()).rho(c.rho());
  }

  /** Runs the oracle on every case (one Python process), writing {@code out/<case>/}. */
  public static void oracle(PythonEnv env, Path parityDir, List<Case> cases, Path out, PrintStream log)
      throws IOException {
    List<Map<String, Object>> json = new ArrayList<>();
    for (Case c : cases) {
      KerasCompile k = compile(c);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("model", c.model().toAbsolutePath().toString());
      m.put("data", c.kerasData().toAbsolutePath().toString());
      m.put("x", c.x());
      m.put("y", c.y());
      m.put("loss", k.loss());
      m.put("optimizer", k.optimizer());
      m.put("learning_rate", (double) k.learningRate());
      m.put("momentum", k.momentum());
      m.put("nesterov", k.nesterov());
      m.put("rho", k.rho());
      m.put("batch_size", c.batchSize());
      m.put("epochs", c.epochs());
      m.put("seed", c.seed());
      m.put("archive_weights", c.archiveWeights());
      if (!c.metrics().isEmpty()) {
        m.put("metrics", c.metrics());
      }
      json.add(m);
    }
    Files.createDirectories(out);
    Json.write(out.resolve("cases.json"), json);
    env.runModule(parityDir, "rnnport_oracle.keras_fit", List.of("--cases", out.resolve("cases.json").toAbsolutePath()
        .toString(), "--out", out.toAbsolutePath().toString()), log);
  }

  /** rnnport fit on the oracle's initial weights in {@code py/<case>}, then the comparison; Java's files in {@code java}. */
  public static Result compare(Case c, Path py, Path java) throws IOException {
    Path out = py.resolve(c.name());
    Path export = java.resolve("export");
    History h = fit(c).name(c.name()).data(List.of(c.fitData())).x(c.x()).y(c.y()).batchSize(c.batchSize())
        .epochs(c.epochs()).seed(c.seed())
        .initCheckpoint(c.archiveWeights() ? null : out.resolve("initial/model.ckpt"))
        .gradients(PythonGradients.Mode.PYTHON).runDir(java.resolve("run")).exportRoot(export).exportVersion(1)
        .run(new PrintStream(new ByteArrayOutputStream()));
    JsonNode pyLosses = Json.MAPPER.readTree(out.resolve("losses.json").toFile()).get("losses");
    List<String> losses = new ArrayList<>();
    int orderDiffs = orderDiffering(Json.MAPPER.readTree(out.resolve("order.json").toFile()).get("epochs"), c.seed(),
        losses);
    int lossDiffs = 0;
    if (pyLosses.size() != h.batchCost.size()) {
      lossDiffs = Math.max(pyLosses.size(), h.batchCost.size());
      losses.add(pyLosses.size() + " Keras batches, " + h.batchCost.size() + " rnnport batches");
    } else {
      for (int i = 0; i < pyLosses.size(); i++) {
        float p = (float) pyLosses.get(i).asDouble();
        float j = h.batchCost.get(i);
        if (!same(p, j, c.tolerance() * Math.abs(p), c.tolerance())) {
          if (lossDiffs++ < 10) {
            losses.add("batch " + i + ": Keras " + p + ", rnnport " + j);
          }
        }
      }
    }
    List<String> weights = new ArrayList<>();
    int weightDiffs = 0;
    int predDiffs = 0;
    int preds;
    try (SavedModelBundle b = SavedModelBundle.load(export.resolve(c.name()).resolve("1").toString(), "serve")) {
      for (Map.Entry<String, Npz.Array> w : Npz.read(out.resolve("final/weights.npz")).entrySet()) {
        float[] want = floats(w.getValue());
        float[] got;
        try (TFloat32 t = (TFloat32) b.session().runner().fetch(w.getKey()).run().get(0)) {
          got = values(t);
        }
        int d = differing(want, got, c.tolerance());
        if (d > 0) {
          weightDiffs += d;
          if (weights.size() < 10) {
            weights.add(w.getKey() + ": " + d + " of " + want.length + " values differ");
          }
        }
      }
      float[] want = floats(Npz.read(out.resolve("predictions.npz")).get("predictions"));
      Npz.Array x = Npz.read(c.kerasData()).get(c.x());
      try (Tensor in = tensor(x); TFloat32 p = (TFloat32) b.function("serving_default").call(Map.of(c.x(), in))
          .get("probabilities").get()) {
        float[] got = values(p);
        preds = want.length;
        predDiffs = got.length != want.length ? want.length : differing(want, got, c.tolerance());
      }
    }
    return new Result(c.name(), pyLosses.size(), lossDiffs, losses, weightDiffs, weights, predDiffs, preds,
        orderDiffs, metrics(c, out.resolve("metrics.json"), h));
  }

  /**
   * The epochs of Keras' row order ({@code [[row, ...], ...]}) that rnnport's {@link BatchOrder#KERAS} order for
   * {@code seed} does not give; a line for each in {@code lines}.
   */
  static int orderDiffering(JsonNode keras, long seed, List<String> lines) {
    int n = keras.get(0).size();
    EpochOrder order = new EpochOrder(n, BatchOrder.KERAS, seed);
    int d = 0;
    for (int e = 0; e < keras.size(); e++) {
      order.startEpoch();
      int[] mine = order.order();
      int first = -1;
      for (int i = 0; i < n && first < 0; i++) {
        if (keras.get(e).size() != n || keras.get(e).get(i).asInt() != mine[i]) {
          first = i;
        }
      }
      if (first >= 0) {
        d++;
        lines.add("epoch " + e + "'s order differs from position " + first);
      }
    }
    return d;
  }

  /**
   * With metrics: every epoch's logs (history.json's epochCost and epochMetrics) and the final evaluation (results
   * trainLoss, train<Metric>) against Keras' (its float32 running means, {@code metrics.json}), bit for bit as float32.
   */
  static List<String> metrics(Case c, Path file, History h) throws IOException {
    List<String> diffs = new ArrayList<>();
    if (c.metrics().isEmpty()) {
      // Keras' logs without metrics: the loss only
      if (!h.epochMetrics.isEmpty() || h.results.keySet().stream().anyMatch(k -> k.endsWith("Accuracy"))) {
        diffs.add("no metrics were asked for, yet history.json has " + h.epochMetrics.keySet() + " " + h.results
            .keySet());
      }
      return diffs;
    }
    JsonNode m = Json.MAPPER.readTree(file.toFile());
    JsonNode epochs = m.get("epochs");
    if (epochs.size() != h.epochCost.size()) {
      diffs.add(epochs.size() + " Keras epochs, " + h.epochCost.size() + " rnnport epochs");
      return diffs;
    }
    for (int e = 0; e < epochs.size(); e++) {
      check(diffs, "epoch " + (e + 1) + " loss", epochs.get(e).get("loss"), h.epochCost.get(e), c.tolerance());
      for (String name : c.metrics()) {
        List<Double> got = h.epochMetrics.get(name);
        check(diffs, "epoch " + (e + 1) + " " + name, epochs.get(e).get(name), got == null ? null : got.get(e),
            c.tolerance());
      }
    }
    JsonNode ev = m.get("evaluate");
    check(diffs, "evaluate loss", ev.get("loss"), h.results.get("trainLoss"), c.tolerance());
    for (String name : c.metrics()) {
      check(diffs, "evaluate " + name, ev.get(name), h.results.get("train" + Character.toUpperCase(name.charAt(0))
          + name.substring(1)), c.tolerance());
    }
    if (h.epochMetrics.containsKey("accuracy") && !c.metrics().contains("accuracy")) {
      diffs.add("history has accuracy, which was not asked for");
    }
    return diffs;
  }

  private static void check(List<String> diffs, String what, JsonNode keras, Double rnnport, double tol) {
    if (keras == null || rnnport == null) {
      diffs.add(what + ": Keras " + keras + ", rnnport " + rnnport);
      return;
    }
    float k = (float) keras.asDouble();
    float r = rnnport.floatValue();
    if (!same(k, r, tol * Math.abs(k), tol)) {
      diffs.add(what + ": Keras " + k + ", rnnport " + r);
    }
  }

  private static boolean same(float a, float b, double relTol, double tol) {
    return tol == 0 ? Float.floatToIntBits(a) == Float.floatToIntBits(b) : Math.abs(a - b) <= relTol;
  }

  private static int differing(float[] want, float[] got, double tol) {
    if (want.length != got.length) {
      return want.length;
    }
    int d = 0;
    for (int i = 0; i < want.length; i++) {
      if (tol == 0 ? Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i]) : Math.abs(want[i] - got[i]) > tol) {
        d++;
      }
    }
    return d;
  }

  private static float[] values(TFloat32 t) {
    float[] a = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  static Tensor tensor(Npz.Array a) {
    ByteBuffer bb = ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN);
    Shape s = Shape.of(a.shape());
    if (a.descr().equals("<i4")) {
      int[] v = new int[(int) a.count()];
      bb.asIntBuffer().get(v);
      return TInt32.tensorOf(s, DataBuffers.of(v, true, false));
    }
    return TFloat32.tensorOf(s, DataBuffers.of(floats(a), true, false));
  }

  static float[] floats(Npz.Array a) {
    if (!a.descr().equals("<f4")) {
      throw new IllegalArgumentException(a.name() + ": dtype " + a.descr() + ", expected <f4");
    }
    float[] f = new float[(int) a.count()];
    ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  /** A markdown line for the report. */
  public static String line(Result r) {
    return String.format("| %s | %d | %d | %d | %d of %d | %s |", r.name(), r.batches(), r.lossesDiffering(),
        r.weightsDiffering(), r.predictionsDiffering(), r.predictions(), r.passed() ? "pass" : "FAIL");
  }
}
