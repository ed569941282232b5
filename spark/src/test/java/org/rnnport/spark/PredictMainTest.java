package org.rnnport.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The launcher's predict command on Parquet, in this JVM's local[2] session: whole output or none. */
class PredictMainTest {
  @TempDir
  Path tmp;

  private PredictMain.Predict command(String... args) {
    PredictMain.Predict p = new PredictMain.Predict();
    new CommandLine(p).parseArgs(args);
    return p;
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void parquetInParquetOutAndNothingLeftOnFailure() throws IOException {
    Path in = tmp.resolve("in.parquet");
    TestSpark.pixels(7000, 120, 2).write().parquet(in.toString());
    Path out = tmp.resolve("out.parquet");
    int rc = command("--model", TestSpark.MNIST_RNN.toString(), "--input", in.toString(),
        "--output", out.toString(), "--input-column", "pixels", "--batch-size", "100", "--outputs", "classes,logits")
        .predict(TestSpark.spark());
    assertThat(rc).isZero();
    assertThat(out.resolve("_SUCCESS")).exists();
    assertThat(listing()).containsExactly("in.parquet", "out.parquet");
    List<Row> rows = TestSpark.spark().read().parquet(out.toString()).orderBy("id").collectAsList();
    assertThat(rows).hasSize(120);
    assertThat(rows.get(0).schema().fieldNames()).containsExactly("id", "pixels", "pred_classes", "pred_logits");
    int[] labels = TestSpark.mnistLabels();
    long right = rows.stream().filter(r -> r.getLong(2) == labels[(int) r.getLong(0)]).count();
    assertThat(right).isGreaterThan(105);

    // an existing output is kept unless --overwrite
    assertThatThrownBy(() -> command("--model", TestSpark.MNIST_RNN.toString(), "--input", in.toString(), "--output",
        out.toString(), "--input-column", "pixels").predict(TestSpark.spark())).hasMessageContaining("exists");

    // a job that fails half-way (bad rows) leaves neither output nor temporary folder, and the old output intact
    Path bad = tmp.resolve("bad.parquet");
    TestSpark.spark().read().parquet(in.toString()).selectExpr("id",
        "CASE WHEN id = 7050 THEN slice(pixels, 1, 700) ELSE pixels END AS pixels").write().parquet(bad.toString());
    assertThatThrownBy(() -> command("--model", TestSpark.MNIST_RNN.toString(), "--input", bad.toString(), "--output",
        tmp.resolve("new.parquet").toString(), "--input-column", "pixels").predict(TestSpark.spark()))
        .hasStackTraceContaining("column 'pixels' (input 'input_X'): 700 values, the input takes 784 per row");
    assertThatThrownBy(() -> command("--model", TestSpark.MNIST_RNN.toString(), "--input", bad.toString(), "--output",
        out.toString(), "--overwrite", "--input-column", "pixels").predict(TestSpark.spark()))
        .hasStackTraceContaining("700 values");
    assertThat(listing()).containsExactly("bad.parquet", "in.parquet", "out.parquet");
    assertThat(TestSpark.spark().read().parquet(out.toString()).count()).isEqualTo(120);

    // --overwrite replaces it once the new output is complete; JSON out, only some columns kept
    rc = command("--model", TestSpark.MNIST_RNN.toString(), "--input", in.toString(), "--output", out.toString(),
        "--overwrite", "--input-column", "pixels", "--outputs", "classes", "--keep", "id", "--output-format", "json")
        .predict(TestSpark.spark());
    assertThat(rc).isZero();
    List<Row> json = TestSpark.spark().read().json(out.toString()).orderBy("id").collectAsList();
    assertThat(json).hasSize(120);
    assertThat(json.get(0).schema().fieldNames()).containsExactly("id", "pred_classes");
    assertThat(json.get(5).getLong(1)).isEqualTo(rows.get(5).getLong(2));
  }
}
