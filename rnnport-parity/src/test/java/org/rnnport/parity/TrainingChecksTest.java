package org.rnnport.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnport.nn.PythonGradients;

/** The training rows of the parity report fail when they should, and the --all summary reads them. */
class TrainingChecksTest {

  private static ParityReport report(PythonGradients.Mode mode, float[] java, float[] python, Compare.Diff vars,
      Compare.Diff logits) {
    ParityReport r = new ParityReport();
    r.model = "m";
    TrainingChecks.losses(r, mode, java.length, java, python);
    TrainingChecks.finalVariables(r, mode, java.length, vars);
    TrainingChecks.testLogits(r, mode, "test logits", logits);
    return r;
  }

  @Test
  void pythonModeDemandsEveryBit() {
    float[] python = {2.5f, 2.25f, 2.0f, 1.75f};
    float[] java = {2.5f, 2.25f, Math.nextUp(2.0f), 1.75f};
    Compare.Diff same = Compare.diff(new float[] {1f}, new float[] {1f});
    Compare.Diff lastBit = Compare.diff(new float[] {1f}, new float[] {Math.nextUp(1f)});

    ParityReport r = report(PythonGradients.Mode.PYTHON, java, python, lastBit, same);
    assertThat(r.failures()).extracting(ParityReport.Check::name)
        .containsExactly("loss over 4 steps", "final model variables after 4 steps");
    assertThat(r.checks.get(0).measured()).contains("3 of 4 steps bit-identical, first diverging step 3");
    ParitySummary.Row row = ParitySummary.row(r);
    assertThat(row.bitIdenticalSteps()).isEqualTo(3);
    assertThat(row.firstDivergingStep()).isEqualTo(3);
    assertThat(row.passed()).isFalse();
    assertThat(ParitySummary.markdown(List.of(row))).contains("| m | 3 of 4 | 3 |");

    ParityReport ok = report(PythonGradients.Mode.PYTHON, python, python.clone(), same, same);
    assertThat(ok.passed()).isTrue();
    assertThat(ParitySummary.row(ok).firstDivergingStep()).isZero();
  }

  @Test
  void tfModeAllowsTheLastBitsButNotMore() {
    float[] python = {2.5f, 2.25f};
    Compare.Diff lastBit = Compare.diff(new float[] {1f}, new float[] {Math.nextUp(1f)});
    assertThat(report(PythonGradients.Mode.TF, new float[] {2.5f, Math.nextUp(2.25f)}, python, lastBit, lastBit)
        .passed()).isTrue();
    Compare.Diff far = Compare.diff(new float[] {1f}, new float[] {1.01f});
    ParityReport r = report(PythonGradients.Mode.TF, new float[] {2.5f, 2.3f}, python, far, far);
    assertThat(r.failures()).hasSize(3);
  }
}
