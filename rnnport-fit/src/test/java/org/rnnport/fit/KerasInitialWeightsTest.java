package org.rnnport.fit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.Npz;
import org.rnnport.keras.KerasGraph;
import org.rnnport.keras.KerasLayer;
import org.rnnport.keras.KerasModel;
import org.rnnport.models.ModelGraph;
import org.rnnport.nn.KerasActivation;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.parity.PythonEnv;
import org.rnnport.predict.formats.NpzWriter;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.util.Json;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A fresh {@code rnnport fit --seed S} starts from tf-keras 2.18's own initial weights: real tf-keras
 * ({@code rnnport_oracle.keras_init}) runs {@code keras.utils.set_random_seed(S)} then
 * {@code model_from_json(json)} and writes {@code model.weights} by name; rnnport builds the same JSON with
 * {@link SeedSource#keras} and every initialized variable must be the same bits. The models are the parity matrix's
 * (Embedding, GRU, LSTM, Bidirectional, Dense) and the helper's own SimpleRNN, GRU(reset_after=False) and two Dense
 * layers; the seeds 1 and 42 (CI time: `keras_init --check` re-derives the weights from raw ops in Python, and
 * other seeds were checked by hand). One {@link Fit} run (SGD at learning rate 0, so the export holds the starting
 * weights) checks that {@code fit}'s default path is the one tested.
 */
@org.junit.jupiter.api.condition.DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class KerasInitialWeightsTest {
  static final long[] SEEDS = {1, 42};
  static Path work;

  @TempDir
  Path tmp;

  @BeforeAll
  static void oracle() throws IOException {
    Path project = TestData.projectDir();
    work = project.resolve("target/fit-tests/initial-weights");
    org.rnnport.util.AtomicFiles.deleteRecursively(work);
    Files.createDirectories(work);
    PythonEnv env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.err);
    env.runModule(project.resolve("parity"), "rnnport_oracle.keras_init", List.of("--out", work.toString(),
        "--seeds", "1,42"), System.err);
  }

  /** The models the helper wrote (one {@code <model>.json} each; {@code <model>-<seed>.json} are its manifests). */
  static List<String> models() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(work)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.matches(".*-\\d+\\.json"))
          .sorted().forEach(n -> names.add(n.substring(0, n.length() - 5)));
    }
    return names;
  }

  /**
   * The model as rnnport builds it. SimpleRNN and GRU(reset_after=False) are built but still refused by the JSON
   * reader (their training is not yet Keras' bits, docs/deviations.md), so that model is given as the layers it reads.
   */
  static KerasModel model(String name) throws IOException {
    if (name.equals("init-simplernn-gru-v1")) {
      return new KerasModel("init_simplernn_gru_v1", new long[] {8, 8}, List.of(
          new KerasLayer.Recurrent(KerasLayer.Kind.SIMPLE_RNN, "simple_rnn", 5, KerasActivation.TANH, true, true,
              false),
          new KerasLayer.Recurrent(KerasLayer.Kind.GRU, "gru_v1", 6, KerasActivation.TANH, true, false, false),
          new KerasLayer.Dense("out", 3, KerasActivation.SOFTMAX, true)), null);
    }
    return KerasModel.fromJson(work.resolve(name + ".json"));
  }

  static Map<String, float[]> keras(String name, long seed) throws IOException {
    Map<String, float[]> w = new LinkedHashMap<>();
    for (Map.Entry<String, Npz.Array> e : Npz.read(work.resolve(name + "-" + seed + ".npz")).entrySet()) {
      w.put(e.getKey(), KerasParity.floats(e.getValue()));
    }
    return w;
  }

  static List<String> kerasOrder(String name, long seed) throws IOException {
    List<String> order = new ArrayList<>();
    JsonNode m = Json.MAPPER.readTree(work.resolve(name + "-" + seed + ".json").toFile());
    m.get("weights").forEach(n -> order.add(n.asText()));
    return order;
  }

  static float[] values(TFloat32 t) {
    float[] a = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  /** Names of the values that are not Keras' bits, with how many of each differ. */
  static List<String> differing(Map<String, float[]> want, Map<String, float[]> got) {
    List<String> bad = new ArrayList<>();
    for (Map.Entry<String, float[]> e : want.entrySet()) {
      float[] w = e.getValue();
      float[] g = got.get(e.getKey());
      if (g == null || g.length != w.length) {
        bad.add(e.getKey() + ": " + (g == null ? "missing" : g.length + " values, Keras " + w.length));
        continue;
      }
      int d = 0;
      for (int i = 0; i < w.length; i++) {
        if (Float.floatToIntBits(w[i]) != Float.floatToIntBits(g[i])) {
          d++;
        }
      }
      if (d > 0) {
        bad.add(e.getKey() + ": " + d + " of " + w.length + " differ");
      }
    }
    return bad;
  }

  @TestFactory
  Stream<DynamicTest> theInitializedVariablesAreKerasBitForBit() throws IOException {
    List<String> names = models();
    assertThat(names).as("models written by keras_init").contains("digits-gru", "digits-bilstm", "reuters-lstm",
        "reuters-gru", "init-simplernn-gru-v1", "init-lstm-dense2");
    List<DynamicTest> tests = new ArrayList<>();
    for (String name : names) {
      for (long seed : SEEDS) {
        tests.add(DynamicTest.dynamicTest(name + " seed " + seed, () -> {
          KerasModel m = model(name);
          Map<String, float[]> got = new LinkedHashMap<>();
          List<String> order = new ArrayList<>();
          try (Graph g = new Graph(); Session s = new Session(g)) {
            ModelGraph mg = KerasGraph.build(Ops.create(g), m, "x", SeedSource.keras(seed), null);
            Session.Runner init = s.runner();
            mg.initializers().forEach(init::addTarget);
            init.run();
            for (Tf1Variable v : mg.modelVariables()) {
              order.add(v.name());
              try (TFloat32 t = (TFloat32) s.runner().fetch(v.read()).run().get(0)) {
                got.put(v.name(), values(t));
              }
            }
          }
          assertThat(order).as(name + ": rnnport's variables in creation order").isEqualTo(kerasOrder(name, seed));
          assertThat(differing(keras(name, seed), got)).as(name + " seed " + seed).isEmpty();
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void aFreshFitStartsFromKerasWeights() throws Exception {
    // 64 rows of 8 x 8 floats in [0, 1) and labels 0..9, as npz; SGD at learning rate 0 leaves the weights as drawn
    int n = 64;
    float[] x = new float[n * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i * 7919 % 1000) / 1000f;
    }
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 10;
    }
    Path data = tmp.resolve("rows.npz");
    Map<String, Column> cols = new LinkedHashMap<>();
    cols.put("x", Column.ofArray(DType.FLOAT32, new long[] {8, 8}, n, x));
    cols.put("y", Column.ofArray(DType.INT64, new long[0], n, y));
    try (NpzWriter w = new NpzWriter(data)) {
      w.write(cols, n);
      w.finish();
    }
    Path export = tmp.resolve("export");
    Fit.of(KerasModel.fromJson(work.resolve("digits-gru.json"))).name("digits-gru").data(List.of(data)).x("x")
        .y("y").loss("sparse_categorical_crossentropy").optimizer("sgd").learningRate(0f).batchSize(n).epochs(1)
        .seed(1).runDir(tmp.resolve("run")).exportRoot(export).exportVersion(1)
        .run(new PrintStream(new ByteArrayOutputStream()));
    Map<String, float[]> want = keras("digits-gru", 1);
    Map<String, float[]> got = new LinkedHashMap<>();
    try (SavedModelBundle b = SavedModelBundle.load(export.resolve("digits-gru/1").toString(), "serve")) {
      for (String v : want.keySet()) {
        try (TFloat32 t = (TFloat32) b.session().runner().fetch(v).run().get(0)) {
          got.put(v, values(t));
        }
      }
    }
    assertThat(want).containsKeys("gru/gru_cell/kernel", "gru/gru_cell/recurrent_kernel", "dense/kernel");
    assertThat(differing(want, got)).as("rnnport fit --seed 1's export after a step at learning rate 0").isEmpty();
  }
}
