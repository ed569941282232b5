package org.rnnport.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@link KerasAdam} against tf-keras 2.18's {@code Adam.update_step} re-derived in plain Java,
 * after each of three steps: the variables, the slots {@code Adam/m/<var>} and {@code Adam/v/<var>}
 * and the step counter {@code Adam/iterations}, fetched by name. Same loss as {@link Tf1AdamTest}
 * (closed-form gradients, one of them tiny so that ε = 1e-7 and sqrt(v) are of the same order).
 *
 * <p>Keras' update, as written in {@code keras/src/optimizers/adam.py} (tf-keras 2.18):
 * <pre>
 *   t = iterations + 1;  α = lr·sqrt(1-β2^t)/(1-β1^t)
 *   m += (g-m)(1-β1);  v += (g²-v)(1-β2);  var -= m·α/(sqrt(v)+ε);  iterations += 1
 * </pre>
 * with β1 0.9, β2 0.999, ε 1e-7 (Keras' defaults, not TF1's 1e-8). Algebraically this is TF1's
 * ApplyAdam with β powers recomputed as β^t instead of accumulated; the differences are the default
 * ε and the state kept (a step counter instead of two β powers).
 *
 * <p>The reference is in double (the definition, not the float32 rounding order), with two float32
 * facts of Keras' graph modelled: the hyperparameters are the float32 values Keras casts them to, and
 * β^t is a float32 value (rounded) before {@code 1 - β^t}, whose cancellation would otherwise
 * amplify float32's last bit of β2^t a thousandfold. Relative tolerance {@value #RTOL} on every
 * element, no absolute slack.
 */
class KerasAdamTest {

  /** float32 against the double reference, three steps (observed worst 3.6e-7 relative, on v). */
  static final double RTOL = 1e-6;

  /*
   * Keras' hyperparameters as its float32 graph sees them: tf.cast(self.beta_1, float32) for the
   * powers, the Python double (1 - self.beta_1) then cast to float32 for the moment updates, and
   * self.epsilon cast to float32.
   */
  static final double BETA1 = (float) 0.9;
  static final double BETA2 = (float) 0.999;
  static final double ONE_MINUS_BETA1 = (float) (1 - 0.9);
  static final double ONE_MINUS_BETA2 = (float) (1 - 0.999);
  static final double EPSILON = (float) 1e-7;

  @ParameterizedTest
  @ValueSource(floats = {0.001f, 0.05f}) // Keras' default lr (the Reuters notebook's), and a large one
  void threeStepsMatchKerasUpdateStepReDerived(float learningRate) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Tf1Variables vars = new Tf1Variables(tf);
      Tf1AdamTest.Problem p = Tf1AdamTest.problem(vars);
      Op train = KerasAdam.minimize(vars, p.loss(), p.vars(), learningRate);

      assertThat(vars.all()).extracting(Tf1Variable::name).containsExactly(
          "layer/kernel", "layer/bias", "Variable", "Adam/iterations",
          "Adam/m/layer/kernel", "Adam/v/layer/kernel", "Adam/m/layer/bias", "Adam/v/layer/bias",
          "Adam/m/Variable", "Adam/v/Variable");
      Numerics.initialize(s, vars);

      Map<String, double[]> var = new LinkedHashMap<>();
      var.put("layer/kernel", Numerics.toDouble(Tf1AdamTest.W0));
      var.put("layer/bias", Numerics.toDouble(Tf1AdamTest.B0));
      var.put("Variable", Numerics.toDouble(Tf1AdamTest.T0));
      Map<String, double[]> m = new LinkedHashMap<>();
      Map<String, double[]> v = new LinkedHashMap<>();
      var.forEach((n, x) -> {
        m.put(n, new double[x.length]);
        v.put(n, new double[x.length]);
      });
      long iterations = 0;
      compare(s, var, m, v, iterations, "initial");

      for (int step = 1; step <= 3; step++) {
        s.runner().addTarget(train).run().close();

        double t = iterations + 1;
        // β^t is a float32 tensor in Keras: rounded to float before 1 - β^t (which then loses ~10 bits
        // for β2: modelling the rounding keeps the reference about the semantics, not float32's ulp)
        double alpha = learningRate * Math.sqrt(1 - (float) Math.pow(BETA2, t)) / (1 - (float) Math.pow(BETA1, t));
        for (String n : var.keySet()) {
          double[] x = var.get(n);
          double[] mm = m.get(n);
          double[] vv = v.get(n);
          double[] grad = Tf1AdamTest.gradient(n, x);
          for (int i = 0; i < x.length; i++) {
            mm[i] += (grad[i] - mm[i]) * ONE_MINUS_BETA1;
            vv[i] += (grad[i] * grad[i] - vv[i]) * ONE_MINUS_BETA2;
            x[i] -= mm[i] * alpha / (Math.sqrt(vv[i]) + EPSILON);
          }
        }
        iterations++;
        compare(s, var, m, v, iterations, "after step " + step);
      }
    }
  }

  private static void compare(Session s, Map<String, double[]> var, Map<String, double[]> m,
      Map<String, double[]> v, long iterations, String when) {
    Map<String, double[]> expected = new LinkedHashMap<>(var);
    m.forEach((n, x) -> expected.put("Adam/m/" + n, x));
    v.forEach((n, x) -> expected.put("Adam/v/" + n, x));
    expected.put("Adam/iterations", new double[] {iterations});
    List<String> names = new ArrayList<>(expected.keySet());
    Session.Runner r = s.runner();
    names.forEach(n -> {
      GraphOperation read = (GraphOperation) s.graph().operation(n + "/read");
      assertThat(read).as(n + "/read").isNotNull();
      r.fetch(read.output(0));
    });
    try (Result res = r.run()) {
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        Numerics.assertClose(n + " " + when, Numerics.values((TFloat32) res.get(i)), expected.get(n), RTOL, 0);
      }
    }
  }
}
