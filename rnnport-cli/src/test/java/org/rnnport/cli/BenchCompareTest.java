package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;
import org.rnnport.util.Json;

/**
 * {@code rnnport bench mnist-rnn --compare}, one short round on real MNIST with the real parity venv (the
 * Python notebook graph as a subprocess) and the committed SavedModel: the JSON holds the three graphs with
 * positive finite figures, and its ratios are the ones its figures give. Asserts no speed. Needs the parity
 * venv (Python 3.9-3.12); opt out with {@code -DskipParity}, as the other tests that run Python.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class BenchCompareTest {
  @TempDir
  Path tmp;

  @Test
  void compareWritesThreeGraphsAndConsistentRatios() throws IOException {
    Path project = TestData.projectDir();
    Path data = TestData.ensure("mnist");
    Path requirements = project.resolve("parity/requirements.txt");
    try {
      PythonEnv.ensure(requirements, System.err);
    } catch (IOException e) {
      fail("bench --compare needs the parity venv built from " + requirements + " (PythonEnv; or set "
          + PythonEnv.ENV_PYTHON + "), and it could not be found or made: " + e.getMessage(), e);
    }
    Path savedModel = project.resolve("savedmodels/mnist-rnn/1");
    assertThat(savedModel.resolve("saved_model.pb")).as("the committed SavedModel").exists();

    Path json = tmp.resolve("compare.json");
    CliTest.Run run = CliTest.rnnport("bench", "mnist-rnn", "--compare", "--rounds", "1", "--steps", "5",
        "--warmup", "2", "--eval-rounds", "1", "--data-dir", data.toString(),
        "--parity-dir", project.resolve("parity").toString(), "--model", savedModel.toString(),
        "--json", json.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("python", "faithful", "fast", "train ms/step");
    JsonNode r = Json.MAPPER.readTree(json.toFile());

    for (String g : new String[] {"python", "faithful", "fast"}) {
      JsonNode node = r.get(g);
      assertThat(node).as(g).isNotNull();
      for (String k : new String[] {"trainMedianMsPerStep", "evalSamplesPerSecond"}) {
        assertPositiveFinite(node.get(k), g + "." + k);
      }
      assertThat(node.get("rounds")).as(g + ".rounds").hasSize(1);
      if (node.hasNonNull("peakRssMiB")) {
        assertPositiveFinite(node.get("peakRssMiB"), g + ".peakRssMiB");
      }
    }
    assertPositiveFinite(r.get("python").get("peakRssMiB"), "python.peakRssMiB");
    assertPositiveFinite(r.get("faithful").get("predictorMedianMs"), "faithful.predictorMedianMs");
    assertPositiveFinite(r.get("fast").get("predictorMedianMs"), "fast.predictorMedianMs");

    double pyMs = r.get("python").get("trainMedianMsPerStep").asDouble();
    double pySps = r.get("python").get("evalSamplesPerSecond").asDouble();
    double faMs = r.get("faithful").get("trainMedianMsPerStep").asDouble();
    double faSps = r.get("faithful").get("evalSamplesPerSecond").asDouble();
    double fsMs = r.get("fast").get("trainMedianMsPerStep").asDouble();
    double fsSps = r.get("fast").get("evalSamplesPerSecond").asDouble();
    assertThat(r.get("trainSpeedupVsPython").asDouble()).isCloseTo(pyMs / fsMs, within(1e-12 * pyMs / fsMs));
    assertThat(r.get("evalSpeedupVsPython").asDouble()).isCloseTo(fsSps / pySps, within(1e-12 * fsSps / pySps));
    assertThat(r.get("trainSpeedupVsFaithful").asDouble()).isCloseTo(faMs / fsMs, within(1e-12 * faMs / fsMs));
    assertThat(r.get("evalSpeedupVsFaithful").asDouble()).isCloseTo(fsSps / faSps, within(1e-12 * fsSps / faSps));

    assertThat(r.get("batchSize").asInt()).isEqualTo(128);
    assertThat(r.get("evalExamples").asInt()).isEqualTo(10_000);
    JsonNode machine = r.get("machine");
    assertThat(machine.get("cores").asInt()).isPositive();
    assertThat(machine.get("loadAverageStart").asText()).isNotBlank();
    assertThat(machine.get("loadAverageEnd").asText()).isNotBlank();
    assertThat(machine.get("versions").get("pythonTensorflow").asText()).isEqualTo("2.18.0");
    assertThat(Files.size(json)).isPositive();
  }

  private static void assertPositiveFinite(JsonNode v, String what) {
    assertThat(v).as(what).isNotNull();
    assertThat(v.isNumber()).as(what + " is a number: " + v).isTrue();
    assertThat(Double.isFinite(v.asDouble()) && v.asDouble() > 0).as(what + " = " + v + " positive, finite").isTrue();
  }
}
