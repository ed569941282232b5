package org.rnnport.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.types.TFloat32;

/**
 * {@code tf.compat.v1.train.AdamOptimizer(lr).minimize(loss)}, written with the raw
 * {@code ApplyAdam} kernel: slots {@code <var>/Adam} (m) and {@code <var>/Adam_1} (v), non-slot
 * variables {@code beta1_power}/{@code beta2_power} starting at β1/β2. Every gradient is computed
 * before any variable is updated (ref variables would otherwise race), and the β powers are
 * multiplied after all updates, as TF1's {@code _finish} does.
 */
public final class Tf1Adam {

  /** Hyperparameters; TF1 defaults are lr 0.001, β1 0.9, β2 0.999, ε 1e-8. */
  public record Config(float learningRate, float beta1, float beta2, float epsilon) {
    public static Config tf1(float learningRate) {
      return new Config(learningRate, 0.9f, 0.999f, 1e-8f);
    }
  }

  /** The training op and the optimizer's own variables (slots and β powers). */
  public record Minimized(Op trainOp, List<Output<?>> gradients, List<Tf1Variable> slots) {}

  private Tf1Adam() {}

  /** Builds gradients of {@code loss} w.r.t. {@code vars} and the Adam update. */
  public static Minimized minimize(Tf1Variables variables, Operand<TFloat32> loss, List<Tf1Variable> vars,
      Config cfg) {
    Ops tf = variables.ops();
    Graph graph = (Graph) tf.scope().env();
    Output<?>[] grads = PythonGradients.gradients(variables, loss, vars);

    List<Tf1Variable> slots = new ArrayList<>();
    List<Tf1Variable[]> mv = new ArrayList<>();
    for (Tf1Variable v : vars) {
      Tf1Variable m = variables.get(v.name() + "/Adam", v.shape(), Initializers.zeros(v.shape()));
      Tf1Variable s = variables.get(v.name() + "/Adam_1", v.shape(), Initializers.zeros(v.shape()));
      slots.add(m);
      slots.add(s);
      mv.add(new Tf1Variable[] {m, s});
    }
    Tf1Variable beta1Power = variables.create("beta1_power", org.tensorflow.ndarray.Shape.scalar(),
        variables.scope("beta1_power").withName("initial_value").constant(cfg.beta1()));
    Tf1Variable beta2Power = variables.create("beta2_power", org.tensorflow.ndarray.Shape.scalar(),
        variables.scope("beta2_power").withName("initial_value").constant(cfg.beta2()));
    slots.add(beta1Power);
    slots.add(beta2Power);

    Ops adam = variables.scope("Adam");
    Operand<TFloat32> lr = adam.withName("learning_rate").constant(cfg.learningRate());
    Operand<TFloat32> b1 = adam.withName("beta1").constant(cfg.beta1());
    Operand<TFloat32> b2 = adam.withName("beta2").constant(cfg.beta2());
    Operand<TFloat32> eps = adam.withName("epsilon").constant(cfg.epsilon());

    // gate: no update may start before every gradient is computed
    Ops gated = adam.withControlDependencyOps(gradOpsAsOperations(grads));
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      Tf1Variable v = vars.get(i);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
      Ops u = gated.withSubScope("update_" + v.name().replace('/', '_'));
      updates.add(u.train.applyAdam(v.ref(), mv.get(i)[0].ref(), mv.get(i)[1].ref(), beta1Power.read(),
          beta2Power.read(), lr, b1, b2, eps, g, ApplyAdam.useLocking(false)));
    }
    Ops after = adam.withControlDependencies(updates);
    Op up1 = after.withName("Assign").assign(beta1Power.ref(), after.math.mul(beta1Power.read(), b1),
        org.tensorflow.op.core.Assign.useLocking(false));
    Op up2 = after.withName("Assign_1").assign(beta2Power.ref(), after.math.mul(beta2Power.read(), b2),
        org.tensorflow.op.core.Assign.useLocking(false));
    List<Op> all = new ArrayList<>(updates);
    all.add(up1);
    all.add(up2);
    Op train = tf.withControlDependencies(all).withName("Adam").noOp();
    return new Minimized(train, List.of(grads), slots);
  }

  private static List<org.tensorflow.Operation> gradOpsAsOperations(Output<?>[] grads) {
    List<org.tensorflow.Operation> ops = new ArrayList<>();
    for (Output<?> g : grads) {
      ops.add(g.op());
    }
    return ops;
  }
}
