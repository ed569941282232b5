package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.rnnport.TestData;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** The tensor batcher on the committed mnist-rnn model: merged answers, close and queue limits. */
class TensorBatcherTest {
  static final Path MODEL = TestData.projectDir().resolve("savedmodels/mnist-rnn/1");

  static Map<String, Tensor> images(SignatureSpec sig, int from, int n) {
    float[][][] x = ServeLimitsTest.images(TestData.mnistTest(), from, n);
    return new java.util.LinkedHashMap<>(Map.of("input_X", sig.singleInput().tensor(x)));
  }

  @Test
  void mergedRequestsGetTheirOwnRowsEqualToPlainRuns() throws Exception {
    try (SavedModelPredictor p = SavedModelPredictor.load(MODEL)) {
      SignatureSpec sig = p.signature(null);
      long[] expected = (long[]) p.predict(Map.of("input_X", ServeLimitsTest.images(TestData.mnistTest(), 0, 24)))
          .get("classes");
      float[][] logits = (float[][]) p.predict(Map.of("input_X", ServeLimitsTest.images(TestData.mnistTest(), 0, 24)))
          .get("logits");
      try (TensorBatcher b = new TensorBatcher(p, sig, new BatchingOptions(16, 20_000, 1, 10, List.of(4, 8, 16), false))) {
        List<CompletableFuture<NamedTensors>> fs = new ArrayList<>();
        for (int i = 0; i < 24; i += 2) {
          fs.add(b.submit(images(sig, i, 2), 2));
        }
        for (int k = 0; k < fs.size(); k++) {
          try (NamedTensors out = fs.get(k).get()) {
            TInt64 c = (TInt64) out.get("classes");
            assertThat(c.shape().asArray()).containsExactly(2);
            assertThat(c.getLong(0)).isEqualTo(expected[2 * k]);
            assertThat(c.getLong(1)).isEqualTo(expected[2 * k + 1]);
            // another batch size may take another kernel path: equal to float rounding
            assertThat(((TFloat32) out.get("logits")).getFloat(1, 3)).isCloseTo(logits[2 * k + 1][3],
                org.assertj.core.data.Offset.offset(1e-4f));
          }
        }
      }
    }
  }

  @Test
  void aRequestSubmittedAfterCloseFailsAtOnce() throws Exception {
    try (SavedModelPredictor p = SavedModelPredictor.load(MODEL)) {
      SignatureSpec sig = p.signature(null);
      TensorBatcher b = new TensorBatcher(p, sig, new BatchingOptions(8, 1000, 1, 10, List.of(), false));
      b.close();
      CompletableFuture<NamedTensors> f = b.submit(images(sig, 0, 1), 1);
      assertThat(f).isDone();
      assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SavedModelPredictor.ClosedException.class);
    }
  }

  @Test
  void aFullQueueRefusesAtOnce() throws Exception {
    try (SavedModelPredictor p = SavedModelPredictor.load(MODEL)) {
      SignatureSpec sig = p.signature(null);
      // one slot: a worker that waits 10 s for company keeps the second and third requests queued or refused
      try (TensorBatcher b = new TensorBatcher(p, sig, new BatchingOptions(1, 0, 1, 1, List.of(), false))) {
        List<CompletableFuture<NamedTensors>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          fs.add(b.submit(images(sig, 0, 1), 1));
        }
        int busy = 0;
        for (CompletableFuture<NamedTensors> f : fs) {
          try (NamedTensors out = f.get()) {
            assertThat(out.keys()).contains("classes");
          } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ServingException.class);
            assertThat(((ServingException) e.getCause()).code()).isEqualTo(ServingException.Code.RESOURCE_EXHAUSTED);
            busy++;
          }
        }
        assertThat(busy).as("requests refused by the one-slot queue").isPositive();
      }
    }
  }
}
