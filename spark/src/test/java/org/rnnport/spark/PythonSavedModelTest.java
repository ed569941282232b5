package org.rnnport.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.rnnport.parity.PythonEnv;
import org.rnnport.predictor.SavedModelPredictor;

/**
 * A SavedModel exported by Python's TensorFlow at test time (parity/rnnport_oracle/export_spark_model.py, TF2
 * {@code tf.saved_model.save}, in the parity venv that PythonEnv builds once), scored by Spark: two inputs mapped
 * from differently named columns, a per-row scalar output and a matrix output, bit for bit against
 * SavedModelPredictor. Without Python this fails saying what is missing; opt out with {@code -DskipParity}.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class PythonSavedModelTest {

  @Test
  void aPythonExportedTwoInputModel() throws IOException {
    Path out = TestSpark.ROOT.resolve("spark/target/python-savedmodel/python-linear/1");
    if (!Files.isRegularFile(out.resolve("saved_model.pb"))) {
      PythonEnv env = PythonEnv.ensure(TestSpark.ROOT.resolve("parity/requirements.txt"), System.out);
      env.runModule(TestSpark.ROOT.resolve("parity"), "rnnport_oracle.export_spark_model",
          List.of("--out", out.toString()), System.out);
    }
    StructType schema = new StructType().add("id", DataTypes.LongType)
        .add("img", DataTypes.createArrayType(DataTypes.DoubleType)) // doubles, cast to the input's float32
        .add("offset", DataTypes.IntegerType);                       // a per-row scalar for the int64 input
    int n = 90;
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = TestSpark.image(8000 + i);
      Object[] d = new Object[784];
      for (int j = 0; j < 784; j++) {
        d[j] = (double) x[j];
      }
      rows.add(RowFactory.create((long) i, d, i % 5 - 2));
    }
    Dataset<Row> data = TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(rows, 2), schema);
    SparkPredictor sp = SparkPredictor.builder(out.getParent().toString()) // a base folder: its highest version
        .inputColumn("image", "img").inputColumn("shift", "offset").batchSize(45).prefix("").build();
    List<Row> got = sp.transform(data).collectAsList();
    assertThat(got.get(0).schema().fieldNames()).containsExactly("id", "img", "offset", "ink", "scores", "top");
    assertThat(got.get(0).schema().apply("ink").dataType()).isEqualTo(DataTypes.FloatType);

    SavedModelPredictor p = ModelCache.get(sp.model());
    for (int b = 0; b < n; b += 45) {
      long[] shift = new long[45];
      for (int i = 0; i < 45; i++) {
        shift[i] = (b + i) % 5 - 2;
      }
      Map<String, Object> want = p.predict(Map.of("image", TestSpark.images(8000 + b, 45), "shift", shift));
      for (int i = 0; i < 45; i++) {
        Row r = got.get(b + i);
        assertThat(Float.floatToRawIntBits(r.getFloat(3)))
            .isEqualTo(Float.floatToRawIntBits(((float[]) want.get("ink"))[i]));
        SparkPredictorTest.assertBits(TestSpark.floats(r, "scores"), ((float[][]) want.get("scores"))[i],
            "scores of row " + (b + i));
        assertThat(r.getLong(5)).isEqualTo(((long[]) want.get("top"))[i]);
      }
    }
  }
}
