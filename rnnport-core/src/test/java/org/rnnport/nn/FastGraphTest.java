package org.rnnport.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Batcher;
import org.rnnport.data.Mnist;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceBatches;
import org.rnnport.models.MnistLstm;
import org.rnnport.models.MnistLstmState;
import org.rnnport.models.MnistRnn;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.ReutersLstm;
import org.rnnport.train.Trainer;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * {@code --graph fast} trains the same model as the faithful graph: from the same initial weights (the same
 * variables, created by the same initializers) and the same batches, every loss and every variable after the
 * steps agree within a relative tolerance, for every notebook model and every cell variant.
 *
 * <p>A variable is compared as a whole, {@code ||fast - faithful|| / ||faithful||} (L2): Adam's first steps
 * move a weight by {@code lr * g / (|g| + ε')}, so a weight whose gradient is near zero (a sum that cancels)
 * moves by a fraction of lr that the last bits of that sum decide; element by element, the two graphs (which
 * sum in different orders) can then differ by 1e-5 of lr on a few weights, which says nothing about the model.
 */
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
class FastGraphTest {
  static final double TOL = 1e-5;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of(new MnistRnn(), 100),
        Arguments.of(new MnistLstm(), 100),
        Arguments.of(new MnistLstmState(false), 100),
        Arguments.of(new MnistLstmState(true), 100),
        Arguments.of(new ReutersLstm(), 30),
        Arguments.of(new MnistRnn(new RnnSpec("gru", 64, 1, false)), 50),
        Arguments.of(new MnistRnn(new RnnSpec("lstm", 32, 2, true)), 50),
        Arguments.of(new MnistLstm(new RnnSpec("rnn", 48, 2, false)), 50),
        Arguments.of(new MnistLstm(new RnnSpec("gru", 32, 1, true)), 50),
        Arguments.of(new MnistLstmState(false, new RnnSpec("rnn", 32, 1, true)), 50));
  }

  record Run(float[] losses, Map<String, float[]> vars) {}

  static Run run(NotebookModel m, GraphKind kind, int steps) throws Exception {
    return run(m, kind, steps, 5);
  }

  static Run run(NotebookModel m, GraphKind kind, int steps, long seed) throws Exception {
    return run(m, kind, steps, seed, PythonGradients.Mode.TF);
  }

  static Run runMode(NotebookModel m, int steps, long seed, PythonGradients.Mode mode) throws Exception {
    return run(m, GraphKind.FAITHFUL, steps, seed, mode);
  }

  static Run run(NotebookModel m, GraphKind kind, int steps, long seed, PythonGradients.Mode mode) throws Exception {
    float[] losses = new float[steps];
    try (Trainer t = new Trainer(m, SeedSource.tf1GraphSeed(seed), m.defaults().learningRate(), 0, null,
        mode, kind)) {
      t.initialize();
      if (m instanceof ReutersLstm) {
        SequenceBatches b = new SequenceBatches(Reuters.notebook(TestData.ensure("reuters")).train(), 100,
            BatchOrder.SEQUENTIAL, 5);
        for (int i = 0; i < steps; i++) {
          if (i % b.batchesPerPass() == 0) {
            b.startEpoch();
          }
          b.next();
          try (Tensor x = b.x(t.inputDims()); TFloat32 y = b.oneHot()) {
            losses[i] = t.runBatch(x, y, true).loss();
          }
        }
      } else {
        Mnist mnist = TestData.mnist();
        int bs = m.defaults().batchSize();
        Batcher b = new Batcher(mnist.train(), bs, BatchOrder.SEQUENTIAL, 5);
        for (int i = 0; i < steps; i++) {
          b.next();
          losses[i] = t.step(b.x(), b.y(), bs);
        }
      }
      return new Run(losses, t.values(t.modelGraph().modelVariables()));
    }
  }

  /** {@code ||b - a|| / ||a||}. */
  static double relative(float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int k = 0; k < a.length; k++) {
      diff += ((double) a[k] - b[k]) * ((double) a[k] - b[k]);
      norm += (double) a[k] * a[k];
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void fastTrainsTheSameModel(NotebookModel m, int steps) throws Exception {
    Run faithful = run(m, GraphKind.FAITHFUL, steps);
    Run fast = run(m, GraphKind.FAST, steps);
    double worstLoss = 0;
    for (int i = 0; i < steps; i++) {
      double rel = Math.abs(fast.losses[i] - faithful.losses[i]) / Math.abs(faithful.losses[i]);
      worstLoss = Math.max(worstLoss, rel);
    }
    List<String> report = new ArrayList<>();
    double worstVar = 0;
    for (var e : faithful.vars.entrySet()) {
      float[] a = e.getValue();
      float[] b = fast.vars.get(e.getKey());
      assertThat(b).as("variable %s in the fast graph", e.getKey()).isNotNull().hasSameSizeAs(a);
      double rel = relative(a, b);
      report.add(String.format("%s %.2e", e.getKey(), rel));
      worstVar = Math.max(worstVar, rel);
    }
    System.out.printf("%s: %d steps, worst loss rel %.2e, worst variable rel %.2e; %s%n", m.name(), steps, worstLoss,
        worstVar, report);
    assertThat(fast.vars.keySet()).isEqualTo(faithful.vars.keySet());
    assertThat(worstLoss).as("worst relative loss difference").isLessThanOrEqualTo(TOL);
    assertThat(worstVar).as("worst relative variable difference (||fast - faithful|| / ||faithful|| per variable)")
        .isLessThanOrEqualTo(TOL);
  }
}
