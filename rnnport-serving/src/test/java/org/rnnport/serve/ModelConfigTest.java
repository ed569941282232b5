package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Int64Value;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/** TF Serving's model config: version policies, labels, a reload, models added and removed while serving. */
class ModelConfigTest {
  @TempDir
  Path tmp;
  final HttpClient http = HttpClient.newHttpClient();

  void versions(String model, int... vs) throws Exception {
    for (int v : vs) {
      ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve(model + "/" + v));
    }
  }

  JsonNode get(ServingStack s, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.restUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode j = RestApi.JSON.readTree(r.body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) j).put("_status", r.statusCode());
    return j;
  }

  int predict(ServingStack s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(s.restUrl() + path)).POST(HttpRequest.BodyPublishers.ofString(
        "{\"instances\": [" + StalledClientsTest.zeros() + "]}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static List<String> available(JsonNode status) {
    List<String> out = new ArrayList<>();
    status.get("model_version_status").forEach(v -> {
      if (v.get("state").asText().equals("AVAILABLE")) {
        out.add(v.get("version").asText());
      }
    });
    return out;
  }

  @Test
  void policiesAndLabelsOnRestAndGrpc() throws Exception {
    versions("a", 1, 2, 3);
    versions("b", 1, 2, 3);
    versions("c", 1, 2, 3);
    String config = """
        model_config_list {
          config { name: "a" base_path: "a" model_platform: "tensorflow"
                   model_version_policy { latest { num_versions: 2 } }
                   version_labels { key: "stable" value: 2 } version_labels { key: "canary" value: 3 } }
          config { name: "b" base_path: "b" model_version_policy { all {} } }
          config { name: "c" base_path: "c" model_version_policy { specific { versions: 1 versions: 3 } } }
        }
        """;
    ModelRepository repo = new ModelRepository(TfServingConfig.modelConfig(config, tmp), 64);
    repo.scan();
    try (ServingStack s = ServingStack.start(repo, null, 4 << 20)) {
      assertThat(available(get(s, "/v1/models/a"))).containsExactly("2", "3");
      assertThat(available(get(s, "/v1/models/b"))).containsExactly("1", "2", "3");
      assertThat(available(get(s, "/v1/models/c"))).containsExactly("1", "3");
      assertThat(get(s, "/v1/models/a/labels/stable/metadata").get("model_spec").get("version").asText()).isEqualTo("2");
      assertThat(get(s, "/v1/models/a/labels/canary/metadata").get("model_spec").get("version").asText()).isEqualTo("3");
      assertThat(get(s, "/v1/models/a/metadata").get("model_spec").get("version").asText()).isEqualTo("3");
      assertThat(available(get(s, "/v1/models/a/labels/stable"))).containsExactly("2");
      assertThat(predict(s, "/v1/models/a/labels/stable:predict")).isEqualTo(200);
      assertThat(predict(s, "/v1/models/a/versions/2:predict")).isEqualTo(200);
      assertThat(predict(s, "/v1/models/a/versions/1:predict")).isEqualTo(404);
      assertThat(predict(s, "/v1/models/a/labels/nope:predict")).isEqualTo(404);
      assertThat(predict(s, "/v1/models/c/versions/2:predict")).isEqualTo(404);
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.grpc().port()).usePlaintext().build();
      try {
        var stub = PredictionServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS);
        var r = stub.predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("a")
            .setVersionLabel("stable")).putInputs("input_X", GrpcTest.content(new float[1][28][28])).build());
        assertThat(r.getModelSpec().getVersion()).isEqualTo(Int64Value.of(2));
        var st = ModelServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS).getModelStatus(
            GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("b")).build());
        assertThat(st.getModelVersionStatusCount()).isEqualTo(3);
      } finally {
        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aConfigFileReloadAddsAndRemovesModelsWhileServing() throws Exception {
    versions("a", 1);
    versions("b", 4);
    Path file = tmp.resolve("models.config");
    Files.writeString(file, "model_config_list { config { name: \"a\" base_path: \"a\" } }");
    ModelRepository repo = new ModelRepository(TfServingConfig.modelConfig(Files.readString(file), tmp), 64);
    repo.scan();
    repo.watchConfig(() -> {
      try {
        return TfServingConfig.modelConfig(Files.readString(file), tmp);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, 100);
    try (ServingStack s = ServingStack.start(repo, null, 4 << 20)) {
      assertThat(predict(s, "/v1/models/a:predict")).isEqualTo(200);
      assertThat(predict(s, "/v1/models/b:predict")).isEqualTo(404);
      // b added, a removed, by editing the file
      Files.writeString(file, "model_config_list { config { name: \"b\" base_path: \"b\" "
          + "version_labels { key: \"stable\" value: 4 } } }");
      ServeTest.waitFor(() -> repo.names().equals(List.of("b")));
      assertThat(predict(s, "/v1/models/b/labels/stable:predict")).isEqualTo(200);
      assertThat(predict(s, "/v1/models/a:predict")).isEqualTo(404);
      ServeTest.waitFor(() -> repo.status("a", null).get(0).state() == ModelRepository.State.END);
      // a config that does not parse leaves the one in effect
      Files.writeString(file, "model_config_list { config { nme: \"x\" } }");
      Thread.sleep(500);
      assertThat(predict(s, "/v1/models/b:predict")).isEqualTo(200);
    }
  }

  @Test
  void badConfigsAreRejectedWithTheirReason() {
    assertThatThrownBy(() -> TfServingConfig.modelConfig("model_config_list { config { name: \"a\" } }", tmp))
        .hasMessageContaining("base_path");
    assertThatThrownBy(() -> TfServingConfig.modelConfig("model_config_list { config { name: \"a\" base_path: \"a\" "
        + "model_platform: \"pytorch\" } }", tmp)).hasMessageContaining("pytorch");
    assertThatThrownBy(() -> TfServingConfig.modelConfig("model_config_list { cnfig {} }", tmp))
        .hasMessageContaining("cnfig");
  }

  @Test
  void batchingParametersAndMonitoringParseAsTfServingWritesThem() {
    BatchingOptions b = TfServingConfig.batching("""
        max_batch_size { value: 64 }
        batch_timeout_micros { value: 2000 }
        num_batch_threads { value: 2 }
        max_enqueued_batches { value: 8 }
        allowed_batch_sizes: 16
        allowed_batch_sizes: 64
        pad_variable_length_inputs: true
        """);
    assertThat(b).isEqualTo(new BatchingOptions(64, 2000, 2, 8, List.of(16, 64), true));
    assertThat(TfServingConfig.batching("").maxBatchSize()).isEqualTo(1000);
    assertThatThrownBy(() -> TfServingConfig.batching("max_batch_size: 3")).isInstanceOf(IllegalArgumentException.class);
    assertThat(TfServingConfig.prometheusPath("prometheus_config { enable: true path: \"/m/p\" }")).isEqualTo("/m/p");
    assertThat(TfServingConfig.prometheusPath("prometheus_config { enable: true }"))
        .isEqualTo("/monitoring/prometheus/metrics");
    assertThat(TfServingConfig.prometheusPath("prometheus_config { enable: false }")).isNull();
  }
}
