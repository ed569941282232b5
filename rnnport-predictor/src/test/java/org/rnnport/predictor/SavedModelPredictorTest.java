package org.rnnport.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.WrongTypeException;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class SavedModelPredictorTest {
  static final Path MODEL = MnistTestImages.ROOT.resolve("savedmodels/mnist-rnn/1");

  @Test
  void exposesTheSignatureAndPredictsFromArraysAndTensors() throws Exception {
    int[] labels = MnistTestImages.labels();
    try (SavedModelPredictor p = SavedModelPredictor.load(MODEL)) {
      SignatureSpec sig = p.signature(null);
      assertThat(sig.methodName()).isEqualTo("tensorflow/serving/predict");
      assertThat(sig.inputs().get("input_X").dtype()).isEqualTo(DType.FLOAT32);
      assertThat(sig.inputs().get("input_X").shape()).containsExactly(-1, 28, 28);
      assertThat(sig.outputs().get("classes").dtype()).isEqualTo(DType.INT64);
      Prediction out = p.predict(Map.of("input_X", MnistTestImages.images(0, 100)));
      long[] classes = out.longs("classes");
      float[][] logits = out.floats2d("logits");
      assertThat((long[]) out.get("classes")).containsExactly(classes); // the untyped view, for old callers
      assertThatThrownBy(() -> out.floats2d("classes")).isInstanceOf(WrongTypeException.class)
          .hasMessageContaining("'classes' is int64 of shape [100]").hasMessageContaining("long[]");
      assertThatThrownBy(() -> out.floats3d("logits")).isInstanceOf(ClassCastException.class)
          .hasMessageContaining("'logits' is float32 of shape [100, 10]").hasMessageContaining("float[][]");
      assertThat(logits).hasNumberOfRows(100);
      int correct = 0;
      for (int i = 0; i < 100; i++) {
        correct += classes[i] == labels[i] ? 1 : 0;
      }
      assertThat(correct).isGreaterThanOrEqualTo(95);
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(3, 28, 28), DataBuffers.of(MnistTestImages.pixels(), true, false).narrow(3 * 784));
           Result r = p.run(sig, Map.<String, Tensor>of("input_X", x))) {
        TInt64 c = (TInt64) r.get("classes").orElseThrow();
        assertThat(new long[] {c.getLong(0), c.getLong(1), c.getLong(2)}).containsExactly(classes[0], classes[1], classes[2]);
      }
      assertThatThrownBy(() -> p.predict(Map.of("input_X", new int[][] {{1}}))).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("DT_FLOAT");
      assertThatThrownBy(() -> p.predict(Map.of("x", MnistTestImages.images(0, 1)))).hasMessageContaining("unknown input 'x'");
      assertThatThrownBy(() -> p.predict(Map.of("input_X", new float[1025][28][28]))).isInstanceOf(InvalidInputException.class).hasMessageContaining("limit of 1024")
          .satisfies(e -> assertThat(((InvalidInputException) e).tooLarge()).isTrue());
      assertThatThrownBy(() -> p.predict(Map.of("input_X", new float[2][28][27]))).hasMessageContaining("dimension 2 is 27");
    }
  }

  /**
   * A negative inter-op count (TF Serving's {@code --tensorflow_inter_op_parallelism=-1}) runs each op in the
   * caller's thread: the same logits, bit for bit, from several threads at once.
   */
  @Test
  void runsOpsInTheCallersThreadWithANegativeInterOpCount() throws Exception {
    float[][][] x = MnistTestImages.images(0, 100);
    float[][] expected;
    try (SavedModelPredictor p = SavedModelPredictor.load(MODEL)) {
      expected = (float[][]) p.predict(Map.of("input_X", x)).get("logits");
    }
    org.tensorflow.proto.ConfigProto caller = org.tensorflow.proto.ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(2).setInterOpParallelismThreads(-1).build();
    try (SavedModelPredictor p = SavedModelPredictor.builder(MODEL).optConfig(caller).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[][]>> fs = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
          fs.add(pool.submit(() -> (float[][]) p.predict(Map.of("input_X", x)).get("logits")));
        }
        for (Future<float[][]> f : fs) {
          assertThat(f.get()).isDeepEqualTo(expected);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void threadLeversFromSystemPropertiesOverrideTheCallersConfig() {
    org.tensorflow.proto.ConfigProto caller = org.tensorflow.proto.ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(2).setAllowSoftPlacement(true).build();
    assertThat(SavedModelPredictor.withLevers(caller)).as("no lever set: the caller's config").isSameAs(caller);
    System.setProperty("rnnport.tf.predictor.intraOpThreads", "1");
    System.setProperty("rnnport.tf.predictor.interOpThreads", "2");
    try {
      org.tensorflow.proto.ConfigProto c = SavedModelPredictor.withLevers(caller);
      assertThat(c.getIntraOpParallelismThreads()).isEqualTo(1);
      assertThat(c.getInterOpParallelismThreads()).isEqualTo(2);
      assertThat(c.getAllowSoftPlacement()).isTrue();
      assertThat(SavedModelPredictor.withLevers(null).getIntraOpParallelismThreads()).isEqualTo(1);
    } finally {
      System.clearProperty("rnnport.tf.predictor.intraOpThreads");
      System.clearProperty("rnnport.tf.predictor.interOpThreads");
    }
  }

  @Test
  void isSafeFromManyThreadsAndCloseWaitsForThem() throws Exception {
    int[] labels = MnistTestImages.labels();
    SavedModelPredictor p = SavedModelPredictor.load(MODEL);
    long[] expected = (long[]) p.predict(Map.of("input_X", MnistTestImages.images(0, 64))).get("classes");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<long[]>> fs = new ArrayList<>();
      for (int k = 0; k < 64; k++) {
        int i = k;
        fs.add(pool.submit(() -> (long[]) p.predict(Map.of("input_X", MnistTestImages.images(i, 1))).get("classes")));
      }
      for (int k = 0; k < 64; k++) {
        assertThat(fs.get(k).get()[0]).isEqualTo(expected[k]);
      }
    } finally {
      pool.shutdownNow();
    }
    p.close();
    p.close(); // idempotent
    assertThat(p.isClosed()).isTrue();
    assertThatThrownBy(() -> p.predict(Map.of("input_X", MnistTestImages.images(0, 1))))
        .isInstanceOf(SavedModelPredictor.ClosedException.class);
  }

  @Test
  void badFoldersGetClearErrors() {
    assertThatThrownBy(() -> SavedModelPredictor.load(MnistTestImages.ROOT.resolve("savedmodels")))
        .hasMessageContaining("no saved_model.pb");
    assertThatThrownBy(() -> SavedModelPredictor.load(MnistTestImages.ROOT.resolve("no-such-model")))
        .hasMessageContaining("no such model directory");
  }
}
