package org.rnnport.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.models.MnistLstmState;
import org.rnnport.models.MnistRnn;

/** Validation after each epoch changes no training number; Keras EarlyStopping semantics. */
class ValidationTest {
  @TempDir
  Path tmp;

  private History train(TrainOptions o, ByteArrayOutputStream out) throws IOException {
    try (StopSignal stop = StopSignal.manual()) {
      return TrainingRun.run(new MnistRnn(), o, stop, new PrintStream(out, true));
    }
  }

  @Test
  void validationDoesNotChangeTheTrainingNumbers() throws IOException {
    Path data = TestData.ensure("mnist");
    TrainOptions o = TrainOptions.defaults(new MnistRnn(), 4, data, tmp.resolve("with"), null).withEpochs(3, 15);
    History with = train(o, new ByteArrayOutputStream());
    History without = train(o.withValidation(false).withCheckpoints(0, 5), new ByteArrayOutputStream());
    // (the second run also writes its checkpoints into the same folder: resume is off, it starts afresh)
    assertThat(with.batchCost).hasSize(45).isEqualTo(without.batchCost);
    assertThat(with.epochCost).isEqualTo(without.epochCost);
    assertThat(with.epochMetrics.get("val_loss")).hasSize(3);
    assertThat(with.epochMetrics.get("val_accuracy")).allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0));
    assertThat(without.epochMetrics).doesNotContainKey("val_loss");
  }

  @Test
  void earlyStoppingFollowsKeras() {
    EarlyStopping es = new EarlyStopping(2, "val_loss", true);
    EarlyStopping.State s = es.initial();
    assertThat(es.update(s, 1, 1.0)).isEqualTo(EarlyStopping.Decision.IMPROVED_CONTINUE);
    assertThat(es.update(s, 2, 0.9)).isEqualTo(EarlyStopping.Decision.IMPROVED_CONTINUE);
    assertThat(es.update(s, 3, 0.9)).as("equal is no improvement (min_delta 0)").isEqualTo(EarlyStopping.Decision.CONTINUE);
    assertThat(es.update(s, 4, 0.95)).isEqualTo(EarlyStopping.Decision.STOP);
    assertThat(s.bestEpoch).isEqualTo(2);
    assertThat(s.stoppedEpoch).isEqualTo(4);
    EarlyStopping acc = new EarlyStopping(0, "val_accuracy", false);
    EarlyStopping.State a = acc.initial();
    assertThat(acc.update(a, 1, 0.5)).as("patience 0 never stops after the first epoch")
        .isEqualTo(EarlyStopping.Decision.IMPROVED_CONTINUE);
    assertThat(acc.update(a, 2, 0.4)).isEqualTo(EarlyStopping.Decision.STOP);
  }

  @Test
  void earlyStoppingStopsAndRestoresTheBestWeights() throws IOException {
    // the notebook's double softmax learns slowly at lr 1e-4; at lr 0.05 val_loss soon stops improving
    Path data = TestData.ensure("mnist");
    MnistLstmState m = new MnistLstmState(false);
    TrainOptions o = TrainOptions.defaults(m, 1, data, tmp.resolve("es"), null).withEpochs(12, 10)
        .withEarlyStopping(new EarlyStopping(1, "val_accuracy", true));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    History h;
    try (StopSignal stop = StopSignal.manual()) {
      h = TrainingRun.run(m, new TrainOptions(o.epochs(), o.stepsPerEpoch(), o.batchSize(), 0.05f, o.seed(), o.order(),
          o.threads(), o.device(), o.dataDir(), o.runDir(), null, null, null, 0, 5, false, o.earlyStopping(), true), stop,
          new PrintStream(out, true));
    }
    assertThat(h.results).containsKey("stoppedEpoch");
    int stopped = h.results.get("stoppedEpoch").intValue();
    int best = h.results.get("bestEpoch").intValue();
    assertThat(h.epochCost).hasSize(stopped);
    assertThat(h.epochMetrics.get("val_accuracy").get(best - 1))
        .isEqualTo(h.epochMetrics.get("val_accuracy").stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    assertThat(out.toString()).contains("early stopping").contains("Restoring model weights from the end of the best epoch: "
        + best);
  }
}
