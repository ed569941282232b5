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

  List<String> args(Path data, Path run) {
    return new ArrayList<>(List.of("fit", "--model",
        TestData.projectDir().resolve("rnnport-fit/src/test/resources/keras/reuters-lstm-003b.json").toString(),
        "--data", data.toString(), "--x", "x", "--y", "y", "--loss", "categorical_crossentropy", "--batch-size", "100",
        "--epochs", "3", "--seed", "3", "--checkpoint-every", "2", "-o", run.toString(), "--export-dir",
        tmp.resolve("sm-" + run.getFileName()).toString(), "--export-version", "1"));
  }

  @Test
  void killedMidEpochThenResumedIsTheUninterruptedRun() throws Exception {
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
    assertThat(TrainProcess.run(tmp.resolve("reference.log"), args(data, ref))).as(Files.readString(
        tmp.resolve("reference.log"))).isZero();
    History reference = Json.MAPPER.readValue(ref.resolve("history.json").toFile(), History.class);
    assertThat(reference.batchCost).hasSize(15);

    Path run = tmp.resolve("killed");
    TrainProcess p = TrainProcess.start(tmp.resolve("killed.log"), "step:7", args(data, run));
    p.killWhenPaused();
    assertThat(run.resolve("history.json")).as("killed: nothing written at exit").doesNotExist();
    Path log = tmp.resolve("resume.log");
    assertThat(TrainProcess.run(log, List.of("fit", "--resume", run.toString()))).as(Files.readString(log)).isZero();
    History h = Json.MAPPER.readValue(run.resolve("history.json").toFile(), History.class);
    assertThat(h.batchCost).isEqualTo(reference.batchCost);
    assertThat(h.resumes).hasSize(1);
    for (String f : List.of("variables.data-00000-of-00001", "variables.index")) {
      assertThat(Files.readAllBytes(tmp.resolve("sm-killed/reuters-lstm-003b/1/variables/" + f)))
          .as("exported " + f).isEqualTo(Files.readAllBytes(tmp.resolve("sm-reference/reuters-lstm-003b/1/variables/"
              + f)));
    }
  }
}
