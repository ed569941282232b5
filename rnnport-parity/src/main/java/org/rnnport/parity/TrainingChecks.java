package org.rnnport.parity;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnport.nn.PythonGradients;

/**
 * The report rows about training: the per-step losses, the final variables and the test logits, with
 * thresholds that can fail. With {@code --gradients python} (the parity default) all three must be
 * bit-identical; with {@code --gradients tf} (TF Java's C++ gradient builder, another summation order) they
 * must stay within the tolerances below.
 */
final class TrainingChecks {
  /** {@code --gradients tf}: the largest relative loss difference allowed. */
  static final double TF_MAX_LOSS_REL = ParityRunner.MAX_LOSS_REL_DIFF;
  /** {@code --gradients tf}: the largest absolute difference of a final variable. */
  static final double TF_MAX_FINAL_VARIABLE_ABS = 1e-5;
  /** {@code --gradients tf}: the largest absolute difference of a test logit. */
  static final double TF_MAX_TEST_LOGIT_ABS = 1e-3;

  private TrainingChecks() {}

  /** Bit-identical steps, the first that differs (1-based, 0 when none) and the longest identical prefix. */
  record Steps(int identical, int total, int firstDiverging) {
    static Steps of(float[] java, float[] python) {
      int same = 0;
      int first = 0;
      for (int i = 0; i < java.length; i++) {
        if (Float.floatToIntBits(java[i]) == Float.floatToIntBits(python[i])) {
          same++;
        } else if (first == 0) {
          first = i + 1;
        }
      }
      return new Steps(same, java.length, first);
    }

    String describe() {
      return identical + " of " + total + " steps bit-identical, "
          + (firstDiverging == 0 ? "none diverges" : "first diverging step " + firstDiverging);
    }
  }

  /** The loss row, plus {@code details.lossSteps}; returns the step counts. */
  static Steps losses(ParityReport rep, PythonGradients.Mode mode, int steps, float[] java, float[] python) {
    Compare.Diff d = Compare.diff(java, python);
    Steps s = Steps.of(java, python);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("bitIdentical", s.identical());
    detail.put("total", s.total());
    detail.put("firstDivergingStep", s.firstDiverging());
    detail.put("bitIdenticalFromStart", s.firstDiverging() == 0 ? s.total() : s.firstDiverging() - 1);
    rep.details.put("lossSteps", detail);
    rep.details.put("lossStepsBitIdenticalFromStart", detail.get("bitIdenticalFromStart"));
    String measured = d.bitIdentical() ? "bit-identical at every step (" + s.describe() + ")"
        : String.format("max rel %.3g, max abs %.3g; %s", d.maxRel(), d.maxAbs(), s.describe());
    if (mode == PythonGradients.Mode.PYTHON) {
      rep.check("loss over " + steps + " steps", measured, "bit-identical at every step", d.bitIdentical());
    } else {
      rep.check("loss over " + steps + " steps", measured, "max rel <= 1e-5", d.maxRel() <= TF_MAX_LOSS_REL);
    }
    return s;
  }

  /** The final-variables row. */
  static void finalVariables(ParityReport rep, PythonGradients.Mode mode, int steps, Compare.Diff d) {
    bitOrWithin(rep, mode, "final model variables after " + steps + " steps", d, TF_MAX_FINAL_VARIABLE_ABS);
  }

  /** The test-logits row. */
  static void testLogits(ParityReport rep, PythonGradients.Mode mode, String name, Compare.Diff d) {
    bitOrWithin(rep, mode, name, d, TF_MAX_TEST_LOGIT_ABS);
  }

  private static void bitOrWithin(ParityReport rep, PythonGradients.Mode mode, String name, Compare.Diff d,
      double tfMaxAbs) {
    if (mode == PythonGradients.Mode.PYTHON) {
      rep.check(name, d.describe(), "bit-identical", d.bitIdentical());
    } else {
      rep.check(name, d.describe(), String.format("max abs <= %.0e", tfMaxAbs), d.maxAbs() <= tfMaxAbs);
    }
  }
}
