package org.rnnport.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.models.MnistRnn;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.train.History;
import org.rnnport.train.RunCheckpoints;
import org.rnnport.train.StopSignal;
import org.rnnport.train.TrainOptions;
import org.rnnport.train.Trainer;
import org.rnnport.train.TrainingRun;
import org.rnnport.util.Json;
import org.tensorflow.op.Ops;

/**
 * Python reads what a training run writes: {@code tf.train.latest_checkpoint} + a TF1 Saver restore
 * the newest checkpoint by variable name (values equal Java's bit for bit), and TensorBoard's
 * EventAccumulator reads the logged scalars back. Needs the parity venv (Python 3.9-3.12); opt out
 * with {@code -DskipParity}.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class PythonReadsRunTest {
  @TempDir
  Path tmp;

  @Test
  void pythonRestoresTheCheckpointAndReadsTheEventFiles() throws IOException {
    Path data = TestData.ensure("mnist");
    MnistRnn m = new MnistRnn();
    Path run = tmp.resolve("run");
    TrainOptions o = TrainOptions.defaults(m, 3, data, run, null).withEpochs(2, 10).withCheckpoints(4, 3);
    History h;
    try (StopSignal stop = StopSignal.manual()) {
      h = TrainingRun.run(m, o, stop, new PrintStream(new ByteArrayOutputStream()));
    }
    Path project = TestData.projectDir();
    PythonEnv env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.err);

    // the checkpoint: TensorFlow finds the newest and restores it by name
    Path ckJson = tmp.resolve("checkpoint.json");
    env.runModule(project.resolve("parity").toAbsolutePath(), "rnnport_oracle.read_checkpoint",
        List.of("--dir", run.resolve("checkpoints").toString(), "--out", ckJson.toString()), System.err);
    JsonNode ck = Json.MAPPER.readTree(ckJson.toFile());
    assertThat(ck.get("latest").asText()).endsWith("model.ckpt-20");
    assertThat(ck.get("globalStep").asLong()).isEqualTo(20);
    try (Trainer t = new Trainer(m, SeedSource.tf1GraphSeed(3), o.learningRate(), 0, null)) {
      RunCheckpoints c = new RunCheckpoints(Ops.create(t.graph()), run.resolve("checkpoints"), 3,
          t.modelGraph().allVariables(), t.modelGraph().modelVariables());
      t.initialize();
      c.restore(t.session(), run.resolve("checkpoints/model.ckpt-20"));
      Map<String, float[]> java = t.values(t.modelGraph().allVariables());
      assertThat(ck.get("variables").size()).isEqualTo(java.size());
      for (Tf1Variable v : t.modelGraph().allVariables()) {
        float[] py = ParityRunner.floats(ck.get("variables").get(v.name()));
        assertThat(py).as(v.name()).containsExactly(java.get(v.name()));
      }
    }

    // the event files: EventAccumulator reads the values that history.json has
    Path evJson = tmp.resolve("events.json");
    env.runModule(project.resolve("parity").toAbsolutePath(), "rnnport_oracle.read_events",
        List.of("--logdir", run.resolve("tensorboard").toString(), "--out", evJson.toString()), System.err);
    JsonNode ev = Json.MAPPER.readTree(evJson.toFile());
    JsonNode train = ev.get("train").get("scalars");
    assertThat(train.get("batch_loss").size()).isEqualTo(20);
    for (int i = 0; i < 20; i++) {
      assertThat(train.get("batch_loss").get(i).get(0).asInt()).isEqualTo(i + 1);
      assertThat((float) train.get("batch_loss").get(i).get(1).asDouble()).isEqualTo(h.batchCost.get(i));
      assertThat((float) train.get("batch_learning_rate").get(i).get(1).asDouble()).isEqualTo(0.001f);
    }
    for (int e = 0; e < 2; e++) {
      assertThat(train.get("epoch_loss").get(e).get(0).asInt()).isEqualTo(e);
      assertThat((float) train.get("epoch_loss").get(e).get(1).asDouble()).isEqualTo((float) (double) h.epochCost.get(e));
      assertThat((float) train.get("epoch_accuracy").get(e).get(1).asDouble())
          .isEqualTo((float) (double) h.epochMetrics.get("accuracy").get(e));
      JsonNode val = ev.get("validation").get("scalars");
      assertThat((float) val.get("epoch_loss").get(e).get(1).asDouble())
          .isEqualTo((float) (double) h.epochMetrics.get("val_loss").get(e));
      assertThat((float) val.get("epoch_accuracy").get(e).get(1).asDouble())
          .isEqualTo((float) (double) h.epochMetrics.get("val_accuracy").get(e));
    }
    assertThat(ev.get("train").get("graph").asBoolean()).isTrue();
    assertThat(ev.get("train").get("text").get("hyperparameters").get(0).asText()).contains("| learningRate | 0.001 |");
  }
}
