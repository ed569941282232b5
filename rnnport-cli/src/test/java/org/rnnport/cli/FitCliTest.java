package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rnnport.cli.CliTest.rnnport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;

/**
 * docs/fit.md's walk from Python to rnnport fit to predict, on a dataset that ships with scikit-learn: the example
 * script writes the Keras model and the digits, {@code rnnport fit} trains and exports, {@code rnnport predict} scores
 * the export, and Python takes the export unchanged (tf.saved_model.load, and Keras' model_from_json with its
 * weights by name, predicting the same bits).
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class FitCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  static PythonEnv python() throws IOException {
    return PythonEnv.ensure(TestData.projectDir().resolve("parity/requirements.txt"), System.err);
  }

  @Test
  void digitsFromKerasToFitToPredictAndBackToPython() throws Exception {
    PythonEnv env = python();
    Process p = new ProcessBuilder(env.python().toString(), TestData.projectDir().resolve("examples/fit/digits.py")
        .toString()).directory(tmp.toFile()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(log).isZero();
    Path run = tmp.resolve("runs/digits");
    Path models = tmp.resolve("models");
    CliTest.Run fit = rnnport("fit", "--model", tmp.resolve("digits.json").toString(), "--data",
        tmp.resolve("digits.npz").toString(), "--x", "x", "--y", "y", "--loss", "sparse_categorical_crossentropy",
        "--epochs", "30", "--learning-rate", "0.005", "--seed", "1", "--metrics", "accuracy", "--validation-data",
        tmp.resolve("digits-test.npz").toString(), "-o", run.toString(), "--export-dir", models.toString());
    assertThat(fit.exit()).as(fit.err()).isZero();
    for (String f : List.of("history.json", "loss.png", "fit.json", "checkpoints", "tensorboard/train",
        "tensorboard/validation")) {
      assertThat(run.resolve(f)).exists();
    }
    JsonNode h = JSON.readTree(run.resolve("history.json").toFile());
    double acc = h.get("results").get("validationAccuracy").asDouble();
    // docs/fit.md: 0.9259 (275 of the 297 held-out digits) with these options; a GRU that learned nothing gets ~0.1
    assertThat(acc).isGreaterThan(0.85);
    assertThat(h.get("batchCost")).hasSize(30 * 47);
    CliTest.Run predict = rnnport("predict", "--model", models.resolve("digits").toString(), "--input",
        tmp.resolve("digits-test.npz").toString(), "--label-column", "y", "--output",
        tmp.resolve("scores.jsonl").toString());
    assertThat(predict.exit()).as(predict.err()).isZero();
    // predict scores the export as fit's own evaluation scored the trained graph
    assertThat(predict.out() + predict.err()).contains(String.format("accuracy %.4f (%d/297)", acc,
        Math.round(acc * 297)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    env.runModule(TestData.projectDir().resolve("parity"), "rnnport_oracle.check_fit_export", List.of("--export",
        models.resolve("digits/1").toString(), "--model", tmp.resolve("digits.json").toString(), "--data",
        tmp.resolve("digits-test.npz").toString(), "--x", "x"), new PrintStream(out, true, StandardCharsets.UTF_8));
    String line = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("kerasEqualsSavedModel"))
        .findFirst().orElseThrow().replaceFirst("^ *\\| ", "");
    JsonNode py = JSON.readTree(line);
    assertThat(py.get("inputs").toString()).isEqualTo("{\"x\":[null,8,8]}");
    assertThat(py.get("outputs").toString()).isEqualTo("[\"classes\",\"logits\",\"probabilities\"]");
    assertThat(py.get("kerasEqualsSavedModel").asBoolean()).as(line).isTrue();
    // Keras' accuracy is a float32 mean (265/297 rounded to float32); numpy's is a float64 one
    assertThat((float) py.get("accuracy").asDouble()).isEqualTo((float) acc);

    // bad input from the command line: a clear error, nothing written
    ObjectNode m = (ObjectNode) JSON.readTree(tmp.resolve("digits.json").toFile());
    ((ObjectNode) m.get("config").get("layers").get(1)).put("class_name", "Conv1D");
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, m.toString());
    CliTest.Run refused = rnnport("fit", "--model", bad.toString(), "--data", tmp.resolve("digits.npz").toString(),
        "--x", "x", "--y", "y", "--loss", "sparse_categorical_crossentropy", "-o", tmp.resolve("bad-run").toString(),
        "--export-dir", tmp.resolve("bad-models").toString());
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("bad.json: layer 0 (Conv1D 'gru'): layer Conv1D is not supported");
    CliTest.Run wrongX = rnnport("fit", "--model", tmp.resolve("digits.json").toString(), "--data",
        tmp.resolve("digits.npz").toString(), "--x", "pixels", "--y", "y", "--loss", "sparse_categorical_crossentropy",
        "-o", tmp.resolve("bad-run").toString(), "--export-dir", tmp.resolve("bad-models").toString());
    assertThat(wrongX.exit()).isNotZero();
    assertThat(wrongX.err()).contains("digits.npz", "pixels");
    assertThat(tmp.resolve("bad-run")).doesNotExist();
    assertThat(tmp.resolve("bad-models")).doesNotExist();
  }
}
