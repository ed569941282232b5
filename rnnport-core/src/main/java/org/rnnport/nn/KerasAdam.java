package org.rnnport.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.types.TFloat32;

/**
 * tf-keras 2.18's {@code Adam} (the optimizer {@code 'adam'} names): lr 0.001, β1 0.9, β2 0.999,
 * ε 1e-7, with its update written as Keras writes it in {@code update_step}:
 * {@code local_step = iterations + 1}, {@code α = lr·sqrt(1-β2^t)/(1-β1^t)},
 * {@code m += (g-m)(1-β1)}, {@code v += (g²-v)(1-β2)}, {@code var -= m·α/(sqrt(v)+ε)}. All gradients are
 * computed before any update; {@code iterations} is incremented after. With {@code --gradients python} a
 * variable read only through an embedding lookup ({@link PythonGradients#gathered}) is updated through Keras'
 * sparse IndexedSlices path, as {@code update_step} writes it: {@code m.assign_add(-m·(1-β1))},
 * {@code m.scatter_add(values·(1-β1))}, {@code v.assign_add(-v·(1-β2))}, {@code v.scatter_add(values²·(1-β2))},
 * {@code var -= m·α/(sqrt(v)+ε)}; otherwise its gradient is dense (the same arithmetic, rounded otherwise).
 */
public final class KerasAdam {
  private KerasAdam() {}

  public static Op minimize(Tf1Variables variables, Operand<TFloat32> loss, List<Tf1Variable> vars,
      float learningRate) {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-7;
    Ops tf = variables.ops();
    Graph graph = (Graph) tf.scope().env();
    Output<?>[] grads = PythonGradients.gradients(variables, loss, vars);

    Tf1Variable iterations = variables.create("Adam/iterations", Shape.scalar(),
        variables.scope("Adam").withName("iterations_init").constant(0f));
    List<Tf1Variable[]> mv = new ArrayList<>();
    for (Tf1Variable v : vars) {
      mv.add(new Tf1Variable[] {
          variables.get("Adam/m/" + v.name(), v.shape(), Initializers.zeros(v.shape())),
          variables.get("Adam/v/" + v.name(), v.shape(), Initializers.zeros(v.shape()))});
    }
    List<org.tensorflow.Operation> gradOps = new ArrayList<>();
    for (Output<?> g : grads) {
      gradOps.add(g.op());
    }
    Ops a = variables.scope("Adam").withControlDependencyOps(gradOps);
    Operand<TFloat32> lr = a.constant(learningRate);
    Operand<TFloat32> one = a.constant(1f);
    // local_step = tf.cast(self.iterations + 1, variable.dtype)
    Operand<TFloat32> localStep = a.math.add(iterations.read(), one);
    Operand<TFloat32> b1p = a.math.pow(a.constant((float) beta1), localStep);
    Operand<TFloat32> b2p = a.math.pow(a.constant((float) beta2), localStep);
    // alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
    Operand<TFloat32> alpha = a.math.div(a.math.mul(lr, a.math.sqrt(a.math.sub(one, b2p))), a.math.sub(one, b1p));
    Operand<TFloat32> oneMinusB1 = a.constant((float) (1 - beta1));
    Operand<TFloat32> oneMinusB2 = a.constant((float) (1 - beta2));
    Operand<TFloat32> eps = a.constant((float) epsilon);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
      Tf1Variable m = mv.get(i)[0];
      Tf1Variable v = mv.get(i)[1];
      PythonGradients.Slices sparse = variables.uses() == null ? null : variables.uses().slices(vars.get(i));
      if (sparse != null) {
        // IndexedSlices: m.assign_add(-m * (1 - beta_1)); m.scatter_add(IndexedSlices(values * (1 - beta_1), indices));
        // v.assign_add(-v * (1 - beta_2)); v.scatter_add(IndexedSlices(tf.square(values) * (1 - beta_2), indices))
        Operand<TFloat32> mDecayed = a.assignAdd(m.ref(), a.math.mul(a.math.neg(m.read()), oneMinusB1));
        Operand<TFloat32> mNew = a.scatterAdd(mDecayed, sparse.indices(), a.math.mul(sparse.values(), oneMinusB1));
        Operand<TFloat32> vDecayed = a.withControlDependencies(List.of(mNew))
            .assignAdd(v.ref(), a.math.mul(a.math.neg(v.read()), oneMinusB2));
        Operand<TFloat32> vNew = a.scatterAdd(vDecayed, sparse.indices(),
            a.math.mul(a.math.square(sparse.values()), oneMinusB2));
        // variable.assign_sub((m * alpha) / (tf.sqrt(v) + epsilon_hat))
        updates.add(a.assignSub(vars.get(i).ref(), a.math.div(a.math.mul(mNew, alpha), a.math.add(a.math.sqrt(vNew), eps))));
        continue;
      }
      // m.assign_add((gradient - m) * (1 - self.beta_1)); v.assign_add((tf.square(gradient) - v) * (1 - self.beta_2))
      Operand<TFloat32> mNew = a.assignAdd(m.ref(), a.math.mul(a.math.sub(g, m.read()), oneMinusB1));
      Operand<TFloat32> vNew = a.assignAdd(v.ref(), a.math.mul(a.math.sub(a.math.square(g), v.read()), oneMinusB2));
      // variable.assign_sub((m * alpha) / (tf.sqrt(v) + self.epsilon))
      updates.add(a.assignSub(vars.get(i).ref(), a.math.div(a.math.mul(mNew, alpha), a.math.add(a.math.sqrt(vNew), eps))));
    }
    Op inc = a.withControlDependencies(updates).assign(iterations.ref(), a.math.add(iterations.read(), one),
        Assign.useLocking(false));
    List<Op> all = new ArrayList<>(updates);
    all.add(inc);
    return tf.withControlDependencies(all).withName("Adam_step").noOp();
  }
}
