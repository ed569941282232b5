package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;

/**
 * TensorFlow Serving's own Python client (tensorflow-serving-api, in the parity venv) against the
 * gRPC and REST servers, on every committed model: Predict with {@code tf.make_tensor_proto} equals the
 * REST answer and Python's own SavedModel call; GetModelMetadata and GetModelStatus answer; the same
 * Predict and GetModelStatus on the Unix socket ({@code --grpc_socket_path}) answer as the port does. Needs the
 * parity venv (built on first use); opt out with {@code -DskipParity}.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class TfServingPythonClientTest {
  @TempDir
  Path tmp;

  @Test
  void tfServingsPythonClientGetsWhatRestAndPythonGet() throws Exception {
    Path project = TestData.projectDir();
    Path models = tmp.resolve("models");
    try (Stream<Path> s = Files.list(project.resolve("savedmodels"))) {
      for (Path m : s.filter(p -> Files.isRegularFile(p.resolve("1/saved_model.pb"))).toList()) {
        ServeTest.copyTree(m.resolve("1"), models.resolve(m.getFileName().toString()).resolve("1"));
      }
    }
    PythonEnv env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.out);
    Path socket = tmp.resolve("grpc.sock");
    try (ServingStack stack = ServingStack.folder(models, null, socket)) {
      Path out = tmp.resolve("client.json");
      env.runModule(project.resolve("parity").toAbsolutePath(), "rnnport_oracle.serving_client", List.of(
          "--grpc", "127.0.0.1:" + stack.grpc().port(), "--grpc-unix", socket.toString(), "--rest", stack.restUrl(),
          "--models", models.toString(), "--out", out.toString()), System.out);
      JsonNode r = RestApi.JSON.readTree(out.toFile());
      assertThat(r.get("ok").asBoolean()).as(r.toPrettyString()).isTrue();
      assertThat(r.get("models").size()).isEqualTo(5);
      r.get("models").fields().forEachRemaining(e -> {
        assertThat(e.getValue().get("agree").asBoolean()).as(e.getKey()).isTrue();
        assertThat(e.getValue().get("unix_equal").asBoolean()).as(e.getKey() + " on the Unix socket").isTrue();
        assertThat(e.getValue().get("status").get(0).get(1).asText()).isEqualTo("AVAILABLE");
        assertThat(e.getValue().get("predict_model_spec").get(2).asText()).isEqualTo("serving_default");
      });
    }
  }
}
