package org.rnnport.fit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;

/**
 * The parity matrix ({@link KerasParity}, what {@code rnnport parity --keras-model} runs): tf-keras 2.18 trains each
 * model (model_from_json of its own to_json()) with its own model.fit, rnnport fit trains the same JSON from Keras'
 * initial weights on the same rows (npz or JSON Lines) in its default order, Keras'; every epoch's row order (Keras'
 * data handler's), every batch loss, every final weight (read back from rnnport's SavedModel export) and the export's
 * predictions on the training rows must be the same bits.
 */
@org.junit.jupiter.api.condition.DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class KerasParityTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Path work;
  static Path py;

  /** name, model, data file, loss, optimizer settings, batch, epochs. */
  static final List<Map<String, Object>> CASES = List.of(
      c("digits-gru", "digits.npz", "sparse_categorical_crossentropy", "adam", 64, 1, "metrics", "accuracy"),
      c("digits-gru-x2", "digits.jsonl", "categorical_crossentropy", "sgd", 128, 1, "momentum", 0.9,
          "nesterov", true),
      c("digits-lstm-x2", "digits.npz", "sparse_categorical_crossentropy", "sgd", 128, 1, "momentum", 0.5),
      c("digits-bilstm", "digits.npz", "categorical_crossentropy", "adam", 128, 1),
      c("digits-bigru-x2", "digits.jsonl", "sparse_categorical_crossentropy", "sgd", 128, 1, "momentum", 0.9),
      c("reuters-bilstm-mul", "reuters-short.jsonl", "categorical_crossentropy", "adam", 100, 2),
      c("reuters-lstm", "reuters-short.npz", "categorical_crossentropy", "adam", 50, 2),
      c("reuters-gru", "reuters-short.jsonl", "sparse_categorical_crossentropy", "sgd", 100, 2),
      // a .keras archive: rnnport takes the loss and SGD(0.05, momentum 0.9, nesterov) from its compile_config
      c("digits-gru", "digits.npz", "sparse_categorical_crossentropy", "sgd", 64, 1, "case", "digits-gru-archive",
          "archive", "digits-gru-sgd.keras", "learning_rate", 0.05, "momentum", 0.9, "nesterov", true),
      // a trained .keras archive: both sides start from its weights (rnnport reads its model.weights.h5), its
      // compile_config gives the loss and Adam(0.01)
      c("reuters-mixed", "reuters-short.jsonl", "sparse_categorical_crossentropy", "adam", 100, 1, "case",
          "reuters-archive-weights", "archive", "reuters-mixed-trained.keras", "archive_weights", true),
      // regression: float targets of the output's shape, a linear Dense(1)
      c("diabetes-lstm", "diabetes.npz", "mse", "adam", 32, 2),
      c("diabetes-gru", "diabetes.npz", "mae", "sgd", 64, 2, "momentum", 0.9),
      // RMSprop (dense; momentum; an embedding's IndexedSlices branch)
      c("digits-gru", "digits.npz", "sparse_categorical_crossentropy", "rmsprop", 64, 1, "case", "digits-gru-rmsprop"),
      c("digits-gru", "digits.jsonl", "categorical_crossentropy", "rmsprop", 128, 1, "case",
          "digits-gru-rmsprop-momentum", "momentum", 0.9, "rho", 0.8),
      c("reuters-gru", "reuters-short.npz", "sparse_categorical_crossentropy", "rmsprop", 100, 2, "case",
          "reuters-gru-rmsprop"),
      // SimpleRNN: tanh, relu stacked, bidirectional without bias
      c("digits-simplernn", "digits.npz", "sparse_categorical_crossentropy", "adam", 64, 1),
      c("digits-simplernn-relu-x2", "digits.jsonl", "categorical_crossentropy", "sgd", 128, 1, "momentum", 0.9),
      c("digits-bisimplernn", "digits.npz", "sparse_categorical_crossentropy", "rmsprop", 128, 1),
      // 600 rows in full batches of 100: Keras' fit traces a static batch and Grappler fuses the SimpleRNN step
      c("reuters-simplernn", "reuters-short.jsonl", "sparse_categorical_crossentropy", "rmsprop", 100, 2,
          "momentum", 0.5),
      // GRU(reset_after=False)
      c("digits-gru-v1", "digits.npz", "sparse_categorical_crossentropy", "adam", 64, 1),
      c("digits-gru-v1", "digits.jsonl", "categorical_crossentropy", "rmsprop", 128, 1, "case", "digits-gru-v1-rmsprop"),
      // a SimpleRNN(relu) with a bias: Keras runs the train function unoptimized (no Grappler rewrite)
      c("digits-simplernn-relu-x2", "digits.npz", "sparse_categorical_crossentropy", "rmsprop", 64, 1, "case",
          "digits-simplernn-relu-rmsprop"),
      c("reuters-simplernn-relu", "reuters-short.npz", "categorical_crossentropy", "rmsprop", 100, 1),
      c("reuters-gru-v1", "reuters-short.jsonl", "categorical_crossentropy", "sgd", 100, 2, "momentum", 0.9,
          "nesterov", true),
      // masks: Embedding(mask_zero=True) on variable-length rows pre-padded with 0, Masking(0.0) on digits
      c("reuters-var-lstm", "reuters-var.npz", "categorical_crossentropy", "adam", 50, 1),
      c("reuters-var-bigru", "reuters-var.jsonl", "sparse_categorical_crossentropy", "sgd", 100, 2, "momentum", 0.9, "predict", true),
      c("digits-masking-gru", "digits.jsonl", "sparse_categorical_crossentropy", "adam", 128, 1),
      // per-timestep outputs ([time] labels, [time, 1] targets), the output's mask weighting the loss
      c("reuters-var-tagger", "reuters-var-tags.npz", "sparse_categorical_crossentropy", "adam", 100, 1),
      c("reuters-var-tagger-x2", "reuters-var-tags.jsonl", "categorical_crossentropy", "adam", 100, 1),
      // TimeDistributed(Dense(softmax)): Keras' crossentropy from the probabilities (the output is a Reshape)
      c("reuters-var-tagger-td", "reuters-var-tags.npz", "categorical_crossentropy", "adam", 100, 1),
      c("reuters-var-tagger-td", "reuters-var-tags.jsonl", "sparse_categorical_crossentropy", "sgd", 100, 1,
          "case", "reuters-var-tagger-td-sparse", "momentum", 0.9, "predict", true),
      c("digits-next-td", "digits-next.jsonl", "mse", "adam", 128, 1, "predict", true),
      c("digits-next-td", "digits-next.npz", "mae", "sgd", 128, 1, "case", "digits-next-td-mae", "momentum", 0.9),
      // binary_crossentropy on a sigmoid output: 0/1 integer targets (npz int64, JSON Lines ints), float 0/1 pairs
      c("cancer-gru", "cancer.npz", "binary_crossentropy", "adam", 32, 2, "metrics", "accuracy"),
      c("cancer-lstm-x2", "cancer.jsonl", "binary_crossentropy", "sgd", 64, 2, "momentum", 0.9),
      c("digits-gru-multilabel", "digits-multilabel.jsonl", "binary_crossentropy", "adam", 128, 1, "metrics",
          "acc,binary_accuracy"),
      // Dropout: Keras' masks (its seeded RandomUniform stream), 600 and 442 rows in whole batches
      c("reuters-lstm-dropout", "reuters-short.jsonl", "categorical_crossentropy", "adam", 50, 2, "metrics",
          "accuracy"),
      c("diabetes-gru-dropout", "diabetes.npz", "mse", "adam", 34, 2, "metrics", "mae,mse"));

  /**
   * The cases this run checks: all, or those whose case name matches the regex in the system property
   * {@code rnnport.kerasCases} (for a targeted run while working on one layer; CI runs all).
   */
  static List<Map<String, Object>> selected() {
    String only = System.getProperty("rnnport.kerasCases", "");
    return CASES.stream().filter(c -> only.isEmpty()
        || ((String) c.getOrDefault("case", c.get("name"))).matches(only)).toList();
  }

  static Map<String, Object> c(String name, String data, String loss, String opt, int batch, int epochs,
      Object... extra) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("model", name);
    m.put("data", data);
    m.put("loss", loss);
    m.put("optimizer", opt);
    m.put("batch_size", batch);
    m.put("epochs", epochs);
    m.put("seed", 7);
    for (int i = 0; i < extra.length; i += 2) {
      m.put((String) extra[i], extra[i + 1]);
    }
    return m;
  }

  static KerasParity.Case kase(Map<String, Object> c) {
    Path data = work.resolve("data");
    String file = (String) c.get("data");
    Path model = data.resolve(c.containsKey("archive") ? (String) c.get("archive") : c.get("model") + ".json");
    boolean archive = c.containsKey("archive");
    Double lr = (Double) c.get("learning_rate");
    return new KerasParity.Case((String) c.getOrDefault("case", c.get("name")), model,
        data.resolve(file.replace(".jsonl", ".npz")), data.resolve(file), "x", "y",
        archive ? null : (String) c.get("loss"), archive ? null : (String) c.get("optimizer"),
        archive || lr == null ? null : lr.floatValue(), archive ? null : (Double) c.get("momentum"),
        archive ? null : (Boolean) c.get("nesterov"), archive ? null : (Double) c.get("rho"),
        (Integer) c.get("batch_size"), (Integer) c.get("epochs"), 7, c.containsKey("close") ? 1e-5 : 0,
        c.containsKey("archive_weights"),
        c.containsKey("metrics") ? List.of(((String) c.get("metrics")).split(",")) : List.of());
  }

  @BeforeAll
  static void oracle() throws IOException {
    Path project = TestData.projectDir();
    work = project.resolve("target/fit-tests/parity");
    org.rnnport.util.AtomicFiles.deleteRecursively(work);
    Files.createDirectories(work);
    Path data = TestData.ensure("reuters");
    py = work.resolve("python");
    PythonEnv env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.err);
    env.runModule(project.resolve("parity"), "rnnport_oracle.keras_fit", List.of("--make-data",
        work.resolve("data").toString(), "--data-dir", data.toString()), System.err);
    List<KerasParity.Case> cases = new ArrayList<>();
    selected().forEach(c -> cases.add(kase(c)));
    assertThat(cases).as("cases matching -Drnnport.kerasCases").isNotEmpty();
    KerasParity.oracle(env, project.resolve("parity"), cases, py, System.err);
  }

  @TestFactory
  Stream<DynamicTest> everyBatchLossWeightAndPredictionIsKeras() {
    return selected().stream().map(c -> DynamicTest.dynamicTest((String) c.getOrDefault("case", c.get("name")) + " ("
        + c.get("data") + ", " + c.get("optimizer") + ")", () -> {
          KerasParity.Case k = kase(c);
          KerasParity.Result r = KerasParity.compare(k, py, work.resolve("java/" + k.name()));
          assertThat(r.batches()).isPositive();
          assertThat(r.ordersDiffering()).as(k.name() + " epochs whose row order is not Keras' (" + r.losses() + ")")
              .isZero();
          assertThat(r.losses()).as(k.name() + " batch losses (" + r.lossesDiffering() + " of " + r.batches()
              + " differ)").isEmpty();
          assertThat(r.weights()).as(k.name() + " final weights").isEmpty();
          assertThat(r.predictionsDiffering()).as(k.name() + " predictions differing of " + r.predictions()).isZero();
          assertThat(r.metrics()).as(k.name() + " epoch logs and evaluate (" + k.metrics() + ")").isEmpty();
          if (Boolean.TRUE.equals(c.get("predict"))) {
            predictOnTheExportIsKeras(k);
          }
        }));
  }

  /**
   * An archive's weights are read for the model of its own config only: with another model's layers rnnport names
   * the HDF5 path it misses, and leaves no run folder.
   */
  @org.junit.jupiter.api.Test
  void archiveWeightsOfAnotherModelAreRefusedByPath() throws IOException {
    Path data = work.resolve("data");
    org.rnnport.keras.KerasModel other = org.rnnport.keras.KerasModel.read(data.resolve("reuters-lstm.json"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KerasArchiveWeights.read(
        data.resolve("reuters-mixed-trained.keras"), other))
        .isInstanceOf(org.rnnport.keras.KerasFormatException.class)
        .hasMessageContaining("reuters-mixed-trained.keras!model.weights.h5")
        .hasMessageContaining("layers/lstm/cell/vars/0");
    assertThat(KerasArchiveWeights.snakeCase("SimpleRNN")).isEqualTo("simple_rnn");
    assertThat(KerasArchiveWeights.snakeCase("TimeDistributed")).isEqualTo("time_distributed");
    assertThat(KerasArchiveWeights.snakeCase("GRU")).isEqualTo("gru");
    org.rnnport.keras.KerasModel mixed = org.rnnport.keras.KerasModel.read(data.resolve("reuters-mixed-trained.keras"));
    KerasArchiveWeights w = KerasArchiveWeights.read(data.resolve("reuters-mixed-trained.keras"), mixed);
    // the config's layer names are numbered (embedding_6, ...), the HDF5 groups by class (embedding, ...)
    List<String> n = mixed.layers().stream().map(org.rnnport.keras.KerasLayer::name).toList();
    String lstm = ((org.rnnport.keras.KerasLayer.Bidirectional) mixed.layers().get(1)).layer().name();
    assertThat(w.arrays().keySet()).containsExactly(n.get(0) + "/embeddings",
        n.get(1) + "/forward_" + lstm + "/lstm_cell/kernel", n.get(1) + "/forward_" + lstm + "/lstm_cell/recurrent_kernel",
        n.get(1) + "/forward_" + lstm + "/lstm_cell/bias", n.get(1) + "/backward_" + lstm + "/lstm_cell/kernel",
        n.get(1) + "/backward_" + lstm + "/lstm_cell/recurrent_kernel", n.get(1) + "/backward_" + lstm + "/lstm_cell/bias",
        n.get(2) + "/gru_cell/kernel", n.get(2) + "/gru_cell/recurrent_kernel", n.get(2) + "/gru_cell/bias",
        n.get(3) + "/kernel", n.get(3) + "/bias", n.get(4) + "/kernel", n.get(4) + "/bias");
    assertThat(w.shapes().get(n.get(2) + "/gru_cell/bias")).containsExactly(2, 18);
  }

  /**
   * {@code rnnport predict --model EXPORT --input DATA --output predict.npz} (the library under the CLI) on the
   * training rows in the case's own file: its probabilities (per step for a per-timestep model) are Keras'
   * {@code model.predict}, bit for bit.
   */
  static void predictOnTheExportIsKeras(KerasParity.Case k) throws IOException {
    Path export = work.resolve("java/" + k.name() + "/export/" + k.name() + "/1");
    Path out = work.resolve("java/" + k.name() + "/predict.npz");
    org.rnnport.predict.PredictJob.Summary s = org.rnnport.predict.PredictJob.run(
        new org.rnnport.predict.PredictJob.Options(export, "serve", "serving_default", List.of(k.fitData()), null, out,
            null, null, 256, 1, 1.0, null, null, null, 0, false, null, null, null));
    org.rnnport.data.Npz.Array want = org.rnnport.data.Npz.read(py.resolve(k.name()).resolve("predictions.npz"))
        .get("predictions");
    org.rnnport.data.Npz.Array got = org.rnnport.data.Npz.read(out).get("probabilities");
    assertThat(s.outcome().rows()).as(k.name() + " rows predicted").isEqualTo(want.shape()[0]);
    assertThat(got.shape()).as(k.name() + " predict's output shape").containsExactly(want.shape());
    float[] w = KerasParity.floats(want);
    float[] g = KerasParity.floats(got);
    int differ = 0;
    for (int i = 0; i < w.length; i++) {
      if (Float.floatToIntBits(w[i]) != Float.floatToIntBits(g[i])) {
        differ++;
      }
    }
    assertThat(differ).as(k.name() + ": rnnport predict's probabilities differing from Keras' of " + w.length).isZero();
  }
}
