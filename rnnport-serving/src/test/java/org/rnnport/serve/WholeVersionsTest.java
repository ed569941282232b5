package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Versions load whole, or not at all (issue 25): a version folder copied in part ({@code mkdir base/2 && cp
 * base/1/saved_model.pb base/2/}, the variables later) is refused by name, never takes traffic, and the old version
 * serves until the rest arrives; then the new version loads on the next poll (its folder changed) and replaces it.
 * TF Serving's own test models, as they are. TensorFlow's loader would take the half-copied folder ("no checkpoints
 * were restored") and serve uninitialized variables.
 */
class WholeVersionsTest {
  @TempDir
  Path tmp;

  static float predict(ModelRepository repo, float x) {
    ModelRepository.Loaded l = repo.get("half", null);
    SignatureSpec sig = l.predictor().signature(null);
    try (TFloat32 in = TFloat32.tensorOf(Shape.of(1), d -> d.setFloat(x, 0));
        NamedTensors out = l.predictor().run(sig.key(), new NamedTensors().put("x", in))) {
      return ((TFloat32) out.get("y")).getFloat(0);
    }
  }

  @Test
  void aHalfCopiedVersionNeverTakesTrafficAndLoadsOnceWhole() throws Exception {
    Path td = TfServingStoreTest.testdata();
    Path base = tmp.resolve("half");
    ServeTest.copyTree(td.resolve("saved_model_half_plus_two_cpu/00000123"), base.resolve("1"));
    try (ModelRepository repo = new ModelRepository(List.of(new ModelRepository.ModelConfig("half", base,
        new VersionPolicy.Latest(1), Map.of())), 1024)) {
      repo.scan();
      assertThat(predict(repo, 2f)).isEqualTo(3.0f); // 0.5 * 2 + 2
      // the graph of half_plus_three arrives first, its variables later
      Path two = base.resolve("2");
      Files.createDirectories(two);
      Path three = td.resolve("saved_model_half_plus_three/00000123");
      Files.copy(three.resolve("saved_model.pb"), two.resolve("saved_model.pb"));
      repo.scan();
      ModelRepository.VersionStatus s2 = repo.status("half", 2L).get(0);
      assertThat(s2.state()).isEqualTo(ModelRepository.State.END);
      assertThat(s2.error()).contains("variables/variables.index is missing", "not loaded");
      assertThat(repo.get("half", null).version()).isEqualTo(1);
      assertThat(predict(repo, 2f)).as("the old version serves meanwhile").isEqualTo(3.0f);
      repo.scan();
      assertThat(repo.get("half", null).version()).as("nothing changed in the folder: not retried").isEqualTo(1);
      // the index before its data file: still incomplete, still refused
      Files.createDirectories(two.resolve("variables"));
      Files.copy(three.resolve("variables/variables.index"), two.resolve("variables/variables.index"));
      repo.scan();
      assertThat(repo.status("half", 2L).get(0).error()).contains("restoring the variables");
      assertThat(predict(repo, 2f)).isEqualTo(3.0f);
      // the rest of it
      Files.copy(three.resolve("variables/variables.data-00000-of-00001"),
          two.resolve("variables/variables.data-00000-of-00001"));
      ServeTest.copyTree(three.resolve("assets"), two.resolve("assets"));
      repo.scan();
      assertThat(repo.status("half", 2L).get(0).state()).isEqualTo(ModelRepository.State.AVAILABLE);
      assertThat(repo.get("half", null).version()).isEqualTo(2);
      assertThat(predict(repo, 2f)).as("the whole new version").isEqualTo(4.0f); // 0.5 * 2 + 3
    }
  }

  @Test
  void aSignatureTfJavaCannotCallIsDroppedInMemoryAndTheOthersServe() throws Exception {
    // TF Serving's saved_model_half_plus_three, with one more signature naming a tensor its graph lacks, built here
    Path td = TfServingStoreTest.testdata();
    Path v = tmp.resolve("odd/1");
    ServeTest.copyTree(td.resolve("saved_model_half_plus_three/00000123"), v);
    org.tensorflow.proto.SavedModel sm = org.tensorflow.proto.SavedModel.parseFrom(Files.readAllBytes(
        v.resolve("saved_model.pb")));
    org.tensorflow.proto.SavedModel.Builder b = sm.toBuilder();
    b.getMetaGraphsBuilder(0).putSignatureDef("ghost", org.tensorflow.proto.SignatureDef.newBuilder()
        .setMethodName("tensorflow/serving/predict").putInputs("x", org.tensorflow.proto.TensorInfo.newBuilder()
            .setName("no_such_tensor:0").setDtype(org.tensorflow.proto.DataType.DT_FLOAT).build())
        .putOutputs("y", org.tensorflow.proto.TensorInfo.newBuilder().setName("y:0")
            .setDtype(org.tensorflow.proto.DataType.DT_FLOAT).build()).build());
    Files.write(v.resolve("saved_model.pb"), b.build().toByteArray());
    Map<String, String> before = TfServingStoreTest.snapshot(tmp);
    try (ModelRepository repo = new ModelRepository(List.of(new ModelRepository.ModelConfig("half",
        tmp.resolve("odd"), new VersionPolicy.Latest(1), Map.of())), 1024)) {
      repo.scan();
      assertThat(predict(repo, 2f)).isEqualTo(4.0f);
      ModelRepository.Loaded l = repo.get("half", null);
      assertThat(l.predictor().signatures()).containsKey("ghost"); // listed in the metadata, as TF Serving does
      try (TFloat32 in = TFloat32.scalarOf(1f)) {
        Map<String, Tensor> feed = Map.of("x", in);
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> l.predictor().run(
            l.predictor().signature("ghost"), feed).close());
        assertThat(e).isInstanceOf(org.rnnport.predictor.InvalidInputException.class)
            .hasMessageContaining("ghost").hasMessageContaining("no_such_tensor:0 is not in the graph");
        assertThat(ServingException.of(e).code()).isEqualTo(ServingException.Code.INVALID_ARGUMENT);
      }
    }
    assertThat(TfServingStoreTest.snapshot(tmp)).as("no copy of the model was written anywhere").isEqualTo(before);
  }

  @Test
  void perModelBatchingParametersAreAVersionsOwnAndFailItsLoadWhenBad() throws Exception {
    Path td = TfServingStoreTest.testdata();
    Path base = tmp.resolve("batched");
    ServeTest.copyTree(td.resolve("saved_model_half_plus_two_cpu/00000123"), base.resolve("1"));
    Files.writeString(base.resolve("1/" + VersionLoader.BATCHING_PARAMS), "max_batch_size { value: 2 }\n"
        + "batch_timeout_micros { value: 0 }\n");
    ServeTest.copyTree(td.resolve("saved_model_half_plus_two_cpu/00000123"), base.resolve("2"));
    Files.writeString(base.resolve("2/" + VersionLoader.BATCHING_PARAMS), "max_batch_size: nonsense\n");
    List<ModelRepository.ModelConfig> all = List.of(new ModelRepository.ModelConfig("half", base,
        new VersionPolicy.All(), Map.of()));
    try (ModelRepository repo = new ModelRepository(all, 1024).perModelBatching(true)) {
      repo.scan();
      assertThat(repo.get("half", 1L).batching().maxBatchSize()).isEqualTo(2);
      assertThat(repo.status("half", 2L).get(0).error()).contains(VersionLoader.BATCHING_PARAMS,
          "Error parsing text-format tensorflow.serving.BatchingParameters");
    }
    try (ModelRepository repo = new ModelRepository(all, 1024)) {
      repo.scan();
      assertThat(repo.get("half", 2L).batching()).as("per-model parameters off: the file is not read").isNull();
    }
  }
}
