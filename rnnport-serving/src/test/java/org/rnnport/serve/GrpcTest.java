package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.predictor.SavedModelPredictor;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/** The gRPC API with grpc-java's own client, on loopback, serving the committed mnist-rnn model. */
class GrpcTest {
  @TempDir
  static Path tmp;
  static ServingStack stack;
  static ManagedChannel channel;
  static PredictionServiceGrpc.PredictionServiceBlockingStub predict;
  static float[][][] images;
  static long[] expected;
  static float[][] logits;

  @BeforeAll
  static void start() throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve("m/mnist-rnn/1"));
    stack = ServingStack.folder(tmp.resolve("m"), null);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", stack.grpc().port()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
    predict = PredictionServiceGrpc.newBlockingStub(channel);
    images = ServeLimitsTest.images(TestData.mnistTest(), 0, 3);
    try (SavedModelPredictor p = SavedModelPredictor.load(tmp.resolve("m/mnist-rnn/1"))) {
      Map<String, Object> out = p.predict(Map.of("input_X", images));
      expected = (long[]) out.get("classes");
      logits = (float[][]) out.get("logits");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    stack.close();
  }

  static PredictionServiceGrpc.PredictionServiceBlockingStub stub() {
    return predict.withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  static TensorProto.Builder shape(TensorProto.Builder b, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.setTensorShape(s);
  }

  static TensorProto content(float[][][] x) {
    ByteBuffer b = ByteBuffer.allocate(x.length * 28 * 28 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[][] img : x) {
      for (float[] row : img) {
        for (float v : row) {
          b.putFloat(v);
        }
      }
    }
    return shape(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT), x.length, 28, 28)
        .setTensorContent(ByteString.copyFrom(b.array())).build();
  }

  static TensorProto floatVal(float[][][] x) {
    TensorProto.Builder t = shape(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT), x.length, 28, 28);
    for (float[][] img : x) {
      for (float[] row : img) {
        for (float v : row) {
          t.addFloatVal(v);
        }
      }
    }
    return t.build();
  }

  static PredictRequest.Builder request(TensorProto input) {
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn"))
        .putInputs("input_X", input);
  }

  static long[] classes(PredictResponse r) {
    TensorProto c = r.getOutputsOrThrow("classes");
    // TF Serving's default answer: the typed field (AsProtoField), not tensor_content
    assertThat(c.getTensorContent().isEmpty()).isTrue();
    assertThat(c.getInt64ValCount()).isEqualTo(c.getTensorShape().getDim(0).getSize());
    return c.getInt64ValList().stream().mapToLong(Long::longValue).toArray();
  }

  @Test
  void predictInBothEncodingsEqualsThePredictor() {
    for (TensorProto in : new TensorProto[] {content(images), floatVal(images)}) {
      PredictResponse r = stub().predict(request(in).build());
      assertThat(classes(r)).containsExactly(expected);
      assertThat(r.getModelSpec().getName()).isEqualTo("mnist-rnn");
      assertThat(r.getModelSpec().getVersion().getValue()).isEqualTo(1);
      assertThat(r.getModelSpec().getSignatureName()).isEqualTo("serving_default");
      TensorProto l = r.getOutputsOrThrow("logits");
      assertThat(l.getFloatVal(10 + 3)).isEqualTo(logits[1][3]);
    }
    // output_filter: only what was asked
    PredictResponse f = stub().predict(request(content(images)).addOutputFilter("classes").build());
    assertThat(f.getOutputsMap().keySet()).containsExactly("classes");
    // version and label-less version pinning
    PredictResponse v = stub().predict(request(content(images)).setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")
        .setVersion(Int64Value.of(1)).setSignatureName("serving_default")).build());
    assertThat(classes(v)).containsExactly(expected);
  }

  @Test
  void metadataAndStatusLikeTfServing() throws Exception {
    GetModelMetadataResponse md = stub().getModelMetadata(GetModelMetadataRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")).addMetadataField("signature_def").build());
    assertThat(md.getModelSpec().getVersion().getValue()).isEqualTo(1);
    SignatureDefMap sigs = md.getMetadataOrThrow("signature_def").unpack(SignatureDefMap.class);
    assertThat(sigs.getSignatureDefOrThrow("serving_default").getInputsOrThrow("input_X").getDtype())
        .isEqualTo(DataType.DT_FLOAT);
    assertThat(sigs.getSignatureDefOrThrow("serving_default").getMethodName()).isEqualTo("tensorflow/serving/predict");
    GetModelStatusResponse st = ModelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
        .getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn"))
            .build());
    assertThat(st.getModelVersionStatus(0).getVersion()).isEqualTo(1);
    assertThat(st.getModelVersionStatus(0).getState()).isEqualTo(ModelVersionStatus.State.AVAILABLE);
    assertThat(st.getModelVersionStatus(0).getStatus().getErrorCode()).isEqualTo(org.tensorflow.framework.Code.OK);
  }

  /** 48 calls of one image each, 12 in flight at once: each gets its own image's class. */
  static void concurrentCallsEachGetTheirOwnAnswer(PredictionServiceGrpc.PredictionServiceBlockingStub s) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(12);
    try {
      java.util.List<java.util.concurrent.Future<long[]>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 48; i++) {
        float[][][] one = {images[i % images.length]};
        answers.add(pool.submit(() -> classes(s.withDeadlineAfter(60, TimeUnit.SECONDS).predict(request(content(one)).build()))));
      }
      for (int i = 0; i < answers.size(); i++) {
        assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).as("call " + i).containsExactly(expected[i % images.length]);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void callsInFlightTogetherAndOneByOneGetTheirOwnAnswers() throws Exception {
    // one by one: after the first, each (quick, alone) runs on the I/O thread; together: on the workers
    for (int i = 0; i < 6; i++) {
      assertThat(classes(stub().predict(request(content(new float[][][] {images[i % 3]})).build())))
          .containsExactly(expected[i % 3]);
    }
    concurrentCallsEachGetTheirOwnAnswer(predict);
  }

  @Test
  void withBatchingCallsAreQueuedFromTheIoThreadsAndGetTheirOwnRows() throws Exception {
    try (ServingStack batched = ServingStack.folder(tmp.resolve("m"), new BatchingOptions(8, 2000, 1, 4,
        java.util.List.of(), false))) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", batched.grpc().port()).usePlaintext().build();
      try {
        PredictionServiceGrpc.PredictionServiceBlockingStub s = PredictionServiceGrpc.newBlockingStub(ch);
        concurrentCallsEachGetTheirOwnAnswer(s);
        assertThat(classes(s.withDeadlineAfter(60, TimeUnit.SECONDS).predict(request(content(images)).build())))
            .containsExactly(expected);
        // more rows than max_batch_size: not batched, run on a worker
        float[][][] many = new float[9][][];
        for (int i = 0; i < many.length; i++) {
          many[i] = images[i % 3];
        }
        long[] c = classes(s.withDeadlineAfter(60, TimeUnit.SECONDS).predict(request(content(many)).build()));
        for (int i = 0; i < many.length; i++) {
          assertThat(c[i]).isEqualTo(expected[i % 3]);
        }
      } finally {
        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  static Status.Code code(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(call::run, StatusRuntimeException.class);
    assertThat(e).as("the call should fail").isNotNull();
    return e.getStatus().getCode();
  }

  @Test
  void badCallsGetTfServingsStatusCodesAndTheServerGoesOn() {
    TensorProto wrongDtype = shape(TensorProto.newBuilder().setDtype(DataType.DT_INT64), 1, 28, 28).addInt64Val(1).build();
    assertThat(code(() -> stub().predict(request(wrongDtype).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    TensorProto wrongShape = shape(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT), 1, 3).addFloatVal(1).build();
    StatusRuntimeException e = catchThrowableOfType(() -> stub().predict(request(wrongShape).build()),
        StatusRuntimeException.class);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("input_X", "rank 2");
    TensorProto badContent = shape(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT), 1, 28, 28)
        .setTensorContent(ByteString.copyFrom(new byte[7])).build();
    assertThat(code(() -> stub().predict(request(badContent).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub().predict(request(content(images)).setModelSpec(ModelSpec.newBuilder().setName("nope"))
        .build()))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> stub().predict(request(content(images)).setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")
        .setVersion(Int64Value.of(7))).build()))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> stub().predict(request(content(images)).setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")
        .setVersionLabel("stable")).build()))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> stub().predict(request(content(images)).setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")
        .setSignatureName("nope")).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub().predict(PredictRequest.newBuilder().putInputs("input_X", content(images)).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub().predict(request(content(images)).putInputs("extra", content(images)).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(() -> stub().predict(request(content(images)).addOutputFilter("nope").build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    // over the 4 MiB message limit of this server: 2,000 images are 6.3 MB
    assertThat(code(() -> stub().predict(request(content(new float[2000][28][28])).build())))
        .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(code(() -> stub().getModelMetadata(GetModelMetadataRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn")).build()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    // the server goes on
    assertThat(classes(stub().predict(request(content(images)).build()))).containsExactly(expected);
  }
}
