package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.util.Json;

/** Smoke tests of the rnnport command line, in-process, on real data. */
class CliTest {
  @TempDir
  Path tmp;

  record Run(int exit, String out, String err) {}

  static synchronized Run rnnport(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void fetchFromTheMirrorThenNoOp() {
    String mirror = TestData.ensure("mnist").toString();
    Path dir = tmp.resolve("data");
    Run first = rnnport("data", "fetch", "mnist", "--from", mirror, "--data-dir", dir.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("mnist/train-images-idx3-ubyte.gz", "fetched, sha256 ok");
    assertThat(dir.resolve("mnist/t10k-labels-idx1-ubyte.gz")).exists();
    Run second = rnnport("data", "fetch", "mnist", "--from", mirror, "--data-dir", dir.toString());
    assertThat(second.exit()).isZero();
    assertThat(second.out()).contains("present, sha256 ok").doesNotContain("fetched,");
  }

  @Test
  void tinyTrainThenEvalAndInspect() throws IOException {
    Path data = TestData.ensure("mnist");
    Path run = tmp.resolve("run");
    Path models = tmp.resolve("models");
    Run train = rnnport("train", "mnist-rnn", "--epochs", "2", "--steps-per-epoch", "30", "--seed", "4",
        "--data-dir", data.toString(), "-o", run.toString(), "--export-dir", models.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out()).contains("optimization complete", "accuracy ", "exported");
    JsonNode h = Json.MAPPER.readTree(run.resolve("history.json").toFile());
    assertThat(h.get("batchCost")).hasSize(60);
    assertThat(h.get("epochCost")).hasSize(2);
    assertThat(h.get("hyperparameters").get("seed").asLong()).isEqualTo(4);
    assertThat(h.get("versions").get("tensorflowNative").asText()).isEqualTo("2.18.0");
    assertThat(h.get("results").get("testAccuracy").asDouble()).isBetween(0.1, 1.0);
    assertThat(Files.size(run.resolve("loss.png"))).isGreaterThan(1000);

    Path report = tmp.resolve("eval.json");
    Run eval = rnnport("eval", "--model", models.resolve("mnist-rnn").toString(), "--limit", "2000",
        "--batch-size", "500", "--data-dir", data.toString(), "--json", report.toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
    assertThat(eval.out()).contains("accuracy", "confusion matrix", "samples/s");
    JsonNode r = Json.MAPPER.readTree(report.toFile());
    assertThat(r.get("examples").asInt()).isEqualTo(2000);
    assertThat(r.get("perClass")).hasSize(10);

    Run inspect = rnnport("inspect", models.resolve("mnist-rnn").toString());
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("MetaGraphDef with tag-set: 'serve'", "signature_def['serving_default']",
        "inputs['input_X']", "Method name is: tensorflow/serving/predict", "Variable: DT_FLOAT (128, 10)");
  }

  /** Every committed model, evaluated from its folder alone, at the accuracy its full run measured. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
      "mnist-rnn, mnist, 0.975, 10000",
      "mnist-lstm, mnist, 0.97, 10000",
      "mnist-lstm-state, mnist, 0.94, 10000",
      "mnist-lstm-state-fixed, mnist, 0.96, 10000",
      "reuters-lstm, reuters, 0.69, 2246"})
  void committedModelEvaluatesAtNotebookLevel(String name, String dataset, double min, int examples) throws IOException {
    Path data = TestData.ensure(dataset);
    Path model = TestData.projectDir().resolve("savedmodels/" + name + "/1");
    Path report = tmp.resolve(name + ".json");
    Run eval = rnnport("eval", "--model", model.toString(), "--data-dir", data.toString(), "--json", report.toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
    JsonNode r = Json.MAPPER.readTree(report.toFile());
    assertThat(r.get("examples").asInt()).isEqualTo(examples);
    assertThat(r.get("accuracy").asDouble()).as("committed " + name + " on its whole test split")
        .isGreaterThanOrEqualTo(min);
  }

  @Test
  void trainTakesASpecFile() throws IOException {
    Path data = TestData.ensure("mnist");
    Path spec = tmp.resolve("gru.json");
    Files.writeString(spec, "{\"model\": \"mnist-rnn\", \"rnn\": {\"cell\": \"gru\", \"units\": 32, \"layers\": 1, "
        + "\"bidirectional\": false}, \"epochs\": 1, \"stepsPerEpoch\": 20, \"seed\": 5}");
    Path models = tmp.resolve("models");
    Run train = rnnport("train", "--spec", spec.toString(), "--data-dir", data.toString(), "-o",
        tmp.resolve("run").toString(), "--export-dir", models.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out()).contains("training mnist-rnn-gru", "seed 5");
    assertThat(models.resolve("mnist-rnn-gru/1/saved_model.pb")).exists();
    Run eval = rnnport("eval", "--model", models.resolve("mnist-rnn-gru").toString(), "--limit", "500",
        "--data-dir", data.toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
  }

  @Test
  void weightsPrintsTheSimpleRnnLikeTheNotebook() {
    Run w = rnnport("weights", "simple-rnn", "--seed", "1", "--input", "[[1,0,0,0,0],[0,1,0,0,0]]");
    assertThat(w.exit()).as(w.err()).isZero();
    assertThat(w.out()).contains("<tf.Variable 'simple_rnn/simple_rnn_cell/kernel:0' shape=(5, 2) dtype=float32",
        "recurrent_kernel:0' shape=(2, 2)", "bias:0' shape=(2,)", "array([0.0, 0.0], dtype=float32)",
        "output (return_sequences) [[[");
    Run bad = rnnport("weights", "simple-rnn", "--input", "[[1,2]]");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("5 features");
  }

  @Test
  void badInputGetsAClearErrorAndExitCode() {
    Run missing = rnnport("eval", "--model", tmp.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("error:", "nope", "no such model directory");
    Run unknown = rnnport("train", "cifar-net", "--epochs", "1");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("unknown model 'cifar-net'", "mnist-rnn");
    Run device = rnnport("bench", "mnist-rnn", "--device", "/TPU:0", "--steps", "1");
    assertThat(device.exit()).isEqualTo(1);
    assertThat(device.err()).contains("--device", "/TPU:0");
    Run notModel = rnnport("inspect", tmp.toString());
    assertThat(notModel.exit()).isEqualTo(1);
    assertThat(notModel.err()).contains("saved_model.pb");
  }

  /**
   * {@code --graph fast} from the command line: a fast training run records its graph and exports a SavedModel
   * with the faithful signature; {@code eval --graph fast} rebuilds a committed model and agrees with it;
   * a SavedModel without rnnport.json is refused with a message naming it.
   */
  @Test
  void fastGraphFromTheCommandLine() throws IOException {
    Path data = TestData.ensure("mnist");
    Path run = tmp.resolve("fast-run");
    Path models = tmp.resolve("fast-models");
    Run train = rnnport("train", "mnist-lstm", "--graph", "fast", "--epochs", "1", "--steps-per-epoch", "20",
        "--seed", "2", "--data-dir", data.toString(), "-o", run.toString(), "--export-dir", models.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(train.out()).contains("fast graph", "exported");
    JsonNode h = Json.MAPPER.readTree(run.resolve("history.json").toFile());
    assertThat(h.get("hyperparameters").get("graph").asText()).isEqualTo("fast");
    JsonNode info = Json.MAPPER.readTree(models.resolve("mnist-lstm/1/assets.extra/rnnport.json").toFile());
    assertThat(info.get("training").get("graph").asText()).isEqualTo("fast");
    Run inspect = rnnport("inspect", models.resolve("mnist-lstm/1").toString());
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("inputs['x']", "outputs['logits']", "Method name is: tensorflow/serving/predict");

    Path committed = TestData.projectDir().resolve("savedmodels/mnist-rnn/1");
    Path faithfulReport = tmp.resolve("faithful.json");
    Path fastReport = tmp.resolve("fast.json");
    Run faithful = rnnport("eval", "--model", committed.toString(), "--limit", "1000", "--data-dir", data.toString(),
        "--json", faithfulReport.toString());
    Run fast = rnnport("eval", "--model", committed.toString(), "--limit", "1000", "--graph", "fast", "--data-dir",
        data.toString(), "--json", fastReport.toString());
    assertThat(fast.exit()).as(fast.err()).isZero();
    assertThat(fast.out()).contains("graph: fast, rebuilt from " + committed);
    assertThat(Json.MAPPER.readTree(fastReport.toFile()).get("accuracy").asDouble())
        .isEqualTo(Json.MAPPER.readTree(faithfulReport.toFile()).get("accuracy").asDouble());

    Path plain = tmp.resolve("plain/1");
    Files.createDirectories(plain);
    Files.copy(committed.resolve("saved_model.pb"), plain.resolve("saved_model.pb"));
    Run refused = rnnport("eval", "--model", plain.toString(), "--graph", "fast", "--data-dir", data.toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains(plain.toString(), "rnnport.json", "has none");
  }
}
