package org.rnnport.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Batcher;
import org.rnnport.data.Mnist;
import org.rnnport.models.MnistLstm;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.PythonGradients;
import org.rnnport.nn.SeedSource;

/**
 * Both gradient modes train the same model from the same weights on the same batches: the forward pass
 * is the same graph (the first loss is bit-identical), the two summation orders then part in the last
 * bits only, and each mode repeats itself bit for bit. (Which one is Python's is the parity tests' claim.)
 */
class GradientModesTest {

  private static float[] run(NotebookModel model, PythonGradients.Mode mode, int steps) {
    Mnist mnist = TestData.mnist();
    float[] losses = new float[steps];
    try (Trainer t = new Trainer(model, SeedSource.tf1GraphSeed(3), 0.001f, 0, null, mode)) {
      t.initialize();
      Batcher b = new Batcher(mnist.train(), 128, BatchOrder.SEQUENTIAL, 3);
      for (int i = 0; i < steps; i++) {
        b.next();
        losses[i] = t.step(b.x(), b.y(), 128);
      }
    }
    return losses;
  }

  @Test
  void pythonAndTfGradientsTrainTheSameModel() {
    NotebookModel model = new MnistLstm(); // static_rnn: AddN in Python's order vs the C++ builder's
    int steps = 20;
    float[] python = run(model, PythonGradients.Mode.PYTHON, steps);
    float[] tf = run(model, PythonGradients.Mode.TF, steps);
    assertThat(Float.floatToIntBits(python[0])).isEqualTo(Float.floatToIntBits(tf[0]));
    int differing = 0;
    for (int i = 0; i < steps; i++) {
      assertThat((double) Math.abs(python[i] - tf[i])).as("step %d", i).isLessThanOrEqualTo(1e-5 * Math.abs(tf[i]));
      if (Float.floatToIntBits(python[i]) != Float.floatToIntBits(tf[i])) {
        differing++;
      }
    }
    assertThat(differing).as("the summation orders differ, so some later loss differs in its last bits").isPositive();
    assertThat(python[steps - 1]).isLessThan(python[0]);
    float[] again = run(model, PythonGradients.Mode.PYTHON, steps);
    for (int i = 0; i < steps; i++) {
      assertThat(Float.floatToIntBits(again[i])).as("python mode repeats, step %d", i)
          .isEqualTo(Float.floatToIntBits(python[i]));
    }
  }
}
