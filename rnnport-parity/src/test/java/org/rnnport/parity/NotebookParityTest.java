package org.rnnport.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnport.data.BatchOrder;

/** Notebooks 001 and 002 (both variants) against their Python oracles; see MnistRnnParityTest. */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class NotebookParityTest {

  @ParameterizedTest
  // 002's fixed variant differs only in feeding the logits, not the softmax, to the loss; `parity --all` (CI) runs it
  @ValueSource(strings = {"mnist-lstm", "mnist-lstm-state"})
  void javaMatchesTheNotebook(String model) throws IOException {
    ParityReport r = MnistRnnParityTest.run(model, BatchOrder.SEQUENTIAL, 1, 60, ParityRunner.Init.PYTHON_SEED, model);
    assertThat(r.failures()).as(ParityRunner.markdown(r)).isEmpty();
    assertThat(MnistRnnParityTest.check(r, "initial weights").measured()).startsWith("bit-identical");
    assertThat(MnistRnnParityTest.check(r, "first-step loss").measured()).endsWith("(bit-identical)");
    assertThat(MnistRnnParityTest.check(r, "variables").measured()).isEqualTo("identical (14 VariableV2)");
    assertThat(MnistRnnParityTest.check(r, "loss over").measured()).startsWith("bit-identical at every step");
  }

  @org.junit.jupiter.api.Test
  void kerasReutersMatchesTheNotebook() throws IOException {
    java.nio.file.Path project = org.rnnport.TestData.projectDir();
    org.rnnport.TestData.ensure("reuters");
    ParityReport r = ParityRunner.run(new ParityRunner.Options("reuters-lstm", 20, BatchOrder.SEQUENTIAL, 0,
        ParityRunner.Init.CHECKPOINT, org.rnnport.TestData.ensure("mnist"), project.resolve("parity"),
        project.resolve("target/parity-tests/reuters"), 500), System.err);
    assertThat(r.failures()).as(ParityRunner.markdown(r)).isEmpty();
    assertThat(MnistRnnParityTest.check(r, "first-step loss").measured()).endsWith("(bit-identical)");
    assertThat(MnistRnnParityTest.check(r, "variables").measured()).isEqualTo("identical (6)");
    // the embedding's sparse (IndexedSlices) Adam update as tf-keras does it: every loss and weight to the bit
    assertThat(MnistRnnParityTest.check(r, "loss over").measured()).startsWith("bit-identical at every step");
    assertThat(MnistRnnParityTest.check(r, "final model variables").measured()).startsWith("bit-identical");
  }
}
