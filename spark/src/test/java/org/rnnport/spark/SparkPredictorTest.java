package org.rnnport.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnport.predictor.InvalidInputException;
import org.rnnport.predictor.SavedModelPredictor;

/**
 * SparkPredictor on local[2] against the single-process SavedModelPredictor, on real MNIST test images and the
 * committed mnist-rnn model: bit for bit, in the same batches, whatever the partitioning.
 */
class SparkPredictorTest {

  /** Single-process reference: the rows {@code from .. from+n} predicted in batches of {@code batch}. */
  static Map<String, Object> reference(SavedModelPredictor p, int from, int n) throws IOException {
    return p.predict(Map.of("input_X", TestSpark.images(from, n)));
  }

  /**
   * Asserts Spark's rows (ids {@code from..}) equal the reference predicted in the same per-partition batches;
   * {@code slices} are the partitions' sizes in order, {@code batch} the batch size.
   */
  static void assertMatchesReference(List<Row> out, int from, int[] slices, int batch, String prefix)
      throws IOException {
    SavedModelPredictor p = ModelCache.get(new ModelLocation(TestSpark.MNIST_RNN.toString(), null));
    long[] classes = new long[out.size()];
    float[][] logits = new float[out.size()][];
    float[][] probs = new float[out.size()][];
    int at = 0;
    for (int s : slices) {
      for (int b = 0; b < s; b += batch) {
        int n = Math.min(batch, s - b);
        Map<String, Object> r = reference(p, from + at + b, n);
        System.arraycopy((long[]) r.get("classes"), 0, classes, at + b, n);
        System.arraycopy((float[][]) r.get("logits"), 0, logits, at + b, n);
        System.arraycopy((float[][]) r.get("probabilities"), 0, probs, at + b, n);
      }
      at += s;
    }
    assertThat(out).hasSize(at);
    for (int i = 0; i < out.size(); i++) {
      Row row = out.get(i);
      assertThat(row.getLong(row.fieldIndex("id"))).isEqualTo(from + i);
      assertThat(row.getLong(row.fieldIndex(prefix + "classes"))).as("classes of row %d", i).isEqualTo(classes[i]);
      assertBits(TestSpark.floats(row, prefix + "logits"), logits[i], "logits of row " + i);
      assertBits(TestSpark.floats(row, prefix + "probabilities"), probs[i], "probabilities of row " + i);
    }
  }

  static void assertBits(float[] got, float[] want, String what) {
    int[] g = new int[got.length];
    int[] w = new int[want.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = Float.floatToRawIntBits(got[i]);
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = Float.floatToRawIntBits(want[i]);
    }
    assertThat(g).as(what).containsExactly(w);
  }

  @ParameterizedTest(name = "catalystRows={0}")
  @ValueSource(booleans = {true, false})
  void mnistRnnEqualsTheSingleProcessPredictorBitForBit(boolean catalystRows) throws IOException {
    // 900 images in 3 partitions of 300, batches of 128 (so each partition ends on a short batch of 44)
    Dataset<Row> data = TestSpark.pixels(0, 900, 3);
    SparkPredictor sp = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels").batchSize(128)
        .catalystRows(catalystRows).build();
    Dataset<Row> scored = sp.transform(data);
    assertThat(scored.schema().fieldNames()).containsExactly("id", "pixels", "pred_classes", "pred_logits",
        "pred_probabilities");
    assertThat(scored.schema().apply("pred_classes").dataType()).isEqualTo(DataTypes.LongType);
    assertThat(scored.schema().apply("pred_logits").dataType())
        .isEqualTo(DataTypes.createArrayType(DataTypes.FloatType, false));
    List<Row> out = scored.collectAsList();
    assertMatchesReference(out, 0, new int[] {300, 300, 300}, 128, "pred_");
    // and the model is the right one: MNIST accuracy of the committed mnist-rnn
    long right = 0;
    int[] labels = TestSpark.mnistLabels();
    for (Row r : out) {
      right += r.getLong(2) == labels[(int) r.getLong(0)] ? 1 : 0;
    }
    assertThat(right / 900.0).isGreaterThan(0.9);
  }

  @Test
  void anotherBatchingChangesOnlyTheLastBits() throws IOException {
    // TensorFlow's CPU matmul (Eigen) blocks the batch dimension: a row's bits depend on the batch it is in and
    // its place there. Spark in batches of 7 vs one batch of 300: the same classes, logits within float rounding.
    // (Bit-for-bit equality needs the same batches: see mnistRnnEqualsTheSingleProcessPredictorBitForBit.)
    SparkPredictor sp = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels").batchSize(7)
        .outputs("logits", "classes").prefix("").build();
    List<Row> out = sp.transform(TestSpark.pixels(2000, 300, 2)).collectAsList();
    SavedModelPredictor p = ModelCache.get(sp.model());
    Map<String, Object> ref = reference(p, 2000, 300);
    float[][] logits = (float[][]) ref.get("logits");
    long[] classes = (long[]) ref.get("classes");
    for (int i = 0; i < 300; i++) {
      assertThat(out.get(i).getLong(out.get(i).fieldIndex("classes"))).isEqualTo(classes[i]);
      float[] got = TestSpark.floats(out.get(i), "logits");
      for (int c = 0; c < 10; c++) {
        assertThat(got[c]).isCloseTo(logits[i][c], org.assertj.core.api.Assertions.within(1e-4f));
      }
    }
  }

  @ParameterizedTest(name = "catalystRows={0}")
  @ValueSource(booleans = {true, false})
  void nestedRowsOfPixelsFeedTheSameModel(boolean catalystRows) throws IOException {
    // array<array<float>> 28x28 is flattened row-major: the same bits as the flat 784 column
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("image", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)));
    List<Row> rows = new ArrayList<>();
    float[][][] x = TestSpark.images(3000, 50);
    for (int i = 0; i < 50; i++) {
      Object[] img = new Object[28];
      for (int r = 0; r < 28; r++) {
        img[r] = TestSpark.boxed(x[i][r]);
      }
      rows.add(RowFactory.create(3000L + i, img));
    }
    Dataset<Row> data = TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(rows, 2), schema);
    List<Row> out = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("image").prefix("p_")
        .batchSize(25).catalystRows(catalystRows).build().transform(data).collectAsList();
    assertMatchesReference(out, 3000, new int[] {25, 25}, 25, "p_");
  }

  @Test
  void emptyAndOneRowPartitions() throws IOException {
    Dataset<Row> one = TestSpark.pixels(4000, 1, 1);
    Dataset<Row> none = TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(List.<Row>of(), 1),
        TestSpark.PIXELS);
    Dataset<Row> some = TestSpark.pixels(4001, 9, 1);
    Dataset<Row> data = one.union(none).union(some).union(none);
    assertThat(data.rdd().getNumPartitions()).isEqualTo(4);
    List<Row> out = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels").batchSize(4)
        .build().transform(data).collectAsList();
    assertMatchesReference(out, 4000, new int[] {1, 9}, 4, "pred_");
    // an empty input is an empty output, with the schema
    Dataset<Row> empty = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels").build()
        .transform(none);
    assertThat(empty.count()).isZero();
    assertThat(empty.schema().fieldNames()).contains("pred_logits");
  }

  /** Rows 5000.. with row 2 of the partition null and row 4 one pixel short. */
  private static Dataset<Row> withBadRows() throws IOException {
    List<Row> rows = new ArrayList<>(TestSpark.pixelRows(5000, 6));
    rows.set(2, RowFactory.create(5002L, null));
    rows.set(4, RowFactory.create(5004L, TestSpark.boxed(Arrays.copyOf(TestSpark.image(5004), 783))));
    return TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(rows, 1), TestSpark.PIXELS);
  }

  @Test
  void aNullArrayFailsNamingTheRowAndColumn() throws IOException {
    SparkPredictor sp = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels").build();
    assertThatThrownBy(() -> sp.transform(withBadRows()).collectAsList())
        .hasStackTraceContaining("partition 0, row 2 (0-based, within the partition): column 'pixels' (input "
            + "'input_X') is null");
  }

  @Test
  void aWrongLengthFailsNamingTheRowColumnAndShape() throws IOException {
    List<Row> rows = new ArrayList<>(TestSpark.pixelRows(5000, 3));
    rows.set(1, RowFactory.create(5001L, TestSpark.boxed(Arrays.copyOf(TestSpark.image(5001), 783))));
    Dataset<Row> data = TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(rows, 1), TestSpark.PIXELS);
    SparkPredictor sp = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels").build();
    assertThatThrownBy(() -> sp.transform(data).collectAsList())
        .hasStackTraceContaining("partition 0, row 1 (0-based, within the partition): column 'pixels' (input "
            + "'input_X'): 783 values, the input takes 784 per row (per-row shape [28, 28])");
  }

  @ParameterizedTest(name = "catalystRows={0}")
  @ValueSource(booleans = {true, false})
  void onInvalidNullGivesNullPredictionsAndTheReason(boolean catalystRows) throws IOException {
    SparkPredictor sp = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels")
        .onInvalid(SparkPredictor.OnInvalid.NULL).batchSize(3).catalystRows(catalystRows).build();
    List<Row> out = sp.transform(withBadRows()).collectAsList();
    assertThat(out).hasSize(6);
    assertThat(out.get(2).isNullAt(out.get(2).fieldIndex("pred_logits"))).isTrue();
    assertThat(out.get(2).getString(out.get(2).fieldIndex("pred_error"))).contains("row 2", "is null");
    assertThat(out.get(4).isNullAt(out.get(4).fieldIndex("pred_classes"))).isTrue();
    assertThat(out.get(4).getString(out.get(4).fieldIndex("pred_error"))).contains("row 4", "783 values");
    // the good rows of each batch of 3 run together: rows 0, 1 (2 is bad), then rows 3, 5 (4 is bad)
    SavedModelPredictor p = ModelCache.get(sp.model());
    for (int[] batch : new int[][] {{0, 1}, {3, 5}}) {
      float[][][] x = {TestSpark.images(5000 + batch[0], 1)[0], TestSpark.images(5000 + batch[1], 1)[0]};
      float[][] want = (float[][]) p.predict(Map.of("input_X", x)).get("logits");
      for (int j = 0; j < 2; j++) {
        Row r = out.get(batch[j]);
        assertThat(r.isNullAt(r.fieldIndex("pred_error"))).isTrue();
        assertBits(TestSpark.floats(r, "pred_logits"), want[j], "logits of row " + batch[j]);
      }
    }
  }

  @Test
  void configurationErrorsNameTheKeyAndColumn() throws IOException {
    Dataset<Row> data = TestSpark.pixels(0, 2, 1);
    assertThatThrownBy(() -> SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).build().transform(data))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("input 'input_X' needs column 'input_X'")
        .hasMessageContaining("inputColumn(\"input_X\", COLUMN)");
    assertThatThrownBy(() -> SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("x", "pixels").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown input 'x'");
    assertThatThrownBy(() -> SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("id").build()
        .transform(data)).hasMessageContaining("column 'id' (input 'input_X') is a single bigint per row");
    assertThatThrownBy(() -> SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels")
        .outputs("nope").build()).hasMessageContaining("unknown output 'nope'");
    assertThatThrownBy(() -> SparkPredictor.builder(TestSpark.ROOT.resolve("savedmodels/none").toString()).build())
        .hasMessageContaining("savedmodels/none is neither a model folder nor a .zip of one");
  }
}
