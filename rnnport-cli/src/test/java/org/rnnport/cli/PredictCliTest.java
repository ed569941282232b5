package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rnnport.cli.CliTest.rnnport;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.util.Json;

/** rnnport predict, and eval/inspect on TF Serving's zero-padded version folders, from the command line. */
class PredictCliTest {
  @TempDir
  Path tmp;

  static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(d).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        Files.copy(f, to.resolve(from.relativize(f).toString()));
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Test
  void evalPredictAndInspectTakeZeroPaddedVersionFolders() throws IOException {
    Path data = TestData.ensure("mnist");
    Path base = tmp.resolve("mnist-rnn");
    copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), base.resolve("00000123"));
    copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), base.resolve("00000007"));
    CliTest.Run eval = rnnport("eval", "--model", base.toString(), "--data-dir", data.toString(), "--limit", "500",
        "--json", tmp.resolve("eval.json").toString());
    assertThat(eval.exit()).as(eval.err()).isZero();
    assertThat(eval.out()).contains("00000123", "accuracy", "samples/s");
    CliTest.Run inspect = rnnport("inspect", base.toString());
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("SavedModel: " + base.resolve("00000123"), "shape: (-1, 28, 28)");

    // predict on the same folder, the IDX test images (raw bytes scaled like the notebook) and labels
    Path out = tmp.resolve("out.npz");
    CliTest.Run predict = rnnport("predict", "--model", base.toString(),
        "--input", data.resolve("mnist/t10k-images-idx3-ubyte.gz").toString(), "--scale", "1/255",
        "--labels", data.resolve("mnist/t10k-labels-idx1-ubyte.gz").toString(), "--output", out.toString(),
        "--report", tmp.resolve("predict.json").toString(), "--workers", "2");
    assertThat(predict.exit()).as(predict.err()).isZero();
    assertThat(predict.out()).contains("accuracy", "confusion matrix", "10000 rows", "samples/s");
    assertThat(out).exists();
    JsonNode p = Json.MAPPER.readTree(tmp.resolve("predict.json").toFile());
    JsonNode e = Json.MAPPER.readTree(tmp.resolve("eval.json").toFile());
    assertThat(p.get("model").asText()).endsWith("00000123");
    assertThat(e.get("model").asText()).endsWith("00000123");
    assertThat(p.get("examples").asLong()).isEqualTo(10_000);
    assertThat(p.get("accuracy").asDouble()).isGreaterThan(0.97);

    // a bad input: exit 1, the message names the file and the line, no output
    Path bad = tmp.resolve("bad.jsonl");
    Files.writeString(bad, "[1, 2]\n{oops\n");
    CliTest.Run fail = rnnport("predict", "--model", base.toString(), "--input", bad.toString(), "--output",
        tmp.resolve("bad-out.jsonl").toString());
    assertThat(fail.exit()).isEqualTo(1);
    assertThat(fail.err()).contains("bad.jsonl line 1, input 'input_X'", "shape mismatch");
    assertThat(tmp.resolve("bad-out.jsonl")).doesNotExist();
  }
}
