package org.rnnport.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.RnnSpec;

/**
 * The cells beyond the notebooks (GRU, MultiRNNCell, bidirectional) against tf.compat.v1's, and their fast graphs
 * ({@code --graph fast}) against the same oracle runs.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class CellsParityTest {

  @ParameterizedTest
  @CsvSource({
      "mnist-rnn, gru, 128, 1, false, 20",
      "mnist-lstm, lstm, 64, 2, true, 32"})
  // mnist-lstm-state with two bidirectional GRU layers is one of `parity --all`'s configurations (CI runs it at
  // 100 steps, with --graph fast); repeating it here cost a minute of every test run
  void javaCellsMatchTf1(String base, String cell, int units, int layers, boolean bi, int variables) throws IOException {
    NotebookModel m = ModelRegistry.get(base).withRnn(new RnnSpec(cell, units, layers, bi));
    Path project = TestData.projectDir();
    ParityReport r = ParityRunner.run(new ParityRunner.Options(m, 30, BatchOrder.SEQUENTIAL, 3,
        ParityRunner.Init.PYTHON_SEED, TestData.ensure("mnist"), project.resolve("parity"),
        project.resolve("target/parity-tests/cells"), 500, org.rnnport.nn.PythonGradients.Mode.PYTHON, true), System.err);
    assertThat(r.failures()).as(ParityRunner.markdown(r)).isEmpty();
    assertThat(MnistRnnParityTest.check(r, "variables").measured()).isEqualTo("identical (" + variables + " VariableV2)");
    assertThat(MnistRnnParityTest.check(r, "initial weights").measured()).startsWith("bit-identical");
    assertThat(MnistRnnParityTest.check(r, "first-step loss").measured()).endsWith("(bit-identical)");
    assertThat(MnistRnnParityTest.check(r, "loss over").measured()).startsWith("bit-identical at every step");
    // --graph fast against the same oracle run: within tolerances, its SavedModel loads in Python
    for (String fast : java.util.List.of("fast graph: loss", "fast graph: final model variables", "fast graph: test logits",
        "fast graph: its SavedModel vs", "fast graph: serving_default", "fast graph: its SavedModel loaded in Python")) {
      assertThat(MnistRnnParityTest.check(r, fast).passed()).as(fast).isTrue();
    }
  }
}
