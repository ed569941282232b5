package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;
import org.rnnport.predictor.SavedModelPredictor;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * gRPC over TLS from TF Serving's {@code --ssl_config_file} (a text {@code SSLConfig}), serving the
 * committed mnist-rnn on real MNIST images, with keys and certificates made here by the JDK's
 * keytool: grpc-java's client trusting the server's certificate gets the predictor's classes and a
 * plaintext client is refused; with {@code client_verify} a client must show a certificate that
 * {@code custom_ca} vouches for; TF Serving's Python client over TLS (tensorflow-serving-api, in the
 * parity venv) gets what Python's own SavedModel call gets; bad configs are named.
 */
class GrpcTlsTest {
  @TempDir
  Path tmp;

  /** A self-signed key pair from keytool, as PEM: certificate and PKCS#8 key. */
  record Pem(String cert, String key) {
    InputStream certStream() {
      return new ByteArrayInputStream(cert.getBytes(StandardCharsets.US_ASCII));
    }

    InputStream keyStream() {
      return new ByteArrayInputStream(key.getBytes(StandardCharsets.US_ASCII));
    }
  }

  Pem keytool(String name, String san) throws Exception {
    Path ks = tmp.resolve(name + ".p12");
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString(), "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=" + name, "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit"));
    if (san != null) {
      cmd.addAll(List.of("-ext", "SAN=" + san));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool: " + out).isZero();
    KeyStore k = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(ks.toFile())) {
      k.load(in, "changeit".toCharArray());
    }
    return new Pem(pem("CERTIFICATE", k.getCertificate(name).getEncoded()),
        pem("PRIVATE KEY", k.getKey(name, "changeit".toCharArray()).getEncoded()));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** An SSLConfig in TF Serving's text format. */
  static String sslConfig(Pem server, String customCa, boolean clientVerify) {
    return "server_key: " + quote(server.key()) + "\nserver_cert: " + quote(server.cert()) + "\n"
        + (customCa == null ? "" : "custom_ca: " + quote(customCa) + "\n") + "client_verify: " + clientVerify + "\n";
  }

  static String quote(String s) {
    return "\"" + s.replace("\n", "\\n") + "\"";
  }

  ServingStack stack(String sslConfig) throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve("m/mnist-rnn/1"));
    ModelRepository repo = new ModelRepository(tmp.resolve("m"), 1024);
    repo.scan();
    return ServingStack.start(repo, null, 4 << 20, null, TfServingConfig.tls(sslConfig, "ssl.config"));
  }

  static long[] predict(ManagedChannel c, float[][][] images) {
    PredictRequest req = GrpcTest.request(GrpcTest.content(images)).build();
    return GrpcTest.classes(PredictionServiceGrpc.newBlockingStub(c).withDeadlineAfter(60, TimeUnit.SECONDS).predict(req));
  }

  static ManagedChannel tls(int port, SslContext client) {
    return NettyChannelBuilder.forAddress("localhost", port).sslContext(client).build();
  }

  static void close(ManagedChannel c) throws InterruptedException {
    c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void tlsServesThePredictorsAnswersAndRefusesPlaintext() throws Exception {
    Pem server = keytool("localhost", "dns:localhost,ip:127.0.0.1");
    float[][][] images = ServeLimitsTest.images(TestData.mnistTest(), 0, 4);
    long[] expected;
    try (SavedModelPredictor p = SavedModelPredictor.load(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"))) {
      expected = (long[]) p.predict(Map.of("input_X", images)).get("classes");
    }
    try (ServingStack stack = stack(sslConfig(server, null, false))) {
      ManagedChannel good = tls(stack.grpc().port(), GrpcSslContexts.forClient().trustManager(server.certStream()).build());
      ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", stack.grpc().port()).usePlaintext().build();
      try {
        assertThat(predict(good, images)).containsExactly(expected);
        StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> predict(plain, images),
            StatusRuntimeException.class);
        assertThat(e).as("a plaintext call on the TLS port").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      } finally {
        close(good);
        close(plain);
      }
    }
  }

  @Test
  void clientVerifyNeedsACertificateTheCustomCaVouchesFor() throws Exception {
    Pem server = keytool("localhost", "dns:localhost,ip:127.0.0.1");
    Pem client = keytool("client", null);
    Pem stranger = keytool("stranger", null);
    float[][][] images = ServeLimitsTest.images(TestData.mnistTest(), 0, 2);
    try (ServingStack stack = stack(sslConfig(server, client.cert(), true))) {
      int port = stack.grpc().port();
      ManagedChannel withCert = tls(port, GrpcSslContexts.forClient().trustManager(server.certStream())
          .keyManager(client.certStream(), client.keyStream()).build());
      ManagedChannel noCert = tls(port, GrpcSslContexts.forClient().trustManager(server.certStream()).build());
      ManagedChannel wrongCert = tls(port, GrpcSslContexts.forClient().trustManager(server.certStream())
          .keyManager(stranger.certStream(), stranger.keyStream()).build());
      try {
        assertThat(predict(withCert, images)).hasSize(2);
        for (ManagedChannel c : List.of(noCert, wrongCert)) {
          StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> predict(c, images),
              StatusRuntimeException.class);
          assertThat(e).as("a client without a certificate custom_ca vouches for").isNotNull();
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
      } finally {
        close(withCert);
        close(noCert);
        close(wrongCert);
      }
    }
  }

  @Test
  void badSslConfigsAreNamed() throws Exception {
    Pem server = keytool("localhost", "dns:localhost");
    assertThatThrownBy(() -> TfServingConfig.tls("server_cert: " + quote(server.cert()), "my.ssl"))
        .hasMessageContaining("my.ssl").hasMessageContaining("server_key and server_cert");
    assertThatThrownBy(() -> TfServingConfig.tls("server_key: \"x\" server_kert: \"y\"", "my.ssl"))
        .hasMessageContaining("my.ssl").hasMessageContaining("server_kert");
    String pkcs1 = server.key().replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY");
    assertThatThrownBy(() -> TfServingConfig.tls(sslConfig(new Pem(server.cert(), pkcs1), null, false), "my.ssl"))
        .hasMessageContaining("PKCS#8").hasMessageContaining("openssl pkcs8");
    Pem other = keytool("other", "dns:localhost");
    assertThatThrownBy(() -> TfServingConfig.tls(sslConfig(new Pem(server.cert(), other.key()), null, false), "my.ssl"))
        .hasMessageContaining("my.ssl").hasMessageContaining("not the key of server_cert");
  }

  @Test
  @DisabledIfSystemProperty(named = "skipParity", matches = "true|")
  void tfServingsPythonClientOverTls() throws Exception {
    Pem server = keytool("localhost", "dns:localhost,ip:127.0.0.1");
    Path ca = tmp.resolve("server-cert.pem");
    Files.writeString(ca, server.cert());
    Path project = TestData.projectDir();
    PythonEnv env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.out);
    try (ServingStack stack = stack(sslConfig(server, null, false))) {
      Path out = tmp.resolve("client.json");
      env.runModule(project.resolve("parity").toAbsolutePath(), "rnnport_oracle.serving_client", List.of(
          "--grpc", "localhost:" + stack.grpc().port(), "--grpc-tls-ca", ca.toString(), "--rest", stack.restUrl(),
          "--models", tmp.resolve("m").toString(), "--out", out.toString()), System.out);
      JsonNode r = RestApi.JSON.readTree(out.toFile());
      assertThat(r.get("ok").asBoolean()).as(r.toPrettyString()).isTrue();
      assertThat(r.get("models").get("mnist-rnn").get("agree").asBoolean()).isTrue();
    }
  }
}
