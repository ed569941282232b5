package org.rnnport.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rnnport.predict.PredictFixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.Npz;
import org.rnnport.eval.Inspector;
import org.rnnport.parity.PythonEnv;
import org.rnnport.predictor.ModelVersions;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.files.TfRecordOutput;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * predict and inspect on SavedModels that Python's TensorFlow (the parity venv) exports: a TF1
 * Builder model in zero-padded version folders with an unknown-rank input, a TF2 tf.Module with
 * two named inputs, and a Keras model through tf.saved_model.save. Expected outputs come from
 * Python ({@code parity/rnnport_oracle/export_predict_models.py}).
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class PythonModelsTest {
  static Path models;
  static Map<String, Npz.Array> expected;

  @TempDir
  Path tmp;

  @BeforeAll
  static void export() throws IOException {
    Path project = TestData.projectDir();
    models = project.resolve("target/predict-tests/python-models");
    org.rnnport.util.AtomicFiles.deleteRecursively(models);
    Path data = TestData.ensure("mnist");
    PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.err).runModule(project.resolve("parity"),
        "rnnport_oracle.export_predict_models", List.of("--out", models.toString(), "--data-dir", data.toString()),
        System.err);
    expected = Npz.read(models.resolve("expected.npz"));
  }

  static float[] floats(Npz.Array a) {
    float[] f = new float[(int) a.count()];
    ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  static float[] floats(Path npz, String key) throws IOException {
    return floats(Npz.read(npz).get(key));
  }

  static void assertClose(float[] got, float[] want) {
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.length; i++) {
      assertThat(got[i]).as("value %d", i).isCloseTo(want[i], Offset.offset(1e-5f * Math.max(1, Math.abs(want[i]))));
    }
  }

  @Test
  void zeroPaddedVersionsAndUnknownRank() throws IOException {
    Path base = models.resolve("tf1_padded");
    assertThat(ModelVersions.resolve(base).getFileName().toString()).isEqualTo("00000123");
    String shown = Inspector.show(ModelVersions.resolve(base));
    assertThat(shown).contains("inputs['x'] tensor_info:\n        dtype: DT_FLOAT\n        shape: unknown_rank")
        .contains("outputs['y'] tensor_info:\n        dtype: DT_FLOAT\n        shape: unknown_rank")
        .contains("outputs['total'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1)");
    // rows of [2, 3] feed the unknown-rank input as they are: [n, 2, 3]
    float[] x = new float[5 * 6];
    for (int i = 0; i < x.length; i++) {
      x[i] = i * 0.5f - 3;
    }
    npy(tmp.resolve("x.npy"), Column.ofArray(DType.FLOAT32, new long[] {2, 3}, 5, x));
    Opts o = new Opts(tmp.resolve("out.jsonl"), tmp.resolve("x.npy"));
    o.model = base;
    o.batchSize = 2;
    PredictJob.Summary s = o.run();
    assertThat(s.model().getFileName().toString()).isEqualTo("00000123");
    List<String> lines = Files.readAllLines(tmp.resolve("out.jsonl"));
    assertThat(lines).hasSize(5);
    for (int i = 0; i < 5; i++) {
      JsonNode row = JSON.readTree(lines.get(i));
      assertThat(row.get("y")).hasSize(2);
      assertThat(row.get("y").get(1)).hasSize(3);
      float sum = 0;
      for (int k = 0; k < 6; k++) {
        assertThat((float) row.get("y").get(k / 3).get(k % 3).asDouble()).isEqualTo(x[i * 6 + k] * 2 + 1);
        sum += x[i * 6 + k];
      }
      assertThat((float) row.get("total").asDouble()).isCloseTo(sum, Offset.offset(1e-5f));
    }
    // the same rows as nested JSON lists
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(JSON.readTree(l).get("y").toString()).append('\n');
    }
    Files.writeString(tmp.resolve("y.jsonl"), sb);
    Opts again = new Opts(tmp.resolve("again.npz"), tmp.resolve("y.jsonl"));
    again.model = base;
    again.run();
    Npz.Array y2 = Npz.read(tmp.resolve("again.npz")).get("y");
    assertThat(y2.shape()).containsExactly(5, 2, 3);
    float[] got = floats(y2);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).isEqualTo((x[i] * 2 + 1) * 2 + 1);
    }
  }

  @Test
  void tf2ModuleWithTwoNamedInputsFromEveryFormat() throws IOException {
    Path model = models.resolve("tf2_module");
    float[] features = floats(expected.get("features"));
    long[] ids = expected.get("ids").int64(models);
    int n = ids.length;
    Column f = Column.ofArray(DType.FLOAT32, new long[] {3}, n, features);
    Column id = Column.ofArray(DType.INT64, new long[0], n, ids);
    npz(tmp.resolve("in.npz"), map("ids", id, "features", f));
    csv(tmp.resolve("in.csv"), map("features", f, "ids", id));
    parquet(tmp.resolve("in.parquet"), map("features", f, "ids", id));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("{\"ids\": ").append(ids[i]).append(", \"features\": ").append(PredictFixtures.floats(features, i * 3, 3)).append("}\n");
    }
    Files.writeString(tmp.resolve("in.jsonl"), sb);
    try (TfRecordOutput out = new TfRecordOutput(Files.newOutputStream(tmp.resolve("in.tfrecord")))) {
      for (int i = 0; i < n; i++) {
        FloatList.Builder fl = FloatList.newBuilder();
        for (int k = 0; k < 3; k++) {
          fl.addValue(features[i * 3 + k]);
        }
        out.write(Example.newBuilder().setFeatures(Features.newBuilder()
            .putFeature("features", Feature.newBuilder().setFloatList(fl).build())
            .putFeature("ids", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(ids[i])).build()))
            .build().toByteArray());
      }
    }
    List<String> inputs = new ArrayList<>(List.of("in.npz", "in.csv", "in.parquet", "in.jsonl", "in.tfrecord"));
    for (String in : inputs) {
      Path out = tmp.resolve(in + ".out.npz");
      Opts o = new Opts(out, tmp.resolve(in));
      o.model = model;
      o.batchSize = 6;
      o.run();
      Map<String, Npz.Array> got = Npz.read(out);
      assertClose(floats(got.get("scores")), floats(expected.get("scores")));
      assertThat(got.get("scores").shape()).containsExactly(n, 4);
      assertThat(got.get("best").int64(out)).as(in).containsExactly(expected.get("best").int64(models));
      assertThat(got.get("ids_plus_one").int64(out)).as(in).containsExactly(expected.get("ids_plus_one").int64(models));
    }
  }

  @Test
  void kerasModelSavedWithTfSavedModelSave() throws IOException {
    String[] keys = Files.readString(models.resolve("keys.txt")).trim().split(" ");
    float[] pixels = floats(expected.get("pixels"));
    int n = pixels.length / 784;
    npy(tmp.resolve("flat.npy"), Column.ofArray(DType.FLOAT32, new long[] {784}, n, pixels));
    Opts o = new Opts(tmp.resolve("out.npz"), tmp.resolve("flat.npy"));
    o.model = models.resolve("keras");
    o.batchSize = 16;
    o.run();
    assertClose(floats(tmp.resolve("out.npz"), keys[1]), floats(expected.get("probs")));
  }
}
