package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.predictor.SavedModelPredictor;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * TF Serving-style batching through both APIs: concurrent gRPC and REST requests, merged into
 * padded batches, each get their own rows; bad inputs get the same answers as without batching.
 */
class BatchingTest {
  @TempDir
  Path tmp;

  @Test
  void concurrentRequestsOnBothApisGetTheirOwnRows() throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve("m/mnist-rnn/1"));
    float[][][] x = ServeLimitsTest.images(TestData.mnistTest(), 0, 40);
    long[] expected;
    try (SavedModelPredictor p = SavedModelPredictor.load(tmp.resolve("m/mnist-rnn/1"))) {
      expected = (long[]) p.predict(Map.of("input_X", x)).get("classes");
    }
    BatchingOptions opts = TfServingConfig.batching("max_batch_size { value: 16 } batch_timeout_micros { value: 5000 } "
        + "num_batch_threads { value: 2 } max_enqueued_batches { value: 100 } allowed_batch_sizes: 4 "
        + "allowed_batch_sizes: 16");
    try (ServingStack s = ServingStack.folder(tmp.resolve("m"), opts)) {
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.grpc().port()).usePlaintext().build();
      HttpClient http = HttpClient.newHttpClient();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        var stub = PredictionServiceGrpc.newBlockingStub(ch);
        List<Future<Boolean>> fs = new ArrayList<>();
        for (int k = 0; k < 120; k++) {
          int i = k % 40;
          boolean grpc = k % 2 == 0;
          fs.add(pool.submit(() -> {
            float[][][] one = {x[i]};
            if (grpc) {
              var r = stub.withDeadlineAfter(60, TimeUnit.SECONDS).predict(PredictRequest.newBuilder()
                  .setModelSpec(tensorflow.serving.Model.ModelSpec.newBuilder().setName("mnist-rnn"))
                  .putInputs("input_X", GrpcTest.content(one)).build());
              return GrpcTest.classes(r)[0] == expected[i];
            }
            String body = org.rnnport.util.Json.MAPPER.writeValueAsString(Map.of("instances", one));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.restUrl()
                + "/v1/models/mnist-rnn:predict")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && RestApi.JSON.readTree(r.body()).get("predictions").get(0).get("classes")
                .asLong() == expected[i];
          }));
        }
        for (Future<Boolean> f : fs) {
          assertThat(f.get(120, TimeUnit.SECONDS)).isTrue();
        }
        // more rows than max_batch_size run on their own
        var big = stub.withDeadlineAfter(60, TimeUnit.SECONDS).predict(PredictRequest.newBuilder()
            .setModelSpec(tensorflow.serving.Model.ModelSpec.newBuilder().setName("mnist-rnn"))
            .putInputs("input_X", GrpcTest.content(x)).build());
        assertThat(GrpcTest.classes(big)).containsExactly(expected);
        // bad input: the same answer as the plain path
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(s.restUrl()
            + "/v1/models/mnist-rnn:predict")).POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": [[[1, 2, 3]]]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("dimension 1 is 1, the signature expects 28");
        StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> stub.withDeadlineAfter(60,
            TimeUnit.SECONDS).predict(PredictRequest.newBuilder().setModelSpec(tensorflow.serving.Model.ModelSpec
            .newBuilder().setName("mnist-rnn")).putInputs("input_X", GrpcTest.content(new float[1][28][28]))
            .putInputs("x", GrpcTest.content(new float[1][28][28])).build()), StatusRuntimeException.class);
        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
      } finally {
        pool.shutdownNow();
        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}
