package org.rnnport.serve;

import org.rnnport.predictor.SavedModelPredictor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rnnport.TestData;
import org.rnnport.data.ImageSet;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceSet;
import org.rnnport.util.Json;

/** The REST server with a real HTTP client on loopback, serving real exports. */
class ServeTest {
  @TempDir
  static Path tmp;

  static Path models;
  static ModelRepository repo;
  static RestServer server;
  static HttpClient http;
  static ImageSet mnist;
  static SequenceSet reuters;
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @BeforeAll
  static void start() throws IOException {
    Path project = TestData.projectDir();
    mnist = TestData.mnistTest();
    reuters = Reuters.notebook(TestData.ensure("reuters")).test();
    models = tmp.resolve("models");
    copyTree(project.resolve("savedmodels/mnist-rnn/1"), models.resolve("mnist-rnn/1"));
    copyTree(project.resolve("savedmodels/reuters-lstm/1"), models.resolve("reuters-lstm/1"));
    copyTree(project.resolve("savedmodels/mnist-rnn/1"), models.resolve("swap/1"));
    copyTree(project.resolve("rnnport-serving/src/test/resources/python-savedmodels/mnist-rnn-python/1"),
        models.resolve("mnist-rnn-python/1"));
    repo = new ModelRepository(models, 256);
    repo.scan();
    repo.watch(100);
    server = new RestServer(repo, new RestServer.Config("127.0.0.1", 0, 16, 1 << 20, 64, 256));
    server.start();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    server.stop(5);
    repo.close();
  }

  record Reply(int status, JsonNode body) {}

  static Reply get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().startsWith("{") ? Json.MAPPER.readTree(r.body()) : null);
  }

  static Reply post(String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), Json.MAPPER.readTree(r.body()));
  }

  /** Test image i as [28][28] JSON. */
  static ArrayNode image(int i) {
    ArrayNode img = F.arrayNode();
    for (int r = 0; r < 28; r++) {
      ArrayNode row = F.arrayNode();
      for (int c = 0; c < 28; c++) {
        row.add(mnist.pixel(i * 784 + r * 28 + c));
      }
      img.add(row);
    }
    return img;
  }

  static ArrayNode images(int from, int n) {
    ArrayNode a = F.arrayNode();
    for (int i = from; i < from + n; i++) {
      a.add(image(i));
    }
    return a;
  }

  static long[] expectedClasses(int from, int n) throws IOException {
    try (SavedModelPredictor p = SavedModelPredictor.load(models.resolve("mnist-rnn/1"))) {
      float[][][] x = new float[n][28][28];
      for (int i = 0; i < n; i++) {
        float[] img = mnist.pixels(from + i, 1);
        for (int r = 0; r < 28; r++) {
          System.arraycopy(img, r * 28, x[i][r], 0, 28);
        }
      }
      return (long[]) p.predict(Map.of("input_X", x)).get("classes");
    }
  }

  @Test
  void statusAndMetadataLikeTfServing() throws Exception {
    Reply s = get("/v1/models/mnist-rnn");
    assertThat(s.status()).as(String.valueOf(s.body())).isEqualTo(200);
    assertThat(s.body().get("model_version_status").get(0).get("state").asText()).isEqualTo("AVAILABLE");
    assertThat(s.body().get("model_version_status").get(0).get("status").get("error_code").asText()).isEqualTo("OK");
    assertThat(get("/v1/models/mnist-rnn/versions/1").status()).isEqualTo(200);
    Reply md = get("/v1/models/mnist-rnn/versions/1/metadata");
    assertThat(md.status()).isEqualTo(200);
    assertThat(md.body().get("model_spec").get("version").asText()).isEqualTo("1");
    JsonNode sig = md.body().get("metadata").get("signature_def").get("signature_def").get("serving_default");
    assertThat(sig.get("method_name").asText()).isEqualTo("tensorflow/serving/predict");
    assertThat(sig.get("inputs").get("input_X").get("dtype").asText()).isEqualTo("DT_FLOAT");
    assertThat(sig.get("inputs").get("input_X").get("tensor_shape").get("dim").get(1).get("size").asText()).isEqualTo("28");
    assertThat(sig.get("outputs").fieldNames()).toIterable().containsExactlyInAnyOrder("logits", "probabilities", "classes");
    Reply py = get("/v1/models/mnist-rnn-python/metadata");
    assertThat(py.status()).isEqualTo(200);
    assertThat(get("/healthz").status()).isEqualTo(200);
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("rnnport_requests_total{model=\"mnist-rnn\",code=\"200\"}",
        "rnnport_request_duration_seconds_bucket{model=\"mnist-rnn\",le=\"0.001\"}", "rnnport_inflight_predictions");
  }

  @Test
  void predictsInRowAndColumnarFormats() throws Exception {
    long[] expected = expectedClasses(0, 5);
    ObjectNode rows = F.objectNode();
    rows.set("instances", images(0, 5));
    Reply r = post("/v1/models/mnist-rnn:predict", rows.toString());
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
    for (int i = 0; i < 5; i++) {
      JsonNode p = r.body().get("predictions").get(i);
      assertThat(p.get("classes").asLong()).isEqualTo(expected[i]);
      assertThat(p.get("logits")).hasSize(10);
      assertThat(p.get("probabilities")).hasSize(10);
    }
    ObjectNode cols = F.objectNode();
    cols.set("inputs", images(0, 5));
    cols.put("signature_name", "serving_default");
    Reply c = post("/v1/models/mnist-rnn/versions/1:predict", cols.toString());
    assertThat(c.status()).isEqualTo(200);
    for (int i = 0; i < 5; i++) {
      assertThat(c.body().get("outputs").get("classes").get(i).asLong()).isEqualTo(expected[i]);
    }
    assertThat(c.body().get("outputs").get("logits").get(4)).isEqualTo(r.body().get("predictions").get(4).get("logits"));
    // named inputs are accepted in both formats too
    ObjectNode named = F.objectNode();
    named.set("instances", F.arrayNode().add(F.objectNode().set("input_X", image(0))));
    assertThat(post("/v1/models/mnist-rnn:predict", named.toString()).body().get("predictions").get(0).get("classes")
        .asLong()).isEqualTo(expected[0]);
    // most test images are classified right
    assertThat(expected).containsExactly(mnist.labels()[0], mnist.labels()[1], mnist.labels()[2], mnist.labels()[3],
        mnist.labels()[4]);
  }

  @Test
  void servesReutersAndAPythonExport() throws Exception {
    ArrayNode seqs = F.arrayNode();
    for (int i = 0; i < 3; i++) {
      ArrayNode s = F.arrayNode();
      for (int t = 0; t < 100; t++) {
        s.add(reuters.tokens()[i * 100 + t]);
      }
      seqs.add(s);
    }
    Reply r = post("/v1/models/reuters-lstm:predict", F.objectNode().set("instances", seqs).toString());
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
    assertThat(r.body().get("predictions").get(0).get("probabilities")).hasSize(46);
    assertThat(r.body().get("predictions").get(0).get("classes").asInt()).isEqualTo(reuters.labels()[0]);
    Reply py = post("/v1/models/mnist-rnn-python:predict", F.objectNode().set("instances", images(0, 2)).toString());
    assertThat(py.status()).as(String.valueOf(py.body())).isEqualTo(200);
    assertThat(py.body().get("predictions").get(0).get("logits")).hasSize(10);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "invalid JSON | {\"instances\": [1, 2 | 400 | invalid JSON",
      "not an object | [1, 2] | 400 | JSON object",
      "neither format | {\"x\": 1} | 400 | Missing 'inputs' or 'instances' key",
      "both formats | {\"instances\": [], \"inputs\": []} | 400 | both",
      "empty instances | {\"instances\": []} | 400 | empty instances",
      "instances not a list | {\"instances\": 3} | 400 | must be a list",
      "wrong rank | {\"instances\": [[1, 2, 3]]} | 400 | rank 2",
      "wrong inner dimension | {\"inputs\": [[[1, 2, 3]]]} | 400 | dimension 1 is 1, the signature expects 28",
      "ragged | {\"inputs\": [[[1, 2], [3]]]} | 400 | ragged",
      "string value | {\"inputs\": [[[\"a\"]]]} | 400 | input 'input_X' at inputs: JSON Value: \"a\" is not of expected type: DT_FLOAT",
      "unknown signature | {\"signature_name\": \"nope\", \"instances\": [[[1]]]} | 400 | unknown signature_name 'nope'",
      "unknown input key | {\"inputs\": {\"x\": [[[1]]]}} | 400 | does not have named input: x"})
  void badInputGetsA400NamingTheProblem(String name, String body, int status, String message) throws Exception {
    Reply r = post("/v1/models/mnist-rnn:predict", body);
    assertThat(r.status()).as(name + ": " + r.body()).isEqualTo(status);
    assertThat(r.body().get("error").asText()).as(name).contains(message);
    assertThat(get("/healthz").status()).isEqualTo(200); // the server goes on
  }

  @Test
  void otherErrorsHaveTheirStatus() throws Exception {
    assertThat(post("/v1/models/nope:predict", "{\"instances\": [[[1]]]}").status()).isEqualTo(404);
    assertThat(post("/v1/models/mnist-rnn/versions/9:predict", "{\"instances\": [[[1]]]}").status()).isEqualTo(404);
    assertThat(get("/v1/models/mnist-rnn/versions/9").status()).isEqualTo(404);
    assertThat(get("/v1/nothing").status()).isEqualTo(404);
    // a model name in a URL makes no metrics series unless the model is known
    assertThat(post("/v1/models/made-up-" + System.nanoTime() + ":predict", "{\"instances\": [[[1]]]}").status()).isEqualTo(404);
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).doesNotContain("made-up-").contains("rnnport_requests_total{model=\"\",code=\"404\"}");
    assertThat(get("/v1/models/mnist-rnn:predict").status()).isEqualTo(405);
    // integral input: a float word id
    assertThat(post("/v1/models/reuters-lstm:predict", "{\"instances\": [[" + "1.5, ".repeat(99) + "1.5]]}").body()
        .get("error").asText()).contains("input 'embedding_input'").contains("1.5 is not of expected type: DT_INT32");
    // body over the limit (1 MiB here) and too many rows (256 here)
    assertThat(post("/v1/models/mnist-rnn:predict", "{\"instances\": [" + "0, ".repeat(400_000) + "0]}").status())
        .isEqualTo(413);
    ArrayNode rows = F.arrayNode();
    for (int i = 0; i < 257; i++) {
      rows.add(zeroRow());
    }
    Reply r = post("/v1/models/mnist-rnn:predict", F.objectNode().set("instances", rows).toString());
    assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(413);
    assertThat(r.body().get("error").asText()).contains("257 rows", "limit of 256");
  }

  private static ArrayNode zeroRow() {
    ArrayNode img = F.arrayNode();
    for (int r = 0; r < 28; r++) {
      ArrayNode row = F.arrayNode();
      for (int c = 0; c < 28; c++) {
        row.add(0);
      }
      img.add(row);
    }
    return img;
  }

  @Test
  void manyConcurrentClientsEachGetTheirOwnAnswer() throws Exception {
    int n = 40;
    long[] expected = expectedClasses(100, n);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int k = 0; k < 160; k++) {
        int i = k % n;
        results.add(pool.submit(() -> {
          Reply r = post("/v1/models/mnist-rnn:predict", F.objectNode().set("instances", images(100 + i, 1)).toString());
          return r.status() == 200 && r.body().get("predictions").get(0).get("classes").asLong() == expected[i];
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void hotSwapUnderLoadFailsNoRequestAndABadVersionNeverServes() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(6);
    String body = F.objectNode().set("instances", images(0, 1)).toString();
    for (int t = 0; t < 6; t++) {
      pool.submit(() -> {
        while (running.get()) {
          try {
            Reply r = post("/v1/models/swap:predict", body);
            if (r.status() == 200) {
              ok.incrementAndGet();
            } else {
              failures.add(r.status() + " " + r.body());
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
        return null;
      });
    }
    Thread.sleep(300);
    // version 2 arrives the way exports arrive: written aside, renamed into place
    Path staging = tmp.resolve("staging-2");
    copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), staging);
    Files.move(staging, models.resolve("swap/2"), StandardCopyOption.ATOMIC_MOVE);
    waitFor(() -> "AVAILABLE".equals(state(2)) && "END".equals(state(1)));
    Thread.sleep(300);
    // a corrupt version 3 is reported and never replaces version 2
    Path bad = tmp.resolve("staging-3");
    Files.createDirectories(bad.resolve("variables"));
    Files.writeString(bad.resolve("saved_model.pb"), "not a protobuf");
    Files.move(bad, models.resolve("swap/3"), StandardCopyOption.ATOMIC_MOVE);
    waitFor(() -> state(3) != null && state(3).equals("END"));
    Thread.sleep(300);
    running.set(false);
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).as("failed requests during the swap").isEmpty();
    assertThat(ok.get()).isGreaterThan(20);
    JsonNode v3 = get("/v1/models/swap/versions/3").body().get("model_version_status").get(0);
    assertThat(v3.get("status").get("error_code").asText()).isEqualTo("UNKNOWN");
    assertThat(v3.get("status").get("error_message").asText()).contains("failed to load");
    assertThat(get("/v1/models/swap/versions/2/metadata").status()).isEqualTo(200);
    assertThat(post("/v1/models/swap:predict", body).status()).isEqualTo(200);
  }

  static String state(long v) {
    try {
      Reply r = get("/v1/models/swap/versions/" + v);
      return r.status() == 200 ? r.body().get("model_version_status").get(0).get("state").asText() : null;
    } catch (Exception e) {
      return null;
    }
  }

  static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 60 s");
      }
      Thread.sleep(50);
    }
  }
}
