package org.rnnport.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.rnnport.tensorio.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class ModelVersionsTest {
  @TempDir
  Path tmp;

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  @Test
  void zeroPaddedVersionsAreAddressedByTheirOwnFolder() throws IOException {
    Path base = tmp.resolve("mnist");
    copyTree(SavedModelPredictorTest.MODEL, base.resolve("00000007"));
    copyTree(SavedModelPredictorTest.MODEL, base.resolve("00000123"));
    Files.createDirectories(base.resolve("00000200")); // no saved_model.pb: not a version
    Files.createDirectories(base.resolve("tmp-export"));
    assertThat(ModelVersions.list(base).keySet()).containsExactly(7L, 123L);
    assertThat(ModelVersions.resolve(base)).isEqualTo(base.resolve("00000123"));
    assertThat(ModelVersions.resolve(base, 7)).isEqualTo(base.resolve("00000007"));
    assertThat(ModelVersions.versionOf(base.resolve("00000123"))).isEqualTo(123);
    assertThatThrownBy(() -> ModelVersions.resolve(base, 8)).hasMessageContaining("no version 8");
    try (SavedModelPredictor p = SavedModelPredictor.load(base)) {
      assertThat(p.dir()).isEqualTo(base.resolve("00000123"));
    }
    copyTree(SavedModelPredictorTest.MODEL, base.resolve("7"));
    assertThatThrownBy(() -> ModelVersions.list(base)).hasMessageContaining("both version 7");
  }

  @Test
  void classesComeFromTheClassesOutputOrTheArgmax() throws IOException {
    try (SavedModelPredictor p = SavedModelPredictor.load(SavedModelPredictorTest.MODEL);
         TFloat32 x = TFloat32.tensorOf(Shape.of(50, 28, 28),
             DataBuffers.of(MnistTestImages.pixels(), true, false).narrow(50 * 784));
         NamedTensors in = new NamedTensors()) {
      in.put("input_X", x);
      int[] classes = p.predictClasses(null, in);
      try (NamedTensors out = p.run(null, in)) {
        int[] fromLogits = SavedModelPredictor.argMax((TFloat32) out.get("logits"));
        assertThat(classes).containsExactly(fromLogits);
        assertThat(out.keys()).containsExactly("classes", "logits", "probabilities");
      }
      int[] labels = MnistTestImages.labels();
      int correct = 0;
      for (int i = 0; i < 50; i++) {
        correct += classes[i] == labels[i] ? 1 : 0;
      }
      assertThat(correct).isGreaterThanOrEqualTo(48);
    }
  }

  @Test
  void tensorsCheckDtypeRankAndDimensions() {
    TensorSpec spec = new TensorSpec("x", DType.FLOAT32, new long[] {-1, 3}, "x:0");
    try (var t = spec.tensor(new float[][] {{1, 2, 3}})) {
      assertThat(t.shape().asArray()).containsExactly(1, 3);
    }
    assertThatThrownBy(() -> spec.tensor(new float[] {1, 2, 3})).hasMessageContaining("rank 1");
    assertThatThrownBy(() -> spec.tensor(new long[][] {{1, 2, 3}})).hasMessageContaining("DT_FLOAT")
        .hasMessageContaining("long[][]");
    TensorSpec pixels = new TensorSpec("p", DType.UINT8, new long[] {-1, 2}, "p:0");
    try (var t = pixels.tensor(new int[][] {{0, 255}})) {
      assertThat(t.dataType().name()).isEqualTo("DT_UINT8");
    }
    assertThatThrownBy(() -> pixels.tensor(new int[][] {{0, 256}})).hasMessageContaining("input 'p'")
        .hasMessageContaining("256 is out of range for uint8");
    TensorSpec any = new TensorSpec("a", DType.FLOAT32, null, "a:0");
    assertThat(any.shapeText()).isEqualTo("unknown_rank");
    try (var t = any.tensor(new float[][][] {{{1}}})) {
      assertThat(t.shape().numDimensions()).isEqualTo(3);
    }
    assertThat(Map.of("k", spec.shapeText())).containsEntry("k", "(-1, 3)");
  }
}
