package org.rnnport.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@link PythonGradients}: the summation order read from the oracle's graphs, and a real TensorFlow graph
 * whose shared variable is read at 10 "time steps", with per-step gradients chosen so that every order of
 * summation gives other bits: the gradient must equal, bit for bit, Python's order re-done in plain Java.
 */
class PythonGradientsTest {

  @org.junit.jupiter.api.Test
  void ordersAreTheOraclesGraphs() {
    // dynamic_rnn: the backward While loop adds the last step first
    assertThat(PythonGradients.pythonOrder(4, PythonGradients.Aggregation.WHILE_LOOP)).containsExactly(3, 2, 1, 0);
    // static_rnn: AddN's inputs as Grappler sorts them in the oracle's partition graph (mnist-lstm, 28 steps):
    // MatMul_10_grad ... MatMul_19_grad, MatMul_1_grad, MatMul_20_grad ... MatMul_27_grad, MatMul_2_grad ...
    // MatMul_9_grad, MatMul_grad (step 0)
    List<Integer> expected = new ArrayList<>();
    for (int k = 10; k <= 19; k++) {
      expected.add(k);
    }
    expected.add(1);
    for (int k = 20; k <= 27; k++) {
      expected.add(k);
    }
    for (int k = 2; k <= 9; k++) {
      expected.add(k);
    }
    expected.add(0);
    assertThat(PythonGradients.pythonOrder(28, PythonGradients.Aggregation.ADD_N_REVERSED)).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(PythonGradients.Aggregation.class)
  void sharedVariableGradientIsSummedInPythonsOrder(PythonGradients.Aggregation aggregation) {
    int steps = 10;
    // step t's gradient of w (shape [1]) is c[t]: loss = sum_t c[t] * w_t, w_t the step's own read of w
    float[] c = {1f, 1e8f, -1e8f, 0.3f, 0.7f, 3.1f, 0.01f, 2.5f, -1.3f, 0.9f};
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      PythonGradients.Uses[] uses = new PythonGradients.Uses[1];
      Output<?>[] grads = PythonGradients.building(PythonGradients.Mode.PYTHON, () -> {
        Tf1Variables vars = new Tf1Variables(tf);
        Tf1Variable w = vars.create("w", Shape.of(1), tf.constant(new float[] {2f}));
        if (aggregation == PythonGradients.Aggregation.WHILE_LOOP) {
          PythonGradients.dynamicRnn(vars);
        }
        org.tensorflow.Operand<TFloat32> loss = tf.constant(0f);
        for (int t = 0; t < steps; t++) {
          loss = tf.math.add(loss, tf.sum(tf.math.mul(vars.use(w, tf), tf.constant(new float[] {c[t]})),
              tf.constant(0)));
        }
        uses[0] = vars.uses();
        Output<?>[] out = PythonGradients.gradients(vars, loss, List.of(w));
        return out;
      });
      assertThat(uses[0]).isNotNull();
      float expected = reference(c, aggregation);
      try (Session s = new Session(g, PythonGradients.configure(org.rnnport.train.Devices.config(0),
          PythonGradients.Mode.PYTHON))) {
        s.runner().addTarget("w/Assign").run().close();
        try (Result r = s.runner().fetch(grads[0]).run()) {
          float got = ((TFloat32) r.get(0)).getFloat(0);
          assertThat(Float.floatToIntBits(got)).as("%s: got %s, Python's order gives %s", aggregation, got, expected)
              .isEqualTo(Float.floatToIntBits(expected));
        }
      }
    }
    // the orders really differ: another order would give other bits
    assertThat(reference(c, PythonGradients.Aggregation.WHILE_LOOP))
        .isNotEqualTo(reference(c, PythonGradients.Aggregation.ADD_N_REVERSED));
  }

  /** Python's sum in plain Java float arithmetic: the chain from zero, or TF's AddN kernel (blocks of 8). */
  private static float reference(float[] c, PythonGradients.Aggregation a) {
    List<Integer> order = PythonGradients.pythonOrder(c.length, a);
    float[] in = new float[c.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = c[order.get(i)];
    }
    if (a == PythonGradients.Aggregation.WHILE_LOOP) {
      float acc = 0f;
      for (float x : in) {
        acc = acc + x;
      }
      return acc;
    }
    // tensorflow/core/kernels/aggregate_ops.h: the first num % 8 inputs (8 or 9 when that is 0 or 1) summed
    // left to right, then out += (in[r] + ... + in[r+7]) for each further block of 8
    int n = in.length;
    int r = n % 8;
    if (r == 0) {
      r = 8;
    } else if (r == 1) {
      r = 9;
    }
    float out = in[0];
    for (int i = 1; i < r; i++) {
      out = out + in[i];
    }
    for (; r < n; r += 8) {
      float block = in[r];
      for (int i = r + 1; i < r + 8; i++) {
        block = block + in[i];
      }
      out = out + block;
    }
    return out;
  }
}
