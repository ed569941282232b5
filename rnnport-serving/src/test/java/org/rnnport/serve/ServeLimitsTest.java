package org.rnnport.serve;

import org.rnnport.predictor.SavedModelPredictor;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;

/** Concurrency above the in-flight limit is refused with 503, never queued without bound or crashed. */
class ServeLimitsTest {
  @TempDir
  Path tmp;

  /** A server on an ephemeral port over a copy of the committed mnist-rnn model. */
  record Running(ModelRepository repo, RestServer server) implements AutoCloseable {
    @Override
    public void close() {
      server.stop(5);
      repo.close();
    }
  }

  Running start(String dir, RestServer.Config config) throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve(dir + "/mnist-rnn/1"));
    ModelRepository repo = new ModelRepository(tmp.resolve(dir), 1024);
    repo.scan();
    RestServer server = new RestServer(repo, config);
    server.start();
    return new Running(repo, server);
  }

  @Test
  void excessConcurrentPredictionsGet503AndTheRestSucceed() throws Exception {
    Running running = start("m", new RestServer.Config("127.0.0.1", 0, 32, 1 << 24, 2, 1024));
    RestServer server = running.server();
    HttpClient http = HttpClient.newHttpClient();
    String b = org.rnnport.util.Json.MAPPER.writeValueAsString(java.util.Map.of("instances", new float[512][28][28]));
    ExecutorService pool = Executors.newFixedThreadPool(24);
    try {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int k = 0; k < 48; k++) {
        fs.add(pool.submit(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/v1/models/mnist-rnn:predict")).POST(HttpRequest.BodyPublishers.ofString(b)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode()));
      }
      int ok = 0;
      int busy = 0;
      for (Future<Integer> f : fs) {
        int s = f.get();
        assertThat(s).isIn(200, 503);
        ok += s == 200 ? 1 : 0;
        busy += s == 503 ? 1 : 0;
      }
      assertThat(ok).isPositive();
      assertThat(busy).as("requests over the in-flight limit of 2").isPositive();
      assertThat(server.metrics().text()).contains("rnnport_rejected_busy_total " + busy);
    } finally {
      pool.shutdownNow();
      running.close();
    }
  }

  @Test
  void stoppingDrainsInFlightRequestsAndRefusesNewOnes() throws Exception {
    Running running = start("d", new RestServer.Config("127.0.0.1", 0, 8, 1 << 24, 64, 1024));
    RestServer server = running.server();
    HttpClient http = HttpClient.newHttpClient();
    String b = org.rnnport.util.Json.MAPPER.writeValueAsString(java.util.Map.of("instances", new float[256][28][28]));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Integer>> fs = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      fs.add(pool.submit(() -> {
        int worst = 200;
        for (int i = 0; i < 30; i++) {
          try {
            int s = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/models/mnist-rnn:predict")).POST(HttpRequest.BodyPublishers.ofString(b)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
            if (s != 200 && s != 503) {
              return s;
            }
          } catch (java.io.IOException refusedAfterStop) {
            return worst;
          }
        }
        return worst;
      }));
    }
    Thread.sleep(300);
    server.stop(10);
    running.repo().close();
    for (Future<Integer> f : fs) {
      assertThat(f.get()).as("answers while stopping are 200 (finished) or 503 (refused), never an error").isIn(200, 503);
    }
    pool.shutdownNow();
  }

  @Test
  void microBatchingGivesEveryRequestItsOwnRows() throws Exception {
    Running running = start("b", new RestServer.Config("127.0.0.1", 0, 32, 1 << 24, 64, 1024, 5000));
    RestServer server = running.server();
    org.rnnport.data.ImageSet test = TestData.mnistTest();
    long[] expected;
    try (SavedModelPredictor p = SavedModelPredictor.load(tmp.resolve("b/mnist-rnn/1"))) {
      expected = (long[]) p.predict(java.util.Map.of("input_X", images(test, 0, 48))).get("classes");
    }
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService pool = Executors.newFixedThreadPool(24);
    try {
      List<Future<Boolean>> fs = new ArrayList<>();
      for (int k = 0; k < 48; k++) {
        int i = k;
        boolean rows = k % 2 == 0;
        fs.add(pool.submit(() -> {
          float[][][] x = images(test, i, 1);
          String body = org.rnnport.util.Json.MAPPER.writeValueAsString(java.util.Map.of(rows ? "instances" : "inputs", x));
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
              + "/v1/models/mnist-rnn:predict")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString());
          var json = org.rnnport.util.Json.MAPPER.readTree(r.body());
          long cls = rows ? json.get("predictions").get(0).get("classes").asLong()
              : json.get("outputs").get("classes").get(0).asLong();
          return r.statusCode() == 200 && cls == expected[i];
        }));
      }
      for (Future<Boolean> f : fs) {
        assertThat(f.get()).isTrue();
      }
      // errors still come back as 400 through the batched path
      HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/v1/models/mnist-rnn:predict")).POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1, 2]]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
    } finally {
      pool.shutdownNow();
      running.close();
    }
  }

  static float[][][] images(org.rnnport.data.ImageSet test, int from, int n) {
    float[][][] x = new float[n][28][28];
    for (int i = 0; i < n; i++) {
      float[] img = test.pixels(from + i, 1);
      for (int r = 0; r < 28; r++) {
        System.arraycopy(img, r * 28, x[i][r], 0, 28);
      }
    }
    return x;
  }
}
