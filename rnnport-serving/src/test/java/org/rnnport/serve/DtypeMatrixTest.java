package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Issue 23's dtype matrix, with Python's TensorFlow as the judge: one identity SavedModel per dtype (exported at
 * test time by the parity venv, parity/rnnport_oracle/dtype_matrix.py), all served by one server, each sent its
 * extremes (min/max, 2^53 ± 1, 2^64 - 1, -0.0, the smallest subnormal, NaN, ±Infinity, empty and non-UTF-8 bytes)
 * through REST rows and columns and gRPC with typed fields and with tensor_content, answered with typed fields (TF
 * Serving's default, read by its Python client) and with tensor_content (--enable_serialization_as_tensor_content),
 * compared bit for bit by numpy. The dtypes TF Java cannot carry are refused by name. Hostile TensorProtos get
 * INVALID_ARGUMENT naming the input and the server keeps answering. REST /metadata equals TF Serving's own
 * half_plus_two_model_metadata.json. Opt out with {@code -DskipParity}.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class DtypeMatrixTest {
  static final Set<String> REFUSED = Set.of("int8", "int16", "uint32", "uint64");
  static final List<String> PATHS = List.of("rest_rows", "rest_columns", "grpc_typed/typed_answer",
      "grpc_typed/content_answer", "grpc_content/typed_answer", "grpc_content/content_answer");

  @TempDir
  static Path tmp;
  static PythonEnv env;
  static ServingStack stack;
  static GrpcServer contentGrpc;
  static ManagedChannel channel;
  static PredictionServiceGrpc.PredictionServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    Path project = TestData.projectDir();
    Path models = tmp.resolve("models");
    env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.out);
    env.runModule(project.resolve("parity").toAbsolutePath(), "rnnport_oracle.dtype_matrix",
        List.of("export", "--out", models.toString()), System.out);
    ServeTest.copyTree(tfServingTestdata().resolve("saved_model_half_plus_two_cpu"), models.resolve("default"));
    stack = ServingStack.folder(models, null);
    contentGrpc = new GrpcServer(stack.inference(), new Metrics(), new GrpcServer.Config("127.0.0.1", 0, 4, 64,
        4 << 20, 30_000), null, null).tensorContent(true).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", stack.grpc().port()).usePlaintext().build();
    stub = PredictionServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (contentGrpc != null) {
      contentGrpc.stop(5);
    }
    if (stack != null) {
      stack.close();
    }
  }

  /** TF Serving's testdata folder: $RNNPORT_TFSERVING_SUITE, beside $RNNPORT_DATA_MIRROR, or ../shared. */
  static Path tfServingTestdata() {
    List<Path> tried = new ArrayList<>();
    String suite = System.getenv("RNNPORT_TFSERVING_SUITE");
    String mirror = System.getenv("RNNPORT_DATA_MIRROR");
    if (suite != null) {
      tried.add(Path.of(suite));
    }
    if (mirror != null) {
      tried.add(TestData.projectDir().resolve(mirror).resolve("../tfserving-suite").normalize());
    }
    tried.add(TestData.projectDir().resolve("../shared/tfserving-suite").normalize());
    for (Path p : tried) {
      Path t = p.resolve("tensorflow_serving/servables/tensorflow/testdata");
      if (Files.isDirectory(t.resolve("saved_model_half_plus_two_cpu"))) {
        return t;
      }
    }
    throw new IllegalStateException("TF Serving's test suite (tensorflow_serving/servables/tensorflow/testdata) is "
        + "in none of " + tried + ": set RNNPORT_TFSERVING_SUITE or RNNPORT_DATA_MIRROR=../shared/data");
  }

  @Test
  void everyDtypeRoundTripsBitForBitOrIsRefusedByName() throws Exception {
    Path out = tmp.resolve("matrix.json");
    env.runModule(TestData.projectDir().resolve("parity").toAbsolutePath(), "rnnport_oracle.dtype_matrix", List.of(
        "check", "--grpc", "127.0.0.1:" + stack.grpc().port(), "--grpc-content", "127.0.0.1:" + contentGrpc.port(),
        "--rest", stack.restUrl(), "--out", out.toString()), System.out);
    JsonNode r = RestApi.JSON.readTree(out.toFile());
    assertThat(r.size()).isEqualTo(14);
    r.fields().forEachRemaining(e -> {
      String dtype = e.getKey();
      for (String path : PATHS) {
        JsonNode c = e.getValue().get(path);
        assertThat(c).as(dtype + " " + path).isNotNull();
        if (REFUSED.contains(dtype)) {
          assertThat(c.get("ok").asBoolean()).as(dtype + " " + path + " refused").isFalse();
          assertThat(c.get("error").asText()).as(dtype + " " + path)
              .contains("input 'x' is " + dtype).contains("cannot serve");
          if (path.startsWith("rest")) {
            assertThat(c.get("status").asInt()).as(dtype + " " + path).isEqualTo(400);
          } else {
            assertThat(c.get("code").asText()).as(dtype + " " + path).isEqualTo("INVALID_ARGUMENT");
          }
        } else {
          assertThat(c.get("ok").asBoolean()).as(dtype + " " + path + ": " + c).isTrue();
        }
      }
    });
  }

  static TensorProto.Builder proto(DataType dt, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorProto.newBuilder().setDtype(dt).setTensorShape(s);
  }

  static PredictResponse predict(String model, TensorProto x) {
    PredictRequest.Builder b = PredictRequest.newBuilder().putInputs("x", x);
    b.getModelSpecBuilder().setName(model);
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS).predict(b.build());
  }

  @Test
  void hostileTensorProtosGetInvalidArgumentNamingTheInput() {
    ByteString tiny = ByteString.copyFrom(new byte[] {1, 2, 3, 4});
    List<TensorProto> hostile = List.of(
        proto(DataType.DT_FLOAT, 1L << 32, 1L << 32).setTensorContent(tiny).build(),          // 2^64 elements
        proto(DataType.DT_FLOAT, 1L << 31, 1L << 31, 4).addFloatVal(1).build(),              // 2^64 again, broadcast
        proto(DataType.DT_FLOAT, 1L << 40).addFloatVal(1).build(),                            // past memory, broadcast
        proto(DataType.DT_FLOAT, 1L << 40).setTensorContent(tiny).build(),                    // past memory, content
        proto(DataType.DT_FLOAT, 3, -2).addFloatVal(1).build(),                               // a negative dimension
        proto(DataType.DT_FLOAT, -1).addFloatVal(1).build(),                                  // -1 is no size either
        proto(DataType.DT_FLOAT, 3).setTensorContent(ByteString.copyFrom(new byte[11])).build(), // wrong length
        proto(DataType.DT_FLOAT, 2).addFloatVal(1).addFloatVal(2).addFloatVal(3).build(),     // more values than elements
        proto(DataType.DT_FLOAT, 2).setDtypeValue(999).addFloatVal(1).build(),                // an unknown dtype enum
        proto(DataType.DT_RESOURCE, 1).build(),
        proto(DataType.DT_VARIANT, 1).build(),
        proto(DataType.DT_INT32, 2).addIntVal(1).build());                                    // not the signature's dtype
    for (TensorProto p : hostile) {
      StatusRuntimeException e = catchThrowableOfType(() -> predict("dt_float32", p), StatusRuntimeException.class);
      assertThat(e).as(p.toString()).isNotNull();
      assertThat(e.getStatus().getCode()).as(p.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).as(p.toString()).contains("input 'x'");
      // and the server answers the next good request
      PredictResponse ok = predict("dt_float32", proto(DataType.DT_FLOAT, 2).addFloatVal(1.5f).addFloatVal(-0f).build());
      assertThat(ok.getOutputsOrThrow("y").getFloatValList()).containsExactly(1.5f, -0f);
    }
    // a broadcast that a Java array could hold but this heap should not: refused as too large before allocation
    long big = ServingProtos.MAX_DECODED_BYTES / 4 + 1;
    StatusRuntimeException huge = catchThrowableOfType(() -> predict("dt_float32",
        proto(DataType.DT_FLOAT, big).addFloatVal(1).build()), StatusRuntimeException.class);
    assertThat(huge.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(huge.getStatus().getDescription()).contains("input 'x'");
    // one value broadcasts to the whole shape (TensorFlow's rule)
    assertThat(predict("dt_float32", proto(DataType.DT_FLOAT, 3).addFloatVal(7).build()).getOutputsOrThrow("y")
        .getFloatValList()).containsExactly(7f, 7f, 7f);
    StatusRuntimeException s = catchThrowableOfType(() -> predict("dt_string",
        proto(DataType.DT_STRING, 1L << 40).addStringVal(ByteString.copyFromUtf8("x")).build()), StatusRuntimeException.class);
    assertThat(s.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getStatus().getDescription()).contains("input 'x'");
  }

  @Test
  void restMetadataEqualsTfServingsFile() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.restUrl()
        + "/v1/models/default/metadata")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode got = RestApi.JSON.readTree(r.body());
    JsonNode want = RestApi.JSON.readTree(tfServingTestdata().resolve("half_plus_two_model_metadata.json").toFile());
    assertThat(got).isEqualTo(want);
    assertThat(r.body()).doesNotContain("@type");
  }

  @Test
  void restKeepsInt64AndUint8Exact() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String[] c : new String[][] {
        {"dt_int64", "{\"instances\": [9007199254740993, 1, -9223372036854775807, 9223372036854775807]}",
            "{\"predictions\":[9007199254740993,1,-9223372036854775807,9223372036854775807]}"},
        {"dt_uint8", "{\"inputs\": [255, 0, 128]}", "{\"outputs\":[255,0,128]}"},
        {"dt_float32", "{\"inputs\": [0.1, 16777217, 1e-45, NaN, -Infinity]}",
            "{\"outputs\":[0.1,1.6777216E7,1.4E-45,NaN,-Infinity]}"}}) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.restUrl() + "/v1/models/" + c[0]
          + ":predict")).POST(HttpRequest.BodyPublishers.ofString(c[1])).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).as(c[0]).isEqualTo(c[2]);
    }
    HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(stack.restUrl()
        + "/v1/models/dt_uint8:predict")).POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [256]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("'x'").contains("256 is out of range for uint8");
  }
}
