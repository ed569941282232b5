package org.rnnport.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.data.Npz;
import org.rnnport.fit.Fit;
import org.rnnport.keras.KerasModel;
import org.rnnport.parity.PythonEnv;
import org.rnnport.predict.PredictJob;
import org.rnnport.predict.formats.NpyWriter;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;

/**
 * A {@code rnnport fit} export on Spark: a GRU(12) Keras model (tf-keras' to_json) fit for 8 epochs on
 * scikit-learn's digits ({@code keras_fit.py --make-data}), exported, then scored by {@link SparkPredictor} on
 * {@code local[2]} and by {@code rnnport predict} ({@link PredictJob#run}) on the same 1,000 rows: the same classes,
 * logits and probabilities, bit for bit (2 contiguous partitions of 500 at batch 500 against predict's batches of
 * 500, the alignment {@link SparkEqualsRnnportPredictTest} explains).
 */
class SparkFitExportTest {
  static final int N = 1000;
  static final int BATCH = 500;

  @TempDir
  Path tmp;

  @Test
  void aFitExportScoresTheSameOnSparkAsWithRnnportPredict() throws Exception {
    Path data = tmp.resolve("data");
    PythonEnv env = PythonEnv.ensure(TestSpark.ROOT.resolve("parity/requirements.txt"), System.err);
    env.runModule(TestSpark.ROOT.resolve("parity"), "rnnport_oracle.keras_fit", List.of("--make-data",
        data.toString()), System.err);
    Path export = tmp.resolve("export");
    Fit.of(KerasModel.read(data.resolve("digits-gru.json"))).name("digits-gru")
        .data(List.of(data.resolve("digits.npz"))).x("x").y("y").loss("sparse_categorical_crossentropy")
        .optimizer("adam").learningRate(0.01f).batchSize(64).epochs(8).seed(7).runDir(tmp.resolve("run")).exportRoot(export)
        .exportVersion(1).run(new PrintStream(new ByteArrayOutputStream()));
    Path model = export.resolve("digits-gru/1");
    assertThat(model.resolve("saved_model.pb")).exists();

    // the first 1,000 digits: float32 [1000, 8, 8], as an npy for predict and as array<float> rows for Spark
    Npz.Array x = Npz.read(data.resolve("digits.npz")).get("x");
    float[] px = new float[N * 64];
    ByteBuffer.wrap(x.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(px);
    Path in = tmp.resolve("digits.npy");
    try (NpyWriter w = new NpyWriter(in, "x")) {
      w.write(Map.of("x", Column.ofArray(DType.FLOAT32, new long[] {8, 8}, N, px)), N);
      w.finish();
    }
    Path out = tmp.resolve("predict.npz");
    PredictJob.Summary s = PredictJob.run(new PredictJob.Options(model, "serve", "serving_default", List.of(in), null,
        out, null, null, BATCH, 0, 1.0, null, null, null, 0, false, null, null, null));
    assertThat(s.outcome().rows()).isEqualTo(N);
    Map<String, Npz.Array> npz = Npz.read(out);
    long[] classes = npz.get("classes").int64(out);
    float[] logits = floats(npz.get("logits"));
    float[] probabilities = floats(npz.get("probabilities"));

    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      float[] r = new float[64];
      System.arraycopy(px, i * 64, r, 0, 64);
      rows.add(RowFactory.create((long) i, TestSpark.boxed(r)));
    }
    StructType schema = new StructType().add("id", DataTypes.LongType, false)
        .add("x", DataTypes.createArrayType(DataTypes.FloatType, true), true);
    Dataset<Row> df = TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(rows, 2), schema);
    Path scored = tmp.resolve("scored.parquet");
    SparkPredictor.builder(model.toString()).inputColumn("x").batchSize(BATCH).build().transform(df).drop("x")
        .write().parquet(scored.toString());
    List<Row> got = TestSpark.spark().read().parquet(scored.toString()).orderBy("id").collectAsList();
    assertThat(got).hasSize(N);
    int right = 0;
    for (int i = 0; i < N; i++) {
      Row r = got.get(i);
      assertThat(r.getLong(0)).isEqualTo(i);
      assertThat(r.getLong(r.fieldIndex("pred_classes"))).as("classes of row %d", i).isEqualTo(classes[i]);
      SparkPredictorTest.assertBits(TestSpark.floats(r, "pred_logits"), slice(logits, i), "logits of row " + i);
      SparkPredictorTest.assertBits(TestSpark.floats(r, "pred_probabilities"), slice(probabilities, i),
          "probabilities of row " + i);
    }
    // and it is the trained model: it learned the digits (8 epochs of Adam(0.01) on 1,797 rows)
    long[] y = Npz.read(data.resolve("digits.npz")).get("y").int64(data.resolve("digits.npz"));
    for (int i = 0; i < N; i++) {
      right += classes[i] == y[i] ? 1 : 0;
    }
    assertThat(right / (double) N).isGreaterThan(0.6);
  }

  static float[] floats(Npz.Array a) {
    assertThat(a.descr()).isEqualTo("<f4");
    assertThat(a.shape()).containsExactly(N, 10);
    float[] f = new float[N * 10];
    ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  static float[] slice(float[] a, int row) {
    float[] r = new float[10];
    System.arraycopy(a, row * 10, r, 0, 10);
    return r;
  }
}
