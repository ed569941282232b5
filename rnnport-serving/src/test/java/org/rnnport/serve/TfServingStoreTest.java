package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;

/**
 * TF Serving's own test models (its {@code servables/tensorflow/testdata}, as they are) served from a read-only model
 * store with an unwritable parent: each answers as TF Serving does, {@code bad_half_plus_two} is refused with its
 * reason and disturbs no other model, TF Serving's REST documentation calls on {@code half_plus_three}
 * ({@code api_rest.md}) answer as documented, a new version hot-swaps in another (writable) folder, and nothing is
 * ever written into the store or beside it.
 *
 * <p>"Nothing written" is proved twice, because the tests may run as root, whom permission bits do not stop: the
 * store is made immutable with {@code chattr -R +i} where the file system allows it (then any write fails), and the
 * whole parent tree (names, sizes, modification times) is compared before and after.
 */
class TfServingStoreTest {
  @TempDir
  static Path tmp;
  static Path parent;
  static Path store;
  static Path swap;
  static boolean immutable;
  static Map<String, String> before;
  static ServingStack stack;
  static ManagedChannel channel;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static Path testdata() {
    Path suite = System.getenv("RNNPORT_TFSERVING_SUITE") != null ? Path.of(System.getenv("RNNPORT_TFSERVING_SUITE"))
        : TestData.projectDir().resolve("../shared/tfserving-suite");
    Path d = suite.resolve("tensorflow_serving/servables/tensorflow/testdata").toAbsolutePath().normalize();
    assertThat(d).as("TF Serving's testdata (../shared/tfserving-suite next to the checkout, or "
        + "RNNPORT_TFSERVING_SUITE)").isDirectory();
    return d;
  }

  @BeforeAll
  static void start() throws Exception {
    Path td = testdata();
    parent = tmp.resolve("ro");
    store = parent.resolve("store");
    for (String m : List.of("saved_model_half_plus_three", "saved_model_half_plus_two_cpu",
        "saved_model_half_plus_two_tf2_cpu", "saved_model_half_plus_two_2_versions",
        "saved_model_half_plus_two_cpu_with_saved_model_config", "bad_half_plus_two")) {
      ServeTest.copyTree(td.resolve(m), store.resolve(m));
    }
    swap = tmp.resolve("swap/half");
    ServeTest.copyTree(td.resolve("saved_model_half_plus_two_cpu/00000123"), swap.resolve("1"));
    // no write permission anywhere in the store, nor on its parent; immutable too where chattr works
    run("chmod", "-R", "a-w", parent.toString());
    immutable = run("chattr", "-R", "+i", parent.toString()) == 0;
    System.out.println("read-only store: chmod a-w" + (immutable ? " and chattr +i (immutable)" : "; chattr +i not "
        + "available here, so the before/after snapshot is the proof"));
    before = snapshot(parent);
    List<ModelRepository.ModelConfig> configs = List.of(
        config("saved_model_half_plus_three", store.resolve("saved_model_half_plus_three")),
        config("half_plus_two_cpu", store.resolve("saved_model_half_plus_two_cpu")),
        config("half_plus_two_tf2_cpu", store.resolve("saved_model_half_plus_two_tf2_cpu")),
        config("half_plus_two_2_versions", store.resolve("saved_model_half_plus_two_2_versions")),
        config("half_plus_two_with_config", store.resolve("saved_model_half_plus_two_cpu_with_saved_model_config")),
        config("bad_half_plus_two", store.resolve("bad_half_plus_two")),
        config("swap", swap));
    ModelRepository repo = new ModelRepository(configs, 1024);
    repo.scan();
    stack = ServingStack.start(repo, null, 4 << 20, null, null, true);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", stack.grpc().port()).usePlaintext().build();
  }

  static ModelRepository.ModelConfig config(String name, Path base) {
    return new ModelRepository.ModelConfig(name, base, new VersionPolicy.Latest(1), Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      if (stack != null) {
        stack.close();
      }
      assertThat(snapshot(parent)).as("the store and its parent after serving").isEqualTo(before);
    } finally {
      if (immutable) {
        run("chattr", "-R", "-i", parent.toString());
      }
      run("chmod", "-R", "u+w", parent.toString());
    }
  }

  static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  /** Every path under {@code root} with its size and modification time. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        m.put(root.relativize(p).toString(), (a.isDirectory() ? "dir " : a.size() + " bytes ")
            + a.lastModifiedTime().toMillis());
      }
    }
    return m;
  }

  record Reply(int status, JsonNode body) {}

  static Reply curl(String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.restUrl() + path));
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), RestApi.JSON.readTree(r.body()));
  }

  static JsonNode json(String s) throws IOException {
    return RestApi.JSON.readTree(s);
  }

  @Test
  void tfServingsRestDocumentationCallsOnHalfPlusThreeAnswerAsDocumented() throws Exception {
    // api_rest.md, "Example": status, predict, regress and a wrong model name, exactly as it shows them
    Reply status = curl("/v1/models/saved_model_half_plus_three", null);
    assertThat(status.body()).isEqualTo(json("{\"model_version_status\": [{\"version\": \"123\", \"state\": "
        + "\"AVAILABLE\", \"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}"));
    assertThat(curl("/v1/models/saved_model_half_plus_three:predict", "{\"instances\": [1.0,2.0,5.0]}").body())
        .isEqualTo(json("{\"predictions\": [3.5, 4.0, 5.5]}"));
    assertThat(curl("/v1/models/saved_model_half_plus_three:regress", "{\"signature_name\": "
        + "\"tensorflow/serving/regress\", \"examples\": [{\"x\": 1.0}, {\"x\": 2.0}]}").body())
        .isEqualTo(json("{\"results\": [3.5, 4.0]}"));
    Reply missing = curl("/v1/models/half:predict", "{\"instances\": [1.0,5.0]}");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().get("error").asText()).startsWith("Servable not found for request: Latest(half)");
  }

  @Test
  void eachTestModelAnswersAsTfServingDoes() throws Exception {
    for (String m : List.of("half_plus_two_cpu", "half_plus_two_2_versions", "half_plus_two_with_config")) {
      assertThat(curl("/v1/models/" + m + ":predict", "{\"instances\": [1.0, 2.0, 5.0]}").body()).as(m)
          .isEqualTo(json("{\"predictions\": [2.5, 3.0, 4.5]}"));
    }
    // the TF2 model's x is [1] in its signature and its graph alike: one value per call, as TF Serving's test sends
    assertThat(curl("/v1/models/half_plus_two_tf2_cpu:predict", "{\"instances\": [2.0]}").body())
        .isEqualTo(json("{\"predictions\": [3.0]}"));
    // the latest of two versions serves (TF Serving's default policy)
    assertThat(curl("/v1/models/half_plus_two_2_versions", null).body().get("model_version_status").get(0)
        .get("version").asText()).isEqualTo("124");
    // the TF2 model's classify and regress signatures, as in TF Serving's own testClassifyTf2/testRegressTf2
    assertThat(curl("/v1/models/half_plus_two_tf2_cpu:regress", "{\"signature_name\": \"regress_x_to_y\", "
        + "\"examples\": [{\"x\": 2.0}]}").body()).isEqualTo(json("{\"results\": [3.0]}"));
  }

  @Test
  void aBadModelIsRefusedWithItsReasonAndDisturbsNoOther() throws Exception {
    Reply s = curl("/v1/models/bad_half_plus_two", null);
    JsonNode v = s.body().get("model_version_status").get(0);
    assertThat(v.get("version").asText()).isEqualTo("123");
    assertThat(v.get("state").asText()).isEqualTo("END");
    assertThat(v.get("status").get("error_message").asText()).contains("bad_half_plus_two/00000123", "saved_model.pb");
    assertThat(curl("/v1/models/bad_half_plus_two:predict", "{\"instances\": [1.0]}").status()).isEqualTo(404);
    assertThat(stack.repo().names()).contains("saved_model_half_plus_three", "half_plus_two_cpu",
        "half_plus_two_tf2_cpu", "half_plus_two_2_versions", "half_plus_two_with_config").doesNotContain(
        "bad_half_plus_two");
  }

  @Test
  void aNewVersionHotSwapsInAnotherReadableFolder() throws Exception {
    assertThat(curl("/v1/models/swap:predict", "{\"instances\": [2.0]}").body())
        .isEqualTo(json("{\"predictions\": [3.0]}"));
    ServeTest.copyTree(testdata().resolve("saved_model_half_plus_three/00000123"), swap.resolve("2"));
    stack.repo().scan();
    assertThat(curl("/v1/models/swap:predict", "{\"instances\": [2.0]}").body())
        .isEqualTo(json("{\"predictions\": [4.0]}"));
    assertThat(stack.repo().get("swap", null).version()).isEqualTo(2);
  }

  @Test
  void theGrpcHealthServiceAnswersAsTfServingSetsIt() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    for (String service : List.of("", "ModelService", "PredictionService")) {
      assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus()).as(service)
          .isEqualTo(ServingStatus.SERVING);
    }
    io.grpc.StatusRuntimeException unknown = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> health.check(HealthCheckRequest.newBuilder().setService("NoSuchService").build()),
        io.grpc.StatusRuntimeException.class);
    assertThat(unknown.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
  }

  @Test
  void oneHttp1RequestOnTheGrpcPortLogsNoStackTrace() throws Exception {
    java.util.List<java.util.logging.LogRecord> traces = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler h = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (r.getThrown() != null) {
          traces.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger connections = java.util.logging.Logger.getLogger(
        "io.grpc.netty.NettyServerTransport.connections");
    connections.addHandler(h);
    try {
      // what a health checker or port scanner sends
      HttpResponse<String> r = null;
      try {
        r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.grpc().port() + "/"))
            .version(HttpClient.Version.HTTP_1_1).timeout(java.time.Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException expected) {
        // the gRPC port closes the connection
      }
      Thread.sleep(500);
      assertThat(traces).as("grpc-java's 25-line 'Transport failed' trace, filtered to one line").isEmpty();
      assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
      assertThat(r == null || r.statusCode() != 200).isTrue();
    } finally {
      connections.removeHandler(h);
    }
  }
}
