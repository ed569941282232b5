package org.rnnport.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@link Tf1Adam} against TF1's {@code ApplyAdam} re-derived in plain Java, after each of three
 * steps: the variables, the slots {@code <var>/Adam} (m) and {@code <var>/Adam_1} (v) and the
 * non-slot {@code beta1_power}/{@code beta2_power}, fetched by their TF1 names.
 *
 * <p>The loss has gradients known in closed form, one of them depending on the variable (so every
 * step sees a new gradient) and one tiny (≈ε·sqrt(1/(1-β2))) so that where ε is added matters:
 * <pre>
 *   loss = Σ(½ W⊙W + C⊙W) + Σ b³/3 + Σ D⊙t      ∂W = W + C,  ∂b = b²,  ∂t = D
 * </pre>
 *
 * <p>The reference runs in double: it is the mathematical definition of the update, independent of
 * float32 rounding order, so the test pins the semantics (what is computed, in which order, with
 * which β power) rather than the bits (the parity tests do that against Python). Its inputs are the
 * float32 values the graph starts from, and the hyperparameters as the float32 values the graph
 * holds. One float32 fact is modelled: the β powers are float32 variables, so the reference rounds
 * them to float after each product (1 - β2_power cancels ~10 bits: an unrounded reference would be
 * checking float32's ulp of β2_power, amplified a thousandfold, rather than the semantics). The
 * tolerance is relative, {@value #RTOL}, on every element (no absolute slack: expected zeros must be
 * exact zeros).
 */
class Tf1AdamTest {

  /** float32 against the double reference, three steps (observed worst 3.6e-7 relative, on v). */
  static final double RTOL = 1e-6;

  static final float[] W0 = {0.3f, -0.7f, 1.1f, -0.2f, 0.9f, -1.3f};
  static final float[] C = {0.5f, 0.1f, -0.4f, 0.6f, -0.3f, 0.2f};
  static final float[] B0 = {0.5f, -1.0f, 2.0f};
  static final float[] T0 = {0.1f, -0.2f, 0.3f, 0.4f};
  /** Gradients of the order of ε·sqrt(1/(1-β2)): here sqrt(v) and ε are comparable. */
  static final float[] D = {3e-6f, -1e-6f, 3e-7f, -1e-7f};

  static Stream<Arguments> configs() {
    return Stream.of(
        // what the MNIST models use: tf.compat.v1.train.AdamOptimizer(0.001)
        Arguments.of(Tf1Adam.Config.tf1(0.001f)),
        // non-default everything, large enough steps that any mix-up of β, β power or ε shows
        Arguments.of(new Tf1Adam.Config(0.05f, 0.8f, 0.95f, 1e-6f)));
  }

  /** Plain-Java TF1 Adam: the state of one variable. */
  static final class Ref {
    final String name;
    final double[] var;
    final double[] m;
    final double[] v;

    Ref(String name, float[] init) {
      this.name = name;
      this.var = Numerics.toDouble(init);
      this.m = new double[init.length];
      this.v = new double[init.length];
    }
  }

  static double[] gradW(double[] w) {
    double[] g = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      g[i] = w[i] + C[i];
    }
    return g;
  }

  static double[] gradB(double[] b) {
    double[] g = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      g[i] = b[i] * b[i];
    }
    return g;
  }

  static double[] gradT(double[] t) {
    return Numerics.toDouble(D);
  }

  /** The three variables and the loss above. */
  record Problem(List<Tf1Variable> vars, Operand<TFloat32> loss) {}

  static Problem problem(Tf1Variables vars) {
    Ops tf = vars.ops();
    // two get_variable-style names with a '/', as the cells make them, and one unnamed tf.Variable
    Tf1Variable w = vars.get("layer/kernel", Shape.of(2, 3), o -> Numerics.constant(o, Shape.of(2, 3), W0));
    Tf1Variable b = vars.get("layer/bias", Shape.of(3), o -> Numerics.constant(o, Shape.of(3), B0));
    Tf1Variable t = vars.unnamed(Shape.of(4), Numerics.constant(tf, Shape.of(4), T0));
    Operand<TFloat32> lw = tf.sum(tf.math.add(
        tf.math.mul(tf.constant(0.5f), tf.math.mul(w.read(), w.read())),
        tf.math.mul(Numerics.constant(tf, Shape.of(2, 3), C), w.read())), tf.constant(new int[] {0, 1}));
    Operand<TFloat32> lb = tf.math.div(
        tf.sum(tf.math.mul(b.read(), tf.math.mul(b.read(), b.read())), tf.constant(0)), tf.constant(3f));
    Operand<TFloat32> lt = tf.sum(tf.math.mul(Numerics.constant(tf, Shape.of(4), D), t.read()), tf.constant(0));
    return new Problem(List.of(w, b, t), tf.math.add(tf.math.add(lw, lb), lt));
  }

  /** The closed-form gradient of the loss w.r.t. variable {@code name} at {@code value}. */
  static double[] gradient(String name, double[] value) {
    return switch (name) {
      case "layer/kernel" -> gradW(value);
      case "layer/bias" -> gradB(value);
      case "Variable" -> gradT(value);
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest
  @MethodSource("configs")
  void threeStepsMatchApplyAdamReDerived(Tf1Adam.Config cfg) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Tf1Variables vars = new Tf1Variables(tf);
      Problem p = problem(vars);

      Tf1Adam.Minimized min = Tf1Adam.minimize(vars, p.loss(), p.vars(), cfg);

      // TF1 names of the optimizer's variables, in the order the code creates them
      assertThat(min.slots()).extracting(Tf1Variable::name).containsExactly(
          "layer/kernel/Adam", "layer/kernel/Adam_1", "layer/bias/Adam", "layer/bias/Adam_1",
          "Variable/Adam", "Variable/Adam_1", "beta1_power", "beta2_power");

      Numerics.initialize(s, vars);

      List<Ref> refs = List.of(new Ref("layer/kernel", W0), new Ref("layer/bias", B0), new Ref("Variable", T0));
      double beta1 = cfg.beta1();
      double beta2 = cfg.beta2();
      double lr = cfg.learningRate();
      double eps = cfg.epsilon();
      double b1p = beta1;
      double b2p = beta2;

      // before any step: initial values, zero slots, β powers at β, and the graph's gradients
      compare(s, refs, b1p, b2p, "initial");
      try (Result gr = Numerics.fetch(s, min.gradients())) {
        for (int i = 0; i < refs.size(); i++) {
          Ref ref = refs.get(i);
          Numerics.assertClose("∂loss/∂" + ref.name, Numerics.values((TFloat32) gr.get(i)),
              gradient(ref.name, ref.var), RTOL, 0);
        }
      }

      for (int step = 1; step <= 3; step++) {
        s.runner().addTarget(min.trainOp()).run().close();

        // ApplyAdam with the β powers as they are *before* this step's update
        double lrT = lr * Math.sqrt(1 - b2p) / (1 - b1p);
        for (Ref ref : refs) {
          double[] grad = gradient(ref.name, ref.var);
          for (int i = 0; i < grad.length; i++) {
            ref.m[i] = beta1 * ref.m[i] + (1 - beta1) * grad[i];
            ref.v[i] = beta2 * ref.v[i] + (1 - beta2) * grad[i] * grad[i];
            ref.var[i] -= lrT * ref.m[i] / (Math.sqrt(ref.v[i]) + eps);
          }
        }
        // then TF1's _finish: beta1_power *= β1, beta2_power *= β2 (float32 variables: the float32
        // product of two floats is the double product, exact, rounded once)
        b1p = (float) (b1p * beta1);
        b2p = (float) (b2p * beta2);
        compare(s, refs, b1p, b2p, "after step " + step);
      }
    }
  }

  /** Fetches every variable by its TF1 name ({@code <name>/read}) and compares with the reference. */
  private static void compare(Session s, List<Ref> refs, double b1p, double b2p, String when) {
    Map<String, double[]> expected = new LinkedHashMap<>();
    for (Ref ref : refs) {
      expected.put(ref.name, ref.var);
      expected.put(ref.name + "/Adam", ref.m);
      expected.put(ref.name + "/Adam_1", ref.v);
    }
    expected.put("beta1_power", new double[] {b1p});
    expected.put("beta2_power", new double[] {b2p});
    List<String> names = new ArrayList<>(expected.keySet());
    Session.Runner r = s.runner();
    names.forEach(n -> r.fetch(n + "/read"));
    try (Result res = r.run()) {
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        Numerics.assertClose(n + " " + when, Numerics.values((TFloat32) res.get(i)), expected.get(n), RTOL, 0);
      }
    }
  }
}
