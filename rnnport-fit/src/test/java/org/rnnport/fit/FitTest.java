package org.rnnport.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceSet;
import org.rnnport.keras.KerasFormatException;
import org.rnnport.keras.KerasModel;
import org.rnnport.models.ModelRegistry;
import org.rnnport.nn.PythonGradients;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.DType;
import org.rnnport.predict.InputException;
import org.rnnport.predict.formats.NpzWriter;
import org.rnnport.predict.formats.ParquetRowWriter;
import org.rnnport.train.History;
import org.rnnport.train.StopSignal;
import org.rnnport.train.TrainOptions;
import org.rnnport.train.TrainingRun;

/** rnnport fit on files it did not make: notebook 003b as user data, and bad input refused before anything is written. */
class FitTest {
  static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  @TempDir
  Path tmp;

  static Path model003b() throws Exception {
    // model.to_json() of parity/rnnport_oracle/reuters_lstm.py's build() (tf-keras 2.18)
    return Path.of(FitTest.class.getResource("/keras/reuters-lstm-003b.json").toURI());
  }

  /** The 003b training split (load_data(num_words=1000), pad_sequences(maxlen=100)) as a Parquet file x, y. */
  static Path reutersParquet(Path dir, SequenceSet s) throws IOException {
    Path f = dir.resolve("reuters-train.parquet");
    Map<String, Column> cols = new LinkedHashMap<>();
    cols.put("x", Column.ofArray(DType.INT32, new long[] {s.length()}, s.size(), s.tokens()));
    cols.put("y", Column.ofArray(DType.INT32, new long[0], s.size(), s.labels()));
    try (ParquetRowWriter w = new ParquetRowWriter(f)) {
      w.write(cols, s.size());
      w.finish();
    }
    return f;
  }

  @Test
  void notebook003bAsUserDataGivesTrainsLossesBitForBit() throws Exception {
    Path data = TestData.ensure(Reuters.DATASET);
    Path parquet = reutersParquet(tmp, Reuters.notebook(data).train());
    // rnnport train reuters-lstm: 2 epochs of 90 batches, no validation, no export
    TrainOptions o = TrainOptions.defaults(ModelRegistry.get("reuters-lstm"), 5, data, tmp.resolve("train"), null)
        .withEpochs(2, 90).withValidation(false);
    History train;
    try (StopSignal stop = StopSignal.manual()) {
      train = TrainingRun.run(ModelRegistry.get("reuters-lstm"), o, stop, QUIET);
    }
    History fit = Fit.of(KerasModel.fromJson(model003b())).name("reuters-keras").data(List.of(parquet)).x("x").y("y")
        .loss("categorical_crossentropy").optimizer("adam").batchSize(100).epochs(2).seed(5)
        .shuffleOrder("numpy").initializers("tf1").gradients(PythonGradients.Mode.TF).runDir(tmp.resolve("fit"))
        .run(QUIET);
    assertThat(train.batchCost).hasSize(180);
    assertThat(fit.batchCost).hasSize(180);
    for (int i = 0; i < 180; i++) {
      assertThat(Float.floatToIntBits(fit.batchCost.get(i))).as("batch " + i + ": fit " + fit.batchCost.get(i)
          + ", train " + train.batchCost.get(i)).isEqualTo(Float.floatToIntBits(train.batchCost.get(i)));
    }
    assertThat(tmp.resolve("fit/history.json")).exists();
    assertThat(tmp.resolve("fit/loss.png")).exists();
    assertThat(tmp.resolve("fit/" + Fit.RECORD)).doesNotExist(); // only a Fit read from a model file records itself
  }

  // ---- bad input: a clear error, and no run folder ----

  static final ObjectMapper JSON = new ObjectMapper();

  /** Token ids of {@code n} Reuters-like rows of 100 (all below 1000). */
  static int[] ids(int n) {
    int[] ids = new int[n * 100];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7919) % 1000;
    }
    return ids;
  }

  /** A small Reuters-like npz (x int32 [n, 100] ids < 1000, y int64 in [0, 46)), labels as given. */
  Path npz(String name, long[] labels) throws IOException {
    int n = labels.length;
    int[] ids = ids(n);
    Path f = tmp.resolve(name);
    Map<String, Column> cols = new LinkedHashMap<>();
    cols.put("x", Column.ofArray(DType.INT32, new long[] {100}, n, ids));
    cols.put("y", Column.ofArray(DType.INT64, new long[0], n, labels));
    try (NpzWriter w = new NpzWriter(f)) {
      w.write(cols, n);
      w.finish();
    }
    return f;
  }

  Fit fit(KerasModel m, Path data, String x) {
    return Fit.of(m).data(List.of(data)).x(x).y("y").loss("categorical_crossentropy").runDir(tmp.resolve("run"))
        .exportRoot(tmp.resolve("export"));
  }

  void nothingWritten() {
    assertThat(tmp.resolve("run")).doesNotExist();
    assertThat(tmp.resolve("export")).doesNotExist();
  }

  @Test
  void anUnsupportedLayerIsRefusedByNameAndIndex() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(model003b().toFile());
    ObjectNode lstm = (ObjectNode) root.get("config").get("layers").get(2);
    lstm.put("class_name", "Conv1D");
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageContaining("m.json: layer 1 (Conv1D 'lstm'): layer Conv1D is not supported; rnnport fit builds "
            + "InputLayer, Embedding");
    ((ObjectNode) lstm.put("class_name", "SimpleRNN").get("config")).put("activation", "softmax");
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("m.json: layer 1 (SimpleRNN 'lstm'): SimpleRNN is supported with activation tanh or "
            + "relu");
    ((ObjectNode) lstm.put("class_name", "LSTM").get("config")).put("activation", "tanh").put("go_backwards", true);
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("layer 1 (LSTM 'lstm'): go_backwards=True is not supported");
    ((ObjectNode) lstm.get("config")).put("go_backwards", false).put("recurrent_dropout", 0.25);
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("layer 1 (LSTM 'lstm'): recurrent_dropout=0.25 is not supported");
  }

  @Test
  void aWrongXNameIsRefusedWithTheFile() throws Exception {
    Path f = npz("r.npz", new long[] {1, 2, 3});
    assertThatThrownBy(() -> fit(KerasModel.fromJson(model003b()), f, "tokens").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("r.npz").hasMessageContaining("tokens");
    nothingWritten();
  }

  @Test
  void aLabelOutsideTheOutputIsRefusedWithFileRowAndName() throws Exception {
    Path f = npz("r.npz", new long[] {1, 2, 46, 3});
    assertThatThrownBy(() -> fit(KerasModel.fromJson(model003b()), f, "x").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("r.npz").hasMessageContaining("row 2")
        .hasMessageContaining("label 46 is outside the model's 46 output classes");
    nothingWritten();
  }

  @Test
  void aRaggedRowIsRefusedWithFileRowAndName() throws Exception {
    Path f = tmp.resolve("r.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < 3; r++) {
      int len = r == 1 ? 99 : 100;
      sb.append("{\"x\": [");
      for (int i = 0; i < len; i++) {
        sb.append(i == 0 ? "" : ",").append(i + 1);
      }
      sb.append("], \"y\": 1}\n");
    }
    Files.writeString(f, sb);
    assertThatThrownBy(() -> fit(KerasModel.fromJson(model003b()), f, "x").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("r.jsonl").hasMessageContaining("x")
        .hasMessageContaining("99");
    nothingWritten();
  }

  @Test
  void aPerStepLabelOutsideTheOutputIsRefusedWithFileRowStepAndName() throws Exception {
    // 003b with return_sequences=True: Dense(46, softmax) on every step, one label per step
    ObjectNode root = (ObjectNode) JSON.readTree(model003b().toFile());
    ((ObjectNode) root.get("config").get("layers").get(2).get("config")).put("return_sequences", true);
    ((ObjectNode) root.get("config").get("layers").get(1).get("config")).put("mask_zero", true);
    KerasModel m = KerasModel.fromJson(JSON.writeValueAsString(root), "m.json");
    assertThat(m.outputSteps()).isEqualTo(100);
    assertThat(m.masked()).isTrue();
    Path f = tmp.resolve("tags.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < 3; r++) {
      sb.append("{\"x\": [");
      for (int i = 0; i < 100; i++) {
        sb.append(i == 0 ? "" : ",").append(i < 50 ? 0 : i);
      }
      sb.append("], \"y\": [");
      for (int i = 0; i < 100; i++) {
        sb.append(i == 0 ? "" : ",").append(r == 1 && i == 7 ? 46 : i % 46);
      }
      sb.append("]}\n");
    }
    Files.writeString(f, sb);
    assertThatThrownBy(() -> fit(m, f, "x").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("tags.jsonl").hasMessageContaining("row 1")
        .hasMessageContaining("y").hasMessageContaining("label 46 at step 7 is outside the model's 46 output classes");
    nothingWritten();
  }

  @Test
  void masksAndTimeDistributedOutsideTheSupportedSetAreRefusedByName() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(model003b().toFile());
    com.fasterxml.jackson.databind.node.ArrayNode layers = (com.fasterxml.jackson.databind.node.ArrayNode)
        root.get("config").get("layers");
    layers.insert(2, JSON.readTree("{\"class_name\": \"Masking\", \"config\": {\"name\": \"masking\", "
        + "\"mask_value\": 0.0}}"));
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageContaining("layer 1 (Masking 'masking'): a Masking must be the first layer");
    layers.remove(2);
    ((ObjectNode) layers.get(3)).set("config", JSON.readTree("{\"name\": \"td\", \"layer\": {\"class_name\": "
        + "\"LSTM\", \"config\": {\"name\": \"inner\", \"units\": 4}}}"));
    ((ObjectNode) layers.get(3)).put("class_name", "TimeDistributed");
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("layer 2 (TimeDistributed 'td'): TimeDistributed(LSTM) is not supported; it wraps a Dense");
    ObjectNode lstm = (ObjectNode) layers.get(2).get("config");
    lstm.put("zero_output_for_mask", true);
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("layer 1 (LSTM 'lstm'): zero_output_for_mask=True is not supported");
  }

  @Test
  void aTokenIdBeyondTheEmbeddingIsRefused() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(model003b().toFile());
    ((ObjectNode) root.get("config").get("layers").get(1).get("config")).put("input_dim", 500);
    Path f = npz("r.npz", new long[] {1, 2, 3});
    assertThatThrownBy(() -> fit(KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"), f, "x").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("row 0").hasMessageContaining("input_dim [0, 500)");
    nothingWritten();
  }

  // ---- binary_crossentropy, Dropout, metrics ----

  /** The 003b model with its output replaced by {@code Dense(units, activation)} (and a Dropout before it if rate > 0). */
  static String variant(int units, String activation, double dropout) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(model003b().toFile());
    com.fasterxml.jackson.databind.node.ArrayNode layers = (com.fasterxml.jackson.databind.node.ArrayNode)
        root.get("config").get("layers");
    ObjectNode dense = (ObjectNode) layers.get(3).get("config");
    dense.put("units", units).put("activation", activation);
    if (dropout > 0) {
      ObjectNode d = JSON.createObjectNode().put("class_name", "Dropout");
      d.putObject("config").put("name", "dropout").put("trainable", true).put("dtype", "float32")
          .put("rate", dropout).putNull("noise_shape").putNull("seed");
      layers.insert(3, d);
    }
    return JSON.writeValueAsString(root);
  }

  /** Reuters-like ids with float32 targets {@code y} of {@code units} per row. */
  Path floatTargets(String name, int n, int units, float[] y) throws IOException {
    int[] ids = ids(n);
    Path f = tmp.resolve(name);
    Map<String, Column> cols = new LinkedHashMap<>();
    cols.put("x", Column.ofArray(DType.INT32, new long[] {100}, n, ids));
    cols.put("y", Column.ofArray(DType.FLOAT32, units == 1 ? new long[0] : new long[] {units}, n, y));
    try (NpzWriter w = new NpzWriter(f)) {
      w.write(cols, n);
      w.finish();
    }
    return f;
  }

  @Test
  void binaryCrossentropyTargetsOutsideZeroOneAreRefusedWithFileRowAndName() throws Exception {
    Path f = floatTargets("b.npz", 4, 1, new float[] {0f, 1f, 1.5f, 0f});
    KerasModel m = KerasModel.fromJson(variant(1, "sigmoid", 0), "b.json");
    assertThatThrownBy(() -> fit(m, f, "x").loss("binary_crossentropy").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("b.npz").hasMessageContaining("row 2")
        .hasMessageContaining("y").hasMessageContaining("target 1.5 is outside [0, 1]");
    nothingWritten();
    Path ints = npz("i.npz", new long[] {0, 1, 2});
    assertThatThrownBy(() -> fit(m, ints, "x").loss("binary_crossentropy").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("row 2").hasMessageContaining("target 2 is not 0 or 1");
    nothingWritten();
    // on a softmax output Keras would use the softmax's input as sigmoid logits: refused by name instead
    assertThatThrownBy(() -> fit(KerasModel.fromJson(variant(2, "softmax", 0), "s.json"), ints, "x")
        .loss("binary_crossentropy").run(QUIET))
        .isInstanceOf(KerasFormatException.class).hasMessageContaining("binary_crossentropy is supported on a sigmoid "
            + "output; the last layer's activation is 'softmax'");
    nothingWritten();
  }

  @Test
  void unknownMetricsAreRefusedByName() throws Exception {
    Path f = npz("r.npz", new long[] {1, 2, 3});
    assertThatThrownBy(() -> fit(KerasModel.fromJson(model003b()), f, "x").metrics(List.of("accuracy", "f1"))
        .run(QUIET)).isInstanceOf(KerasFormatException.class).hasMessageContaining("metric 'f1' is not supported");
    nothingWritten();
  }

  @Test
  void dropoutDropsInTrainingOnlyAndTheExportHasNone() throws Exception {
    int n = 64;
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3 == 0 ? 1f : 0f;
    }
    Path f = floatTargets("d.npz", n, 1, y);
    History[] h = new History[2];
    double[] rates = {0.5, 0};
    for (int k = 0; k < 2; k++) {
      h[k] = Fit.of(KerasModel.fromJson(variant(1, "sigmoid", rates[k]), "d.json")).data(List.of(f)).x("x").y("y")
          .loss("binary_crossentropy").batchSize(16).epochs(1).seed(3).metrics(List.of("accuracy"))
          .runDir(tmp.resolve("run" + k)).exportRoot(tmp.resolve("export" + k)).exportVersion(1).run(QUIET);
    }
    // the same initial weights and batches: the first batch's loss differs only by the masks
    assertThat(h[0].batchCost.get(0)).isNotEqualTo(h[1].batchCost.get(0));
    // the export has no Dropout (KerasParityTest's dropout cases: its predictions are Keras' model.predict's bits)
    Path export;
    try (java.util.stream.Stream<Path> s = Files.list(tmp.resolve("export0"))) {
      export = s.findFirst().orElseThrow().resolve("1");
    }
    try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(export.toString(), "serve")) {
      // no mask draw and no stream counter (the stateless random ops left are Keras' initializers')
      java.util.List<String> names = new java.util.ArrayList<>();
      b.graph().operations().forEachRemaining(op -> names.add(op.name()));
      assertThat(names).noneMatch(nm -> nm.contains("dropout/random_uniform") || nm.contains("rng_counter"));
      assertThat(b.graph().operation("keras_learning_phase")).isNull();
    }
    assertThat(h[0].results).containsKeys("trainLoss", "trainAccuracy");
    assertThat(h[0].epochMetrics).containsOnlyKeys("accuracy");
  }
}
