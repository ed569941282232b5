package org.rnnport.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SimpleRnnWeightsTest {

  @Test
  void hasKerasShapesInitializersAndRecurrence() {
    try (SimpleRnnWeights rnn = new SimpleRnnWeights(1)) {
      Map<String, float[]> w = rnn.weights();
      assertThat(w.keySet()).containsExactly("simple_rnn/simple_rnn_cell/kernel",
          "simple_rnn/simple_rnn_cell/recurrent_kernel", "simple_rnn/simple_rnn_cell/bias");
      float[] k = w.get("simple_rnn/simple_rnn_cell/kernel");
      float[] r = w.get("simple_rnn/simple_rnn_cell/recurrent_kernel");
      float[] b = w.get("simple_rnn/simple_rnn_cell/bias");
      assertThat(k).hasSize(10);
      float limit = (float) Math.sqrt(6.0 / (5 + 2));
      for (float v : k) {
        assertThat(v).isBetween(-limit, limit);
      }
      // orthogonal: R R^T = I
      assertThat(r[0] * r[0] + r[1] * r[1]).isCloseTo(1f, within(1e-5f));
      assertThat(r[2] * r[2] + r[3] * r[3]).isCloseTo(1f, within(1e-5f));
      assertThat(r[0] * r[2] + r[1] * r[3]).isCloseTo(0f, within(1e-5f));
      assertThat(b).containsOnly(0f);

      float[][][] x = {{{1, 2, 3, 4, 5}, {-1, 0, 1, 0, -1}, {0.5f, 0.5f, 0.5f, 0.5f, 0.5f}}};
      float[][][] y = rnn.run(x);
      double[] h = new double[2];
      for (int t = 0; t < 3; t++) {
        double[] nh = new double[2];
        for (int u = 0; u < 2; u++) {
          double z = b[u];
          for (int i = 0; i < 5; i++) {
            z += x[0][t][i] * k[i * 2 + u];
          }
          for (int j = 0; j < 2; j++) {
            z += h[j] * r[j * 2 + u];
          }
          nh[u] = Math.tanh(z);
          assertThat((double) y[0][t][u]).as("h[%d][%d]", t, u).isCloseTo(nh[u], within(1e-5));
        }
        h = nh;
      }
    }
    try (SimpleRnnWeights a = new SimpleRnnWeights(7); SimpleRnnWeights c = new SimpleRnnWeights(7)) {
      assertThat(a.weights().get("simple_rnn/simple_rnn_cell/kernel"))
          .containsExactly(c.weights().get("simple_rnn/simple_rnn_cell/kernel"));
    }
  }
}
