package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;

/**
 * Clients that stall mid-header or mid-body cannot take the server down: 1,000 of each on loopback,
 * and others still get /healthz and predictions; once they go, no connection or thread is left.
 */
class StalledClientsTest {
  @TempDir
  Path tmp;

  @Test
  void twoThousandStalledConnectionsLeaveTheServerAnsweringOthers() throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve("m/mnist-rnn/1"));
    ModelRepository repo = new ModelRepository(tmp.resolve("m"), 64);
    repo.scan();
    RestServer server = new RestServer(repo, RestServer.Config.defaults().withTimeouts(60_000, 60_000, 30_000)
        .withPort(0));
    server.start();
    List<Socket> stalled = new ArrayList<>();
    try {
      int threadsBefore = rnnportThreads();
      for (int i = 0; i < 1000; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        OutputStream o = s.getOutputStream();
        o.write("POST /v1/models/mnist-rnn:pre".getBytes(StandardCharsets.US_ASCII)); // half a request line
        o.flush();
        stalled.add(s);
      }
      for (int i = 0; i < 1000; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        OutputStream o = s.getOutputStream();
        o.write(("POST /v1/models/mnist-rnn:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 4000\r\n\r\n{\"instances\": [").getBytes(StandardCharsets.US_ASCII)); // headers, part of the body
        o.flush();
        stalled.add(s);
      }
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String body = "{\"instances\": [" + zeros() + "]}";
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/healthz")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(h.statusCode()).isEqualTo(200);
        HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/v1/models/mnist-rnn:predict")).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
      }
      assertThat(server.openConnections()).isGreaterThanOrEqualTo(2000);
      for (Socket s : stalled) {
        s.close();
      }
      stalled.clear();
      ServeTest.waitFor(() -> server.openConnections() <= 1); // the test client's keep-alive connection at most
      // the stalled clients made no threads: only the I/O event loops started on first use may have been added
      assertThat(rnnportThreads()).as("threads after the stalled clients went")
          .isLessThanOrEqualTo(threadsBefore + Math.max(2, Runtime.getRuntime().availableProcessors()));
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
      server.stop(5);
      repo.close();
    }
  }

  @Test
  void aRequestThatDoesNotArriveWholeWithinTheReadTimeoutIsClosed() throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve("t/mnist-rnn/1"));
    ModelRepository repo = new ModelRepository(tmp.resolve("t"), 64);
    repo.scan();
    RestServer server = new RestServer(repo, RestServer.Config.defaults().withTimeouts(300, 60_000, 30_000).withPort(0));
    server.start();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
      s.setSoTimeout(60_000);
      s.getOutputStream().write("GET /heal".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      // 408 with the reason, then the close
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).as("the server answers, then closes the stalled connection").startsWith("HTTP/1.1 408 ")
          .contains("did not arrive whole within 300 ms");
    } finally {
      server.stop(5);
      repo.close();
    }
  }

  static int rnnportThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("rnnport")).count();
  }

  static String zeros() {
    StringBuilder b = new StringBuilder("[");
    for (int r = 0; r < 28; r++) {
      b.append(r > 0 ? "," : "").append("[").append("0,".repeat(27)).append("0]");
    }
    return b.append("]").toString();
  }
}
