package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Issue 25's hostile inputs, each followed by a good request on the same server: every one gets its
 * status (none a dropped connection, a stack overflow or INTERNAL), and the next request is served.
 * REST through a raw socket (a client library would refuse to send most of these), gRPC with
 * grpc-java's own client; loopback, the committed mnist-rnn model.
 */
class HostileInputTest {
  @TempDir
  static Path tmp;
  static ServingStack stack;
  static ManagedChannel channel;
  static String good;

  @BeforeAll
  static void start() throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve("m/mnist-rnn/1"));
    ModelRepository repo = new ModelRepository(tmp.resolve("m"), 1024);
    repo.scan();
    Inference inference = new Inference(repo, null, 30_000);
    Metrics metrics = new Metrics();
    // a short read timeout, so the body shorter than its Content-Length gets its 408 quickly
    RestServer rest = new RestServer(inference, new RestServer.Config("127.0.0.1", 0, 4, 1 << 20, 16, 1024, 0, 1500,
        60_000, 30_000, 16 << 10), metrics);
    rest.start();
    GrpcServer grpc = new GrpcServer(inference, metrics, new GrpcServer.Config("127.0.0.1", 0, 4, 16, 1 << 20, 30_000))
        .start();
    stack = new ServingStack(repo, inference, rest, grpc);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().maxInboundMessageSize(8 << 20)
        .build();
    good = org.rnnport.util.Json.MAPPER.writeValueAsString(java.util.Map.of("instances", new float[1][28][28]));
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    stack.close();
  }

  /** One raw HTTP/1.1 exchange on a fresh connection: the status line's code, or -1 when closed without one. */
  static int[] raw(byte[] request, boolean halfClose) throws Exception {
    try (Socket s = new Socket("127.0.0.1", stack.rest().port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      if (halfClose) {
        s.shutdownOutput();
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      long t0 = System.nanoTime();
      int n;
      while ((n = in.read(buf)) > 0) {
        got.write(buf, 0, n);
        String text = got.toString(StandardCharsets.ISO_8859_1);
        int h = text.indexOf("\r\n\r\n");
        if (h > 0) {
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
          if (m.find() && got.size() >= h + 4 + Integer.parseInt(m.group(1))) {
            break;
          }
        }
      }
      String text = got.toString(StandardCharsets.UTF_8);
      last = text;
      int code = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
      return new int[] {code, (int) ((System.nanoTime() - t0) / 1_000_000)};
    }
  }

  static String last;

  static int get(String path) throws Exception {
    return raw(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8),
        false)[0];
  }

  static int post(String path, byte[] body) throws Exception {
    ByteArrayOutputStream r = new ByteArrayOutputStream();
    r.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    r.write(body);
    return raw(r.toByteArray(), false)[0];
  }

  /** The good request after each hostile one: 200 with the prediction. */
  static void thenServed() throws Exception {
    assertThat(post("/v1/models/mnist-rnn:predict", good.getBytes(StandardCharsets.UTF_8))).as(last).isEqualTo(200);
    assertThat(last).contains("\"classes\"");
    grpcGood();
  }

  static void grpcGood() {
    PredictRequest.Builder b = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn"));
    b.putInputs("input_X", GrpcTest.shape(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT), 1, 28, 28)
        .addFloatVal(0.5f).build());
    assertThat(PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).predict(b.build())
        .getOutputsMap()).containsKey("classes");
  }

  static String nested(int depth, boolean wellFormed) {
    StringBuilder sb = new StringBuilder(depth * 2 + 32).append("{\"instances\": ");
    sb.append("[".repeat(depth)).append("1");
    sb.append("]".repeat(wellFormed ? depth : depth - 1));
    return sb.append(wellFormed ? "}" : "").toString();
  }

  @Test
  void jsonNested500000DeepGetsA400WithoutAStackOverflow() throws Exception {
    for (boolean wellFormed : new boolean[] {true, false}) {
      assertThat(post("/v1/models/mnist-rnn:predict", nested(500_000, wellFormed).getBytes(StandardCharsets.UTF_8)))
          .as(last).isEqualTo(400);
      // the tensor codec's own bound on list nesting, or the JSON reader's; malformed: invalid JSON
      assertThat(last).containsAnyOf("nested deeper than", "nesting depth",
          wellFormed ? "nested deeper" : "invalid JSON");
      thenServed();
    }
    // within the nesting read, past TF's 254 dimensions: a shape error, not a parse error (on main,
    // TensorFlow's TensorShape CHECK-failed on it and aborted the whole process)
    assertThat(post("/v1/models/mnist-rnn:predict", nested(300, true).getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
    assertThat(last).doesNotContain("nesting depth");
    thenServed();
    // :classify and :regress read the body as a tree: the same limit, the same 400
    assertThat(post("/v1/models/mnist-rnn:classify", nested(500_000, true).getBytes(StandardCharsets.UTF_8)))
        .as(last).isEqualTo(400);
    assertThat(last).contains("nested deeper than " + RestApi.MAX_NESTING);
    thenServed();
  }

  @Test
  void anOversizeBodyGets413() throws Exception {
    assertThat(post("/v1/models/mnist-rnn:predict", new byte[(1 << 20) + 1])).as(last).isEqualTo(413);
    thenServed();
  }

  @Test
  void aBodyShorterThanItsContentLengthGets408() throws Exception {
    byte[] head = ("POST /v1/models/mnist-rnn:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"instances\":")
        .getBytes(StandardCharsets.UTF_8);
    int[] r = raw(head, false);
    assertThat(r[0]).as(last).isEqualTo(408);
    assertThat(last).contains("did not arrive whole");
    thenServed();
    // the client gives up writing (half-close): an answer or a close, never a hang, and the server goes on
    int[] h = raw(head, true);
    assertThat(h[0]).isIn(-1, 400, 408);
    thenServed();
  }

  @Test
  void unknownPathsAndEscapingNamesGet404() throws Exception {
    for (String p : new String[] {"/nope", "/v1/models", "/v1/models/..", "/v1/models/../mnist-rnn",
        "/v1/models/a%2Fb", "/v1/models/%2E%2E%2Fmnist-rnn", "/v1/models/mnist-rnn/versions/1/../../x"}) {
      assertThat(get(p)).as(p + ": " + last).isIn(404);
      thenServed();
    }
  }

  @Test
  void aBadEscapeGetsA400() throws Exception {
    // before: the I/O thread's decoder threw and the connection closed without an answer
    assertThat(get("/v1/models/%ZZ")).as(last).isEqualTo(400);
    assertThat(get("/v1/models/mnist-rnn%")).as(last).isEqualTo(400);
    thenServed();
  }

  @Test
  void versionsPastInt64GetA400() throws Exception {
    assertThat(get("/v1/models/mnist-rnn/versions/9223372036854775808")).as(last).isEqualTo(400);
    assertThat(last).contains("Failed to convert version");
    assertThat(post("/v1/models/mnist-rnn/versions/99999999999999999999999:predict", good.getBytes(StandardCharsets.UTF_8)))
        .as(last).isEqualTo(400);
    assertThat(get("/v1/models/mnist-rnn/versions/9223372036854775807")).as(last).isEqualTo(404);
    thenServed();
    PredictRequest.Builder b = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")
        .setVersion(com.google.protobuf.Int64Value.of(Long.MIN_VALUE)));
    b.putInputs("input_X", GrpcTest.shape(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT), 1, 28, 28).build());
    assertThat(grpcStatus(b.build()).getCode()).isEqualTo(Status.Code.NOT_FOUND);
    grpcGood();
  }

  static Status grpcStatus(PredictRequest r) {
    StatusRuntimeException e = catchThrowableOfType(() -> PredictionServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS).predict(r), StatusRuntimeException.class);
    assertThat(e).as("the call must fail with a status").isNotNull();
    return e.getStatus();
  }

  static PredictRequest floats(String model, String signature, long... dims) {
    ModelSpec.Builder m = ModelSpec.newBuilder().setName(model);
    if (signature != null) {
      m.setSignatureName(signature);
    }
    return PredictRequest.newBuilder().setModelSpec(m).putInputs("input_X", GrpcTest.shape(TensorProto.newBuilder()
        .setDtype(DataType.DT_FLOAT), dims).addFloatVal(1).build()).build();
  }

  @Test
  void dimsWhoseProductOverflowsAndUnknownDtypesGetInvalidArgument() {
    // before: INTERNAL (an ArithmeticException; a null dtype)
    Status s = grpcStatus(floats("mnist-rnn", null, 1L << 32, 1L << 32, 28));
    assertThat(s.getCode()).as(s.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("more than 2^63 - 1 elements");
    grpcGood();
    // 300 dimensions of 1: on main, TensorFlow's TensorShape CHECK-failed and aborted the whole process
    long[] ones = new long[300];
    java.util.Arrays.fill(ones, 1);
    s = grpcStatus(floats("mnist-rnn", null, ones));
    assertThat(s.getCode()).as(s.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    grpcGood();
    PredictRequest odd = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn"))
        .putInputs("input_X", GrpcTest.shape(TensorProto.newBuilder().setDtypeValue(999), 1, 28, 28).build()).build();
    s = grpcStatus(odd);
    assertThat(s.getCode()).as(s.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("dtype enum 999 is not a TensorFlow dtype");
    grpcGood();
  }

  @Test
  void tinyRequestsForHugeTensorsAreRefusedBeforeAnyAllocation() {
    // 10^8 rows; one row of 10^8 floats (400 MB); 10^7 strings: RESOURCE_EXHAUSTED from the headers alone
    for (PredictRequest r : new PredictRequest[] {floats("mnist-rnn", null, 100_000_000),
        floats("mnist-rnn", null, 1, 100_000_000),
        PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")).putInputs("input_X",
            GrpcTest.shape(TensorProto.newBuilder().setDtype(DataType.DT_STRING), 1, 10_000_000)
                .addStringVal(com.google.protobuf.ByteString.copyFromUtf8("x")).build()).build()}) {
      assertThat(r.getSerializedSize()).isLessThan(64);
      Status s = grpcStatus(r);
      assertThat(s.getCode()).as(s.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(s.getDescription()).containsAnyOf("rows is more than the limit", "more than the limit of");
      grpcGood();
    }
  }

  @Test
  void anOversizeMessageGetsResourceExhausted() {
    PredictRequest.Builder b = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn"));
    b.putInputs("input_X", GrpcTest.shape(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT), 400, 28, 28)
        .setTensorContent(com.google.protobuf.ByteString.copyFrom(new byte[400 * 28 * 28 * 4])).build());
    assertThat(grpcStatus(b.build()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    grpcGood();
  }

  @Test
  void namesOver8KbEchoedInErrorsAreCut() throws Exception {
    String name = "n".repeat(10_000);
    // before: the echo overflowed gRPC's 8 KB trailer and the client saw RST_STREAM (INTERNAL)
    Status s = grpcStatus(floats(name, null, 1, 28, 28));
    assertThat(s.getCode()).as(s.toString()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(s.getDescription().length()).isLessThanOrEqualTo(ServingException.MAX_MESSAGE);
    assertThat(s.getDescription()).contains("characters cut");
    grpcGood();
    s = grpcStatus(floats("mnist-rnn", "s".repeat(10_000), 1, 28, 28));
    assertThat(s.getCode()).as(s.toString()).isIn(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND);
    assertThat(s.getDescription().length()).isLessThanOrEqualTo(ServingException.MAX_MESSAGE);
    grpcGood();
    // REST: a 6 KB model name in the path (under the 8 KB request line limit) and a 100 KB signature name in the body
    assertThat(get("/v1/models/" + "n".repeat(6000))).isEqualTo(404);
    assertThat(last.length()).isLessThan(2048);
    String body = "{\"signature_name\": \"" + "s".repeat(100_000) + "\", \"instances\": [[[0]]]}";
    assertThat(post("/v1/models/mnist-rnn:predict", body.getBytes(StandardCharsets.UTF_8))).isIn(400, 404);
    assertThat(last.length()).isLessThan(2048);
    thenServed();
  }
}
