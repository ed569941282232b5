package org.rnnport.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.models.MnistRnn;
import org.rnnport.util.Json;

class TrainingRunTest {
  @TempDir
  Path tmp;

  @Test
  void printsTheNotebookLineAndRecordsHistory() throws IOException {
    Path data = TestData.ensure("mnist");
    MnistRnn m = new MnistRnn();
    TrainOptions o = TrainOptions.defaults(m, 2, data, tmp.resolve("run"), null).withEpochs(5, 10);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    History h;
    try (StopSignal stop = StopSignal.manual()) {
      h = TrainingRun.run(m, o, stop, new PrintStream(out, true));
    }
    assertThat(out.toString()).containsPattern("Epoch: 0005 Avg\\.cost = \\d+\\.\\d+");
    assertThat(h.batchCost).hasSize(50);
    assertThat(h.epochCost).hasSize(5);
    assertThat(h.devicesUsed).anyMatch(d -> d.contains("CPU"));
    assertThat(h.exportedTo).isNull();
    History read = Json.MAPPER.readValue(tmp.resolve("run/history.json").toFile(), History.class);
    assertThat(read.batchCost).containsExactlyElementsOf(h.batchCost);
    assertThat(tmp.resolve("run/loss.png")).exists();
  }

  @Test
  void aStopRequestEndsCleanlyWithoutExport() throws IOException {
    Path data = TestData.ensure("mnist");
    MnistRnn m = new MnistRnn();
    Path exports = tmp.resolve("savedmodels");
    TrainOptions o = TrainOptions.defaults(m, 2, data, tmp.resolve("run"), exports).withEpochs(3, 10);
    StopSignal stop = StopSignal.manual();
    stop.request();
    History h = TrainingRun.run(m, o, stop, new PrintStream(new ByteArrayOutputStream()));
    stop.close();
    assertThat(h.interrupted).isTrue();
    assertThat(h.exportedTo).isNull();
    assertThat(Files.exists(exports.resolve("mnist-rnn")) && Files.list(exports.resolve("mnist-rnn")).findAny().isPresent())
        .as("nothing exported").isFalse();
    assertThat(Json.MAPPER.readTree(tmp.resolve("run/history.json").toFile()).get("interrupted").asBoolean()).isTrue();
  }
}
