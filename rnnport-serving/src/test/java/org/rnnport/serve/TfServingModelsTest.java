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
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.Inference.MultiInferenceResponse;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.ExampleListWithContext;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;
import tensorflow.serving.RegressionOuterClass.RegressionResponse;

/**
 * Models shaped like TF Serving's own test models (exported at test time by the parity venv's
 * TensorFlow: parity/rnnport_oracle/tf_serving_models.py): TF Serving's REST examples from its
 * api_rest.md, unchanged; Classify, Regress and MultiInference on gRPC and REST; a signature that
 * does not match its graph loads and fails only when used; TF Serving's SavedModel warm-up file runs
 * before a version is served, and a bad one fails the version's load. Opt out with {@code -DskipParity}.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class TfServingModelsTest {
  @TempDir
  static Path tmp;
  static ServingStack stack;
  static ManagedChannel channel;
  static PredictionServiceGrpc.PredictionServiceBlockingStub stub;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path project = TestData.projectDir();
    Path models = tmp.resolve("models");
    PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.out).runModule(
        project.resolve("parity").toAbsolutePath(), "rnnport_oracle.tf_serving_models", List.of("--out", models.toString()),
        System.out);
    ServeTest.copyTree(project.resolve("savedmodels/mnist-rnn/1"), models.resolve("mnist-rnn/1"));
    stack = ServingStack.folder(models, null);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", stack.grpc().port()).usePlaintext().build();
    stub = PredictionServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    stack.close();
  }

  static PredictionServiceGrpc.PredictionServiceBlockingStub grpc() {
    return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  record Reply(int status, JsonNode body) {}

  static Reply curl(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.restUrl() + path));
    b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), RestApi.JSON.readTree(r.body()));
  }

  /** api_rest.md, "JSON conformance": NaN, Infinity and -Infinity tokens in and out, unquoted. */
  @Test
  void nanAndInfinityTokensGoInAndComeOut() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(stack.restUrl()
        + "/v1/models/half_plus_three:predict")).POST(HttpRequest.BodyPublishers.ofString(
        "{\"instances\": [NaN, Infinity, -Infinity, 1.0]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body().replace(" ", "")).isEqualTo("{\"predictions\":[NaN,Infinity,-Infinity,3.5]}");
  }

  /** api_rest.md, "Encoding binary values": a string output named *_bytes comes back as {"b64": ...}. */
  @Test
  void bytesOutputsComeBackAsB64() throws Exception {
    // bytes that are not UTF-8 (0xff, 0x00) in and out, through the row and the columnar formats
    Reply rows = curl("POST", "/v1/models/classifier:predict",
        "{\"signature_name\": \"echo\", \"instances\": [{\"b64\": \"/wBB\"}, {\"b64\": \"aGk=\"}]}");
    assertThat(rows.status()).as(rows.body().toString()).isEqualTo(200);
    assertThat(rows.body().get("predictions")).isEqualTo(RestApi.JSON.readTree("""
        [{"echo_bytes": {"b64": "/wBB"}, "echo": {"b64": "/wBB"}}, {"echo_bytes": {"b64": "aGk="}, "echo": "hi"}]"""));
    // bytes that are not UTF-8 come back as base64 even without _bytes (TF Serving writes them raw: not JSON text)
    Reply cols = curl("POST", "/v1/models/classifier:predict",
        "{\"signature_name\": \"echo\", \"inputs\": {\"in\": [{\"b64\": \"aGk=\"}]}}");
    assertThat(cols.body().get("outputs")).isEqualTo(RestApi.JSON.readTree("""
        {"echo_bytes": [{"b64": "aGk="}], "echo": ["hi"]}"""));
    // gRPC's output_filter keeps one string output of two (a copy of a string tensor, answered in string_val)
    tensorflow.serving.Predict.PredictRequest.Builder pr = tensorflow.serving.Predict.PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("classifier").setSignatureName("echo")).addOutputFilter("echo")
        .putInputs("in", org.tensorflow.framework.TensorProto.newBuilder().setDtype(org.tensorflow.framework.DataType.DT_STRING)
            .setTensorShape(org.tensorflow.framework.TensorShapeProto.newBuilder().addDim(
                org.tensorflow.framework.TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addStringVal(ByteString.copyFrom(new byte[] {(byte) 0xff, 0, 'A'})).build());
    tensorflow.serving.Predict.PredictResponse filtered = grpc().predict(pr.build());
    assertThat(filtered.getOutputsMap().keySet()).containsExactly("echo");
    assertThat(filtered.getOutputsOrThrow("echo").getStringVal(0).toByteArray()).containsExactly(0xff, 0, 'A');
    // a signature whose two outputs name one tensor: refused by name (TF Java fetches a tensor once per call)
    Reply twice = curl("POST", "/v1/models/classifier:predict",
        "{\"signature_name\": \"echo_twice\", \"instances\": [\"hi\"]}");
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.body().get("error").asText()).contains("echo_twice", "'a' and 'b' name the same tensor echo:0");
  }

  @Test
  void tfServingsRestExamplesWorkUnchanged() throws Exception {
    Reply status = curl("GET", "/v1/models/half_plus_three", null);
    assertThat(status.body()).isEqualTo(RestApi.JSON.readTree("""
        {"model_version_status": [{"version": "123", "state": "AVAILABLE",
          "status": {"error_code": "OK", "error_message": ""}}]}"""));
    Reply predict = curl("POST", "/v1/models/half_plus_three:predict", "{\"instances\": [1.0,2.0,5.0]}");
    assertThat(predict.body()).isEqualTo(RestApi.JSON.readTree("{\"predictions\": [3.5, 4.0, 5.5]}"));
    Reply regress = curl("POST", "/v1/models/half_plus_three:regress",
        "{\"signature_name\": \"tensorflow/serving/regress\", \"examples\": [{\"x\": 1.0}, {\"x\": 2.0}]}");
    assertThat(regress.body()).isEqualTo(RestApi.JSON.readTree("{\"results\": [3.5, 4.0]}"));
    Reply missing = curl("POST", "/v1/models/half:predict", "{\"instances\": [1.0,5.0]}");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body().get("error").asText()).startsWith("Servable not found for request: Latest(half)");
    // the metadata lists every signature, with TF Serving's fields
    JsonNode sigs = curl("GET", "/v1/models/half_plus_three/metadata", null).body().get("metadata").get("signature_def")
        .get("signature_def");
    assertThat(sigs.fieldNames()).toIterable().contains("serving_default", "tensorflow/serving/regress",
        "tensorflow/serving/classify", "odd_dtype");
    assertThat(sigs.get("serving_default").has("defaults")).isTrue();
  }

  @Test
  void aSignatureThatDoesNotMatchItsGraphFailsOnlyWhenUsed() throws Exception {
    Reply r = curl("POST", "/v1/models/half_plus_three:predict", "{\"signature_name\": \"odd_dtype\", \"instances\": [1.0]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().get("error").asText()).contains("odd_dtype", "x:0", "DT_FLOAT", "DT_INT64");
    assertThat(curl("POST", "/v1/models/half_plus_three:predict", "{\"instances\": [[1.0], [2.0]]}").body()
        .get("predictions").get(1).get(0).asDouble()).isEqualTo(4.0);
    // DT_STRING inputs on REST: serialized tf.Examples as {"b64": ...} into the regress signature, via :predict
    String b64 = java.util.Base64.getEncoder().encodeToString(ex("x", 1f).toByteArray());
    Reply strings = curl("POST", "/v1/models/half_plus_three:predict", "{\"signature_name\": \"tensorflow/serving/regress\", "
        + "\"instances\": [{\"b64\": \"" + b64 + "\"}]}");
    assertThat(strings.body()).as(strings.body().toString()).isEqualTo(RestApi.JSON.readTree("{\"predictions\": [[3.5]]}"));
    assertThat(curl("POST", "/v1/models/half_plus_three:predict", "{\"signature_name\": \"tensorflow/serving/regress\", "
        + "\"inputs\": [1.0]}").status()).isEqualTo(400);
    // rnnport's own models keep their clear shape errors
    Reply bad = curl("POST", "/v1/models/mnist-rnn:predict", "{\"instances\": [[1, 2, 3]]}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("error").asText()).contains("input_X", "rank 2", "[-1, 28, 28]");
  }

  static float[] softmax(float... z) {
    double m = Math.max(z[0], Math.max(z[1], z[2]));
    double s = 0;
    double[] e = new double[3];
    for (int i = 0; i < 3; i++) {
      e[i] = Math.exp(z[i] - m);
      s += e[i];
    }
    return new float[] {(float) (e[0] / s), (float) (e[1] / s), (float) (e[2] / s)};
  }

  static Example ex(String key, float... v) {
    return Example.newBuilder().setFeatures(Features.newBuilder().putFeature(key, Feature.newBuilder()
        .setFloatList(FloatList.newBuilder().addAllValue(com.google.common.primitives.Floats.asList(v))).build())).build();
  }

  @Test
  void classifyAndRegressOnRestAndGrpc() throws Exception {
    // classifier: scores = softmax(x W), W = [[1, -1, 0.5], [0, 2, -0.5]]; labels cat, dog, bird
    float[] expected = softmax(1f, 0f, 0.25f); // x = [1, 0.5]
    Reply c = curl("POST", "/v1/models/classifier:classify", "{\"examples\": [{\"x\": [1.0, 0.5]}]}");
    assertThat(c.status()).as(c.body().toString()).isEqualTo(200);
    JsonNode first = c.body().get("results").get(0);
    assertThat(first.get(0).get(0).asText()).isEqualTo("cat");
    assertThat(first.get(1).get(0).asText()).isEqualTo("dog");
    assertThat((float) first.get(0).get(1).asDouble()).isCloseTo(expected[0], org.assertj.core.data.Offset.offset(1e-6f));
    ClassificationResponse gc = grpc().classify(ClassificationRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("classifier"))
        .setInput(Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(ex("x", 1f, 0.5f))
            .addExamples(ex("x", 0f, 2f)))).build());
    assertThat(gc.getResult().getClassificationsCount()).isEqualTo(2);
    assertThat(gc.getResult().getClassifications(0).getClasses(2).getLabel()).isEqualTo("bird");
    assertThat(gc.getResult().getClassifications(0).getClasses(2).getScore()).isCloseTo(expected[2],
        org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(gc.getModelSpec().getSignatureName()).isEqualTo("serving_default");
    // with a context merged into each example
    Example ctx = ex("x", 1f, 0.5f);
    ClassificationResponse withCtx = grpc().classify(ClassificationRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("classifier"))
        .setInput(Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder().setContext(ctx)
            .addExamples(Example.getDefaultInstance()))).build());
    assertThat(withCtx.getResult().getClassifications(0).getClasses(0).getScore()).isCloseTo(expected[0],
        org.assertj.core.data.Offset.offset(1e-6f));
    // regress on half_plus_three: 0.5 x + 3
    RegressionResponse gr = grpc().regress(RegressionRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("half_plus_three").setSignatureName("tensorflow/serving/regress"))
        .setInput(Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(ex("x", 4f)))).build());
    assertThat(gr.getResult().getRegressions(0).getValue()).isEqualTo(5.0f);
    // MultiInference: classify and regress of one model on the same examples
    MultiInferenceResponse mi = grpc().multiInference(MultiInferenceRequest.newBuilder()
        .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/regress").setModelSpec(ModelSpec
            .newBuilder().setName("half_plus_three").setSignatureName("tensorflow/serving/regress")))
        .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/classify").setModelSpec(ModelSpec
            .newBuilder().setName("half_plus_three").setSignatureName("tensorflow/serving/classify")))
        .setInput(Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(ex("x", 2f)))).build());
    assertThat(mi.getResults(0).getRegressionResult().getRegressions(0).getValue()).isEqualTo(4.0f);
    assertThat(mi.getResults(1).getClassificationResult().getClassifications(0).getClasses(0).getScore()).isEqualTo(4.0f);
  }

  static Status.Code code(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(call::run, StatusRuntimeException.class);
    assertThat(e).as("the call should fail").isNotNull();
    return e.getStatus().getCode();
  }

  @Test
  void classifyWithoutSuchASignatureIsUnimplementedAndOtherMisusesInvalid() throws Exception {
    Input in = Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(ex("x", 1f))).build();
    assertThat(code(() -> grpc().classify(ClassificationRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
        .setName("mnist-rnn")).setInput(in).build()))).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(code(() -> grpc().regress(RegressionRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
        .setName("mnist-rnn")).setInput(in).build()))).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(code(() -> grpc().multiInference(MultiInferenceRequest.newBuilder().addTasks(InferenceTask.newBuilder()
        .setMethodName("tensorflow/serving/classify").setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")))
        .setInput(in).build()))).isEqualTo(Status.Code.UNIMPLEMENTED);
    // half_plus_three has a regress signature, but serving_default is a predict one
    assertThat(code(() -> grpc().regress(RegressionRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
        .setName("half_plus_three")).setInput(in).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> grpc().classify(ClassificationRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
        .setName("classifier")).setInput(Input.getDefaultInstance()).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    // an int feature where the graph parses floats: TensorFlow's own error, INVALID_ARGUMENT
    Reply r = curl("POST", "/v1/models/half_plus_three:regress",
        "{\"signature_name\": \"tensorflow/serving/regress\", \"examples\": [{\"x\": 1}]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(curl("POST", "/v1/models/mnist-rnn:classify", "{\"examples\": [{\"x\": 1.0}]}").status()).isEqualTo(501);
    assertThat(ByteString.EMPTY.size()).isZero();
  }
  /** A TFRecord file of these records (length, masked CRC-32C, data, masked CRC-32C), as tf.io.TFRecordWriter writes. */
  static byte[] tfRecords(List<byte[]> records) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (org.rnnport.tensorio.files.TfRecordOutput w = new org.rnnport.tensorio.files.TfRecordOutput(out)) {
      for (byte[] r : records) {
        w.write(r);
      }
    }
    return out.toByteArray();
  }

  /** The state and error of half_plus_three after a scan, with this warm-up file. */
  static String loadWithWarmup(String name, byte[] warmupFile, boolean enabled) throws Exception {
    Path root = tmp.resolve("warmup-" + name);
    Path dir = root.resolve("half_plus_three/00000123");
    ServeTest.copyTree(tmp.resolve("models/half_plus_three/00000123"), dir);
    java.nio.file.Files.write(dir.resolve(Warmup.FILE), warmupFile);
    try (ModelRepository repo = new ModelRepository(root, 1024).warmup(enabled, 1)) {
      repo.scan();
      ModelRepository.VersionStatus st = repo.status("half_plus_three", null).get(0);
      return st.state() + " " + st.error();
    }
  }

  @Test
  void tfServingsWarmupFileRunsBeforeTheVersionIsServedAndABadOneFailsTheLoad() throws Exception {
    Path dir = tmp.resolve("models/half_plus_three/00000123");
    // the venv's file (tf.io.TFRecordWriter, tensorflow_serving.apis): Predict, Classify, Regress, MultiInference
    try (org.rnnport.predictor.SavedModelPredictor p = org.rnnport.predictor.SavedModelPredictor.load(dir)) {
      assertThat(Warmup.run(new ModelRepository.Loaded("half_plus_three", 123, p), dir, 2)).isEqualTo(4);
    }
    assertThat(stack.repo().status("half_plus_three", null).get(0).state()).isEqualTo(ModelRepository.State.AVAILABLE);
    byte[] good = java.nio.file.Files.readAllBytes(dir.resolve(Warmup.FILE));
    assertThat(loadWithWarmup("good", good, true)).startsWith("AVAILABLE");
    // a request the model refuses: its records do run
    tensorflow.serving.Predict.PredictRequest wrongKey = tensorflow.serving.Predict.PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("half_plus_three"))
        .putInputs("nope", org.tensorflow.framework.TensorProto.newBuilder()
            .setDtype(org.tensorflow.framework.DataType.DT_FLOAT).setTensorShape(org.tensorflow.framework.TensorShapeProto
                .newBuilder().addDim(org.tensorflow.framework.TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addFloatVal(1f).build()).build();
    byte[] refused = tfRecords(List.of(tensorflow.serving.PredictionLogOuterClass.PredictionLog.newBuilder()
        .setPredictLog(tensorflow.serving.PredictionLogOuterClass.PredictLog.newBuilder().setRequest(wrongKey))
        .build().toByteArray()));
    assertThat(loadWithWarmup("refused", refused, true)).startsWith("END").contains("warmup record 1")
        .contains("nope");
    byte[] sessionRun = tfRecords(List.of(tensorflow.serving.PredictionLogOuterClass.PredictionLog.newBuilder()
        .setSessionRunLog(tensorflow.serving.PredictionLogOuterClass.SessionRunLog.getDefaultInstance())
        .build().toByteArray()));
    assertThat(loadWithWarmup("session", sessionRun, true)).startsWith("END")
        .contains("Unsupported log_type for warmup");
    List<byte[]> many = new java.util.ArrayList<>();
    for (int i = 0; i < Warmup.MAX_RECORDS + 1; i++) {
      many.add(tensorflow.serving.PredictionLogOuterClass.PredictionLog.getDefaultInstance().toByteArray());
    }
    assertThat(loadWithWarmup("many", tfRecords(many), true)).startsWith("END")
        .contains("Number of warmup records exceeds the maximum (1000)");
    byte[] corrupt = good.clone();
    corrupt[corrupt.length - 7] ^= 0x5a;
    assertThat(loadWithWarmup("corrupt", corrupt, true)).startsWith("END")
        .contains("Please verify your warmup data is in TFRecord format");
    assertThat(loadWithWarmup("off", corrupt, false)).as("--enable_model_warmup=false").startsWith("AVAILABLE");
  }
}
