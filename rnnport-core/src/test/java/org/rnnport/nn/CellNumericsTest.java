package org.rnnport.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The recurrent cells, unrolled by {@link StaticRnn} as the models unroll them, against the cell
 * equations recomputed in plain Java (double) over a few time steps: every step's output and the
 * final state, elementwise. The variables get known pseudo-random values (assigned into the TF1
 * variables after their own initializers ran), the input is a fed placeholder; batch 2-3, input
 * 3-5, units 2-4, 3-4 steps.
 *
 * <p>Also checked: the TF1/Keras variable names and shapes, the initial values of the biases (GRU
 * gates 1.0, Keras unit_forget_bias, zeros elsewhere) and, as a gradient sanity check, the graph's
 * gradient of {@code Σ_t Σ R_t⊙output_t} w.r.t. every variable against central differences of the
 * plain-Java forward pass.
 *
 * <p>Tolerances, float32 graph against the double reference fed the same float32 weights and inputs:
 * forward {@code |a-e| <= 1e-6·|e| + 1e-6} (observed worst: 7% of that bound, i.e. ≲ 1.5e-7);
 * gradients {@code |a-e| <= 1e-5·|e| + 1e-6·max|e|} over each variable (central differences with step
 * 1e-6 in double are good to ~1e-9; observed worst: 15% of the bound, the float32 backward pass).
 */
class CellNumericsTest {

  static final double RTOL = 1e-6;
  static final double ATOL = 1e-6;
  static final double GRAD_RTOL = 1e-5;
  static final double GRAD_ATOL_OF_MAX = 1e-6;

  /** Per-step outputs and the final state, each {@code [batch][units]}. */
  record Run(List<double[][]> outputs, List<double[][]> state) {}

  /** The cell's equations in plain Java: weights by variable name, input {@code x[t][batch][depth]}. */
  interface Reference {
    Run run(Map<String, double[]> w, double[][][] x);
  }

  /** The graph side: per-step outputs and the final state of the layer over {@code steps}. */
  record Built(List<Operand<TFloat32>> outputs, List<Operand<TFloat32>> state) {}

  /**
   * One cell under test.
   *
   * @param vars expected variable names and shapes, in creation order
   * @param initialBiases exact initial values expected of some variables (from their initializers)
   */
  record Case(String label, int batch, int input, int steps, Function<Graphs, Built> build,
      Map<String, long[]> vars, Map<String, float[]> initialBiases, Reference ref) {
    @Override
    public String toString() {
      return label;
    }
  }

  /** What a case builds on. */
  record Graphs(Ops tf, Tf1Variables vars, List<Operand<TFloat32>> steps, long depth) {}

  // ---------------------------------------------------------------------------------------------
  // plain-Java algebra

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** {@code a @ k + b}: a {@code [batch][rows]}, k row-major {@code [rows, cols]}, b {@code [cols]} (or null). */
  static double[][] affine(double[][] a, double[] k, int cols, double[] b) {
    int rows = a[0].length;
    assertThat(k).hasSize(rows * cols);
    double[][] out = new double[a.length][cols];
    for (int n = 0; n < a.length; n++) {
      for (int c = 0; c < cols; c++) {
        double s = b == null ? 0 : b[c];
        for (int r = 0; r < rows; r++) {
          s += a[n][r] * k[r * cols + c];
        }
        out[n][c] = s;
      }
    }
    return out;
  }

  static double[][] concat(double[][] a, double[][] b) {
    double[][] out = new double[a.length][];
    for (int n = 0; n < a.length; n++) {
      out[n] = new double[a[n].length + b[n].length];
      System.arraycopy(a[n], 0, out[n], 0, a[n].length);
      System.arraycopy(b[n], 0, out[n], a[n].length, b[n].length);
    }
    return out;
  }

  /** Columns {@code [k*units, (k+1)*units)} of z. */
  static double[][] part(double[][] z, int k, int units) {
    double[][] out = new double[z.length][units];
    for (int n = 0; n < z.length; n++) {
      System.arraycopy(z[n], k * units, out[n], 0, units);
    }
    return out;
  }

  static double[][] zeros(int batch, int units) {
    return new double[batch][units];
  }

  // ---------------------------------------------------------------------------------------------
  // the cells' equations (NOTEBOOKS.md; TF1 rnn_cell_impl.py; tf-keras 2.18 lstm.py standard_lstm)

  /** BasicRNNCell: {@code h' = tanh([x, h] @ kernel + bias)}. */
  static List<double[][]> basicRnnStep(double[] kernel, double[] bias, int units, double[][] x, List<double[][]> s) {
    double[][] z = affine(concat(x, s.get(0)), kernel, units, bias);
    double[][] h = new double[z.length][units];
    for (int n = 0; n < z.length; n++) {
      for (int u = 0; u < units; u++) {
        h[n][u] = Math.tanh(z[n][u]);
      }
    }
    return List.<double[][]>of(h);
  }

  /** BasicLSTMCell: i, j, f, o; {@code c' = c·σ(f + fb) + σ(i)·tanh(j)}, {@code h' = tanh(c')·σ(o)}; state (c, h). */
  static List<double[][]> basicLstmStep(double[] kernel, double[] bias, int units, double forgetBias, double[][] x,
      List<double[][]> s) {
    double[][] c = s.get(0);
    double[][] h = s.get(1);
    double[][] z = affine(concat(x, h), kernel, 4 * units, bias);
    double[][] nc = new double[z.length][units];
    double[][] nh = new double[z.length][units];
    for (int n = 0; n < z.length; n++) {
      for (int u = 0; u < units; u++) {
        double i = z[n][u];
        double j = z[n][units + u];
        double f = z[n][2 * units + u];
        double o = z[n][3 * units + u];
        nc[n][u] = c[n][u] * sigmoid(f + forgetBias) + sigmoid(i) * Math.tanh(j);
        nh[n][u] = Math.tanh(nc[n][u]) * sigmoid(o);
      }
    }
    return List.of(nc, nh);
  }

  /** GRUCell: {@code r, u = σ([x, h] @ Wg + bg)}, {@code c = tanh([x, r⊙h] @ Wc + bc)}, {@code h' = u⊙h + (1-u)⊙c}. */
  static List<double[][]> gruStep(double[] gk, double[] gb, double[] ck, double[] cb, int units, double[][] x,
      List<double[][]> s) {
    double[][] h = s.get(0);
    double[][] gates = affine(concat(x, h), gk, 2 * units, gb);
    double[][] rh = new double[h.length][units];
    double[][] u = new double[h.length][units];
    for (int n = 0; n < h.length; n++) {
      for (int k = 0; k < units; k++) {
        rh[n][k] = sigmoid(gates[n][k]) * h[n][k];
        u[n][k] = sigmoid(gates[n][units + k]);
      }
    }
    double[][] cand = affine(concat(x, rh), ck, units, cb);
    double[][] nh = new double[h.length][units];
    for (int n = 0; n < h.length; n++) {
      for (int k = 0; k < units; k++) {
        nh[n][k] = u[n][k] * h[n][k] + (1 - u[n][k]) * Math.tanh(cand[n][k]);
      }
    }
    return List.<double[][]>of(nh);
  }

  /**
   * Keras LSTM (tf-keras 2.18 standard_lstm; recurrent_activation sigmoid, activation tanh):
   * {@code z = x@K + h@R + b} split i, f, c, o; {@code c' = σ(f)c + σ(i)tanh(z_c)}, {@code h' = σ(o)tanh(c')};
   * state (h, c).
   */
  static List<double[][]> kerasLstmStep(double[] k, double[] rk, double[] b, int units, double[][] x,
      List<double[][]> s) {
    double[][] h = s.get(0);
    double[][] c = s.get(1);
    double[][] zx = affine(x, k, 4 * units, b);
    double[][] zh = affine(h, rk, 4 * units, null);
    double[][] nc = new double[h.length][units];
    double[][] nh = new double[h.length][units];
    for (int n = 0; n < h.length; n++) {
      for (int u = 0; u < units; u++) {
        double[] z = new double[4];
        for (int q = 0; q < 4; q++) {
          z[q] = zx[n][q * units + u] + zh[n][q * units + u];
        }
        nc[n][u] = sigmoid(z[1]) * c[n][u] + sigmoid(z[0]) * Math.tanh(z[2]);
        nh[n][u] = sigmoid(z[3]) * Math.tanh(nc[n][u]);
      }
    }
    return List.of(nh, nc);
  }

  interface Step {
    List<double[][]> apply(double[][] x, List<double[][]> state);
  }

  /** A static unroll from {@code initial}: outputs are the last state element named by {@code out}. */
  static Run unroll(double[][][] x, List<double[][]> initial, int outIndex, Step step) {
    List<double[][]> outs = new ArrayList<>();
    List<double[][]> s = initial;
    for (double[][] xt : x) {
      s = step.apply(xt, s);
      outs.add(s.get(outIndex));
    }
    return new Run(outs, s);
  }

  // ---------------------------------------------------------------------------------------------
  // the cases

  static Built unrolled(Graphs g, RnnCell cell, String scope) {
    StaticRnn.Result r = StaticRnn.unroll(scope, cell, g.steps(), g.depth(), g.vars(), SeedSource.tf1GraphSeed(7));
    return new Built(r.outputs(), r.finalState());
  }

  static Case basicRnn() {
    int units = 3;
    String p = "rnn/basic_rnn_cell/";
    return new Case("BasicRNNCell(3)", 3, 4, 4, g -> unrolled(g, new BasicRnnCell(units), "rnn"),
        vars(p + "kernel", new long[] {4 + units, units}, p + "bias", new long[] {units}),
        Map.of(p + "bias", new float[units]),
        (w, x) -> unroll(x, List.<double[][]>of(zeros(x[0].length, units)), 0,
            (xt, s) -> basicRnnStep(w.get(p + "kernel"), w.get(p + "bias"), units, xt, s)));
  }

  static Case basicLstm(float forgetBias) {
    int units = 4;
    String p = "rnn/basic_lstm_cell/";
    return new Case("BasicLSTMCell(4, forget_bias=" + forgetBias + ")", 2, 3, 3,
        g -> unrolled(g, new BasicLstmCell(units, forgetBias), "rnn"),
        vars(p + "kernel", new long[] {3 + units, 4 * units}, p + "bias", new long[] {4 * units}),
        Map.of(p + "bias", new float[4 * units]),
        (w, x) -> unroll(x, List.of(zeros(x[0].length, units), zeros(x[0].length, units)), 1,
            (xt, s) -> basicLstmStep(w.get(p + "kernel"), w.get(p + "bias"), units, forgetBias, xt, s)));
  }

  static Case gru() {
    int units = 2;
    String p = "rnn/gru_cell/";
    return new Case("GRUCell(2)", 3, 5, 4, g -> unrolled(g, new GruCell(units), "rnn"),
        vars(p + "gates/kernel", new long[] {5 + units, 2 * units}, p + "gates/bias", new long[] {2 * units},
            p + "candidate/kernel", new long[] {5 + units, units}, p + "candidate/bias", new long[] {units}),
        Map.of(p + "gates/bias", new float[] {1f, 1f, 1f, 1f}, p + "candidate/bias", new float[units]),
        (w, x) -> unroll(x, List.<double[][]>of(zeros(x[0].length, units)), 0,
            (xt, s) -> gruStep(w.get(p + "gates/kernel"), w.get(p + "gates/bias"), w.get(p + "candidate/kernel"),
                w.get(p + "candidate/bias"), units, xt, s)));
  }

  static Case kerasLstm() {
    int units = 3;
    String p = "lstm/lstm_cell/";
    return new Case("Keras LSTM(3)", 2, 4, 3, g -> unrolled(g, new KerasLstmCell(units), "lstm"),
        vars(p + "kernel", new long[] {4, 4 * units}, p + "recurrent_kernel", new long[] {units, 4 * units},
            p + "bias", new long[] {4 * units}),
        Map.of(p + "bias", new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}),
        (w, x) -> unroll(x, List.of(zeros(x[0].length, units), zeros(x[0].length, units)), 0,
            (xt, s) -> kerasLstmStep(w.get(p + "kernel"), w.get(p + "recurrent_kernel"), w.get(p + "bias"), units,
                xt, s)));
  }

  /**
   * MultiRNNCell([BasicLSTMCell(3), GRUCell(3)]): cell 1 reads cell 0's h; state (c0, h0, h1). Equal
   * units on purpose: {@link RnnCell#zeroState}'s default, which MultiRnnCell inherits, makes every
   * state tensor {@code [batch, units()]} with the last cell's units, so a stack of unequal widths
   * does not build (RnnSpec only stacks equal cells).
   */
  static Case multi() {
    String p0 = "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/";
    String p1 = "rnn/multi_rnn_cell/cell_1/gru_cell/";
    return new Case("MultiRNNCell(BasicLSTMCell(3), GRUCell(3))", 2, 4, 3,
        g -> unrolled(g, new MultiRnnCell(List.of(new BasicLstmCell(3, 1f), new GruCell(3))), "rnn"),
        vars(p0 + "kernel", new long[] {4 + 3, 12}, p0 + "bias", new long[] {12},
            p1 + "gates/kernel", new long[] {3 + 3, 6}, p1 + "gates/bias", new long[] {6},
            p1 + "candidate/kernel", new long[] {3 + 3, 3}, p1 + "candidate/bias", new long[] {3}),
        Map.of(p0 + "bias", new float[12], p1 + "gates/bias", new float[] {1, 1, 1, 1, 1, 1},
            p1 + "candidate/bias", new float[3]),
        (w, x) -> {
          int b = x[0].length;
          return unroll(x, List.of(zeros(b, 3), zeros(b, 3), zeros(b, 3)), 2, (xt, s) -> {
            List<double[][]> s0 = basicLstmStep(w.get(p0 + "kernel"), w.get(p0 + "bias"), 3, 1.0, xt, s.subList(0, 2));
            List<double[][]> s1 = gruStep(w.get(p1 + "gates/kernel"), w.get(p1 + "gates/bias"),
                w.get(p1 + "candidate/kernel"), w.get(p1 + "candidate/bias"), 3, s0.get(1), s.subList(2, 3));
            return List.of(s0.get(0), s0.get(1), s1.get(0));
          });
        });
  }

  /**
   * RnnSpec("gru", 2, 1, bidirectional) through {@link StaticRnn#layer}: forward GRU over x, backward
   * GRU (own weights) over x reversed; output_t = [fw_t, bw_(T-1-t)], final h = [fw final, bw final].
   */
  static Case bidirectionalGru() {
    int units = 2;
    String f = "bidirectional_rnn/fw/gru_cell/";
    String b = "bidirectional_rnn/bw/gru_cell/";
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String p : List.of(f, b)) {
      shapes.put(p + "gates/kernel", new long[] {3 + units, 2 * units});
      shapes.put(p + "gates/bias", new long[] {2 * units});
      shapes.put(p + "candidate/kernel", new long[] {3 + units, units});
      shapes.put(p + "candidate/bias", new long[] {units});
    }
    return new Case("bidirectional GRUCell(2)", 2, 3, 4,
        g -> {
          StaticRnn.Bidi r = StaticRnn.layer(new RnnSpec("gru", units, 1, true), g.steps(), g.depth(), g.vars(),
              SeedSource.tf1GraphSeed(7));
          return new Built(r.outputs(), List.of(r.finalH()));
        },
        shapes, Map.of(f + "gates/bias", new float[] {1, 1, 1, 1}, b + "gates/bias", new float[] {1, 1, 1, 1}),
        (w, x) -> {
          int n = x[0].length;
          int steps = x.length;
          Step fw = (xt, s) -> gruStep(w.get(f + "gates/kernel"), w.get(f + "gates/bias"), w.get(f + "candidate/kernel"),
              w.get(f + "candidate/bias"), units, xt, s);
          Step bw = (xt, s) -> gruStep(w.get(b + "gates/kernel"), w.get(b + "gates/bias"), w.get(b + "candidate/kernel"),
              w.get(b + "candidate/bias"), units, xt, s);
          double[][][] rev = new double[steps][][];
          for (int t = 0; t < steps; t++) {
            rev[t] = x[steps - 1 - t];
          }
          Run rf = unroll(x, List.<double[][]>of(zeros(n, units)), 0, fw);
          Run rb = unroll(rev, List.<double[][]>of(zeros(n, units)), 0, bw);
          List<double[][]> outs = new ArrayList<>();
          for (int t = 0; t < steps; t++) {
            outs.add(concat(rf.outputs().get(t), rb.outputs().get(steps - 1 - t)));
          }
          return new Run(outs, List.<double[][]>of(concat(rf.state().get(0), rb.state().get(0))));
        });
  }

  static Map<String, long[]> vars(Object... nameShape) {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (int i = 0; i < nameShape.length; i += 2) {
      m.put((String) nameShape[i], (long[]) nameShape[i + 1]);
    }
    return m;
  }

  static Stream<Arguments> cases() {
    return Stream.of(basicRnn(), basicLstm(1.0f), basicLstm(0.5f), gru(), kerasLstm(), multi(), bidirectionalGru())
        .map(Arguments::of);
  }

  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesItsEquationsStepByStep(Case c) {
    SplittableRandom rnd = new SplittableRandom(20240607L + c.label().hashCode());
    int steps = c.steps();
    float[] xFlat = Numerics.uniform(rnd, c.batch() * steps * c.input(), 1.0);
    double[][][] x = new double[steps][c.batch()][c.input()]; // time-major for the reference
    for (int n = 0; n < c.batch(); n++) {
      for (int t = 0; t < steps; t++) {
        for (int i = 0; i < c.input(); i++) {
          x[t][n][i] = xFlat[(n * steps + t) * c.input() + i];
        }
      }
    }

    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Tf1Variables vars = new Tf1Variables(tf);
      Placeholder<TFloat32> xIn = tf.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, steps, c.input())));
      Built built = c.build().apply(new Graphs(tf, vars, StaticRnn.unstackTime(tf, xIn, steps), c.input()));

      // names and shapes as TF1 / Keras make them
      Map<String, long[]> actualVars = new LinkedHashMap<>();
      vars.all().forEach(v -> actualVars.put(v.name(), v.shape().asArray()));
      assertThat(actualVars.keySet()).as("variables").containsExactlyElementsOf(c.vars().keySet());
      c.vars().forEach((n, shape) -> assertThat(actualVars.get(n)).as(n + " shape").containsExactly(shape));

      // the initializers' biases, then known pseudo-random weights assigned over everything
      Numerics.initialize(s, vars);
      try (Result r = Numerics.fetch(s, vars.all().stream().map(Tf1Variable::read).toList())) {
        for (int i = 0; i < vars.all().size(); i++) {
          float[] expected = c.initialBiases().get(vars.all().get(i).name());
          if (expected != null) {
            assertThat(Numerics.values((TFloat32) r.get(i))).as(vars.all().get(i).name() + " initial")
                .containsExactly(expected);
          }
        }
      }
      Map<String, float[]> weights = new LinkedHashMap<>();
      Session.Runner assign = s.runner();
      for (Tf1Variable v : vars.all()) {
        float[] w = Numerics.uniform(rnd, (int) v.shape().size(), 0.8);
        weights.put(v.name(), w);
        assign.addTarget(tf.assign(v.ref(), Numerics.constant(tf, v.shape(), w)));
      }
      assign.run().close();
      Map<String, double[]> w64 = new LinkedHashMap<>();
      weights.forEach((n, w) -> w64.put(n, Numerics.toDouble(w)));

      // loss for the gradient check: Σ_t Σ R_t ⊙ output_t, R fixed pseudo-random
      int width = (int) built.outputs().get(0).shape().get(1);
      List<float[]> rs = new ArrayList<>();
      Operand<TFloat32> loss = tf.constant(0f);
      for (Operand<TFloat32> out : built.outputs()) {
        float[] rt = Numerics.uniform(rnd, c.batch() * width, 1.0);
        rs.add(rt);
        loss = tf.math.add(loss, tf.sum(tf.math.mul(out, Numerics.constant(tf, Shape.of(c.batch(), width), rt)),
            tf.constant(new int[] {0, 1})));
      }
      Output<?>[] xs = vars.all().stream().map(v -> v.read().asOutput()).toArray(Output<?>[]::new);
      Output<?>[] grads = g.addGradients("check_gradients", new Output<?>[] {loss.asOutput()}, xs, null);

      List<Operand<?>> fetches = new ArrayList<>(built.outputs());
      // the last output is also (part of) the final state: fetch the state through Identity ops
      built.state().forEach(st -> fetches.add(tf.identity(st)));
      fetches.addAll(List.of(grads));
      Session.Runner run = s.runner();
      fetches.forEach(run::fetch);
      try (TFloat32 xt = TFloat32.tensorOf(Shape.of(c.batch(), steps, c.input()),
          org.tensorflow.ndarray.buffer.DataBuffers.of(xFlat, true, false));
          Result res = run.feed(xIn, xt).run()) {
        Run ref = c.ref().run(w64, x);
        assertThat(ref.outputs()).hasSize(built.outputs().size());
        assertThat(ref.state()).hasSize(built.state().size());
        int k = 0;
        for (int t = 0; t < steps; t++) {
          Numerics.assertClose(c + " output t=" + t, Numerics.values((TFloat32) res.get(k++)),
              flat(ref.outputs().get(t)), RTOL, ATOL);
        }
        for (int i = 0; i < built.state().size(); i++) {
          Numerics.assertClose(c + " final state " + i, Numerics.values((TFloat32) res.get(k++)),
              flat(ref.state().get(i)), RTOL, ATOL);
        }
        for (int i = 0; i < xs.length; i++) {
          String name = vars.all().get(i).name();
          double[] fd = centralDifference(c.ref(), w64, name, x, rs);
          double max = 0;
          for (double d : fd) {
            max = Math.max(max, Math.abs(d));
          }
          assertThat(max).as("∂loss/∂" + name + " not all zero").isGreaterThan(1e-3);
          Numerics.assertClose(c + " ∂loss/∂" + name, Numerics.values((TFloat32) res.get(k++)), fd, GRAD_RTOL,
              GRAD_ATOL_OF_MAX * max);
        }
      }
    }
  }

  static double[] flat(double[][] a) {
    return java.util.Arrays.stream(a).flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  static double loss(Run run, List<float[]> rs) {
    double l = 0;
    for (int t = 0; t < rs.size(); t++) {
      double[] o = flat(run.outputs().get(t));
      for (int i = 0; i < o.length; i++) {
        l += rs.get(t)[i] * o[i];
      }
    }
    return l;
  }

  /** ∂loss/∂w[name] by central differences of the double reference, step 1e-6. */
  static double[] centralDifference(Reference ref, Map<String, double[]> w, String name, double[][][] x,
      List<float[]> rs) {
    double h = 1e-6;
    double[] p = w.get(name);
    double[] g = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      double keep = p[i];
      p[i] = keep + h;
      double up = loss(ref.run(w, x), rs);
      p[i] = keep - h;
      double down = loss(ref.run(w, x), rs);
      p[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }
}
