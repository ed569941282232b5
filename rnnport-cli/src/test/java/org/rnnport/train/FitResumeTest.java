package org.rnnport.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceSet;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.DType;
import org.rnnport.predict.formats.NpzWriter;
import org.rnnport.util.Json;

/**
 * {@code rnnport fit} killed with SIGKILL mid-epoch, then {@code rnnport fit --resume RUN_DIR} (the options from the
 * run's fit.json): the per-batch losses and the exported variables equal an uninterrupted run's bit for bit.
 */
class FitResumeTest {
  @TempDir
  Path tmp;

  static Path model003b() {
    return TestData.projectDir().resolve("rnnport-fit/src/test/resources/keras/reuters-lstm-003b.json");
  }

  List<String> args(Path data, Path run) {
    return args(model003b(), data, run);
  }

  List<String> args(Path model, Path data, Path run) {
    return new ArrayList<>(List.of("fit", "--model", model.toString(),
        "--data", data.toString(), "--x", "x", "--y", "y", "--loss", "categorical_crossentropy", "--batch-size", "100",
        "--epochs", "3", "--seed", "3", "--checkpoint-every", "2", "-o", run.toString(), "--export-dir",
        tmp.resolve("sm-" + run.getFileName()).toString(), "--export-version", "1"));
  }

  @Test
  void killedMidEpochThenResumedIsTheUninterruptedRun() throws Exception {
    killedAndResumed(model003b(), List.of(), "reuters-lstm-003b");
  }

  /**
   * With a Dropout (its mask stream's position is in the checkpoint) and Keras metrics (the epoch's float32 running
   * means are in the checkpoint's state): the same batch losses, epoch logs and exported weights.
   */
  @Test
  void aDropoutModelWithMetricsKilledMidEpochThenResumedIsTheUninterruptedRun() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
        Json.MAPPER.readTree(model003b().toFile());
    com.fasterxml.jackson.databind.node.ObjectNode d = Json.MAPPER.createObjectNode().put("class_name", "Dropout");
    d.putObject("config").put("name", "dropout").put("trainable", true).put("dtype", "float32").put("rate", 0.3)
        .putNull("noise_shape").putNull("seed");
    ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("config").get("layers")).insert(3, d);
    Path model = tmp.resolve("reuters-dropout.json");
    Files.writeString(model, Json.MAPPER.writeValueAsString(root));
    killedAndResumed(model, List.of("--metrics", "accuracy"), "reuters-dropout");
  }

  void killedAndResumed(Path model, List<String> extra, String exportName) throws Exception {
    // the first 450 rows of notebook 003b's padded training split: 5 batches per epoch (the last of 50)
    SequenceSet s = Reuters.notebook(TestData.ensure(Reuters.DATASET)).train();
    int n = 450;
    Path data = tmp.resolve("reuters-450.npz");
    Map<String, Column> cols = new LinkedHashMap<>();
    cols.put("x", Column.ofArray(DType.INT32, new long[] {100}, n, Arrays.copyOf(s.tokens(), n * 100)));
    cols.put("y", Column.ofArray(DType.INT32, new long[0], n, Arrays.copyOf(s.labels(), n)));
    try (NpzWriter w = new NpzWriter(data)) {
      w.write(cols, n);
      w.finish();
    }
    Path ref = tmp.resolve("reference");
    List<String> refArgs = args(model, data, ref);
    refArgs.addAll(extra);
    assertThat(TrainProcess.run(tmp.resolve("reference.log"), refArgs)).as(Files.readString(
        tmp.resolve("reference.log"))).isZero();
    History reference = Json.MAPPER.readValue(ref.resolve("history.json").toFile(), History.class);
    assertThat(reference.batchCost).hasSize(15);

    Path run = tmp.resolve("killed");
    List<String> killedArgs = args(model, data, run);
    killedArgs.addAll(extra);
    TrainProcess p = TrainProcess.start(tmp.resolve("killed.log"), "step:7", killedArgs);
    p.killWhenPaused();
    assertThat(run.resolve("history.json")).as("killed: nothing written at exit").doesNotExist();
    Path log = tmp.resolve("resume.log");
    assertThat(TrainProcess.run(log, List.of("fit", "--resume", run.toString()))).as(Files.readString(log)).isZero();
    History h = Json.MAPPER.readValue(run.resolve("history.json").toFile(), History.class);
    assertThat(h.batchCost).isEqualTo(reference.batchCost);
    assertThat(h.resumes).hasSize(1);
    assertThat(h.epochCost).isEqualTo(reference.epochCost);
    assertThat(h.epochMetrics).isEqualTo(reference.epochMetrics);
    assertThat(h.results).isEqualTo(reference.results);
    for (String f : List.of("variables.data-00000-of-00001", "variables.index")) {
      assertThat(Files.readAllBytes(tmp.resolve("sm-killed/" + exportName + "/1/variables/" + f)))
          .as("exported " + f).isEqualTo(Files.readAllBytes(tmp.resolve("sm-reference/" + exportName + "/1/variables/"
              + f)));
    }
  }
}
