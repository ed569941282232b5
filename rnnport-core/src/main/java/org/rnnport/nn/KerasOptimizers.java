package org.rnnport.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.types.TFloat32;

/**
 * tf-keras 2.18's {@code SGD} and {@code RMSprop} ({@code keras.optimizers}, the optimizers {@code 'sgd'} and
 * {@code 'rmsprop'} name), each {@code update_step} written op for op, dense and (for a variable read only through
 * an embedding lookup, with {@code --gradients python}) the IndexedSlices branch. As in {@link KerasAdam} every
 * gradient is computed before any update, and {@code iterations} is incremented after. Python floats become
 * float32 constants as TensorFlow converts them ({@code (1 - rho)} computed in double, then rounded).
 */
public final class KerasOptimizers {
  private KerasOptimizers() {}

  /** {@code SGD(learning_rate=0.01, momentum=0.0, nesterov=False)}'s defaults are the caller's to pass. */
  public static Op sgd(Tf1Variables variables, Operand<TFloat32> loss, List<Tf1Variable> vars, float learningRate,
      double momentum, boolean nesterov) {
    Output<?>[] grads = PythonGradients.gradients(variables, loss, vars);
    Ops a = gated(variables, "SGD", grads);
    Tf1Variable iterations = iterations(variables, "SGD");
    Operand<TFloat32> lr = a.constant(learningRate);
    Operand<TFloat32> mom = a.constant((float) momentum);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      Tf1Variable v = vars.get(i);
      // build(): one momentum slot "m" per variable, whatever the momentum
      Tf1Variable m = variables.get("SGD/m/" + v.name(), v.shape(), Initializers.zeros(v.shape()));
      PythonGradients.Slices sparse = variables.uses() == null ? null : variables.uses().slices(v);
      if (sparse != null) {
        // add_value = IndexedSlices(-gradient.values * lr, indices); m.assign(m * momentum); m.scatter_add(add_value)
        Operand<TFloat32> add = a.math.mul(a.math.neg(sparse.values()), lr);
        Operand<TFloat32> mScaled = a.assign(m.ref(), a.math.mul(m.read(), mom));
        Operand<TFloat32> mNew = a.scatterAdd(mScaled, sparse.indices(), add);
        if (nesterov) {
          // variable.scatter_add(add_value); variable.assign_add(m * momentum)
          Operand<TFloat32> vs = a.withControlDependencies(List.of(mNew)).scatterAdd(v.ref(), sparse.indices(), add);
          updates.add(a.assignAdd(vs, a.math.mul(mNew, mom)));
        } else {
          updates.add(a.assignAdd(v.ref(), mNew));
        }
        continue;
      }
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
      // m.assign(-gradient * lr + m * momentum)
      Operand<TFloat32> mNew = a.assign(m.ref(), a.math.add(a.math.mul(a.math.neg(g), lr), a.math.mul(m.read(), mom)));
      if (nesterov) {
        // variable.assign_add(-gradient * lr + m * momentum)
        updates.add(a.assignAdd(v.ref(), a.math.add(a.math.mul(a.math.neg(g), lr), a.math.mul(mNew, mom))));
      } else {
        updates.add(a.assignAdd(v.ref(), mNew));
      }
    }
    return finish(variables, a, iterations, updates, "SGD_step");
  }

  /** {@code RMSprop(learning_rate, rho, momentum, epsilon, centered=False)}, increments in the written order. */
  public static Op rmsprop(Tf1Variables variables, Operand<TFloat32> loss, List<Tf1Variable> vars,
      float learningRate, double rho, double momentum, double epsilon) {
    return rmsprop(variables, loss, vars, learningRate, rho, momentum, epsilon, v -> false);
  }

  /**
   * {@code RMSprop(learning_rate, rho, momentum, epsilon, centered=False)}. Keras writes the increment
   * {@code lr * gradient * rsqrt(denominator)}; Grappler's arithmetic optimizer (MinimizeBroadcasts, after sorting the
   * Mul's inputs by name) turns it into {@code (lr * rsqrt(denominator)) * gradient} for the variables whose gradient
   * shape it can infer in Keras' train function (read from its optimized graph): {@code lrTimesRsqrtFirst} names them.
   * rnnport's session runs without that optimizer, so the order is built here.
   */
  public static Op rmsprop(Tf1Variables variables, Operand<TFloat32> loss, List<Tf1Variable> vars,
      float learningRate, double rho, double momentum, double epsilon,
      java.util.function.Predicate<Tf1Variable> lrTimesRsqrtFirst) {
    Output<?>[] grads = PythonGradients.gradients(variables, loss, vars);
    Ops a = gated(variables, "RMSprop", grads);
    Tf1Variable iterations = iterations(variables, "RMSprop");
    Operand<TFloat32> lr = a.constant(learningRate);
    Operand<TFloat32> rhoT = a.constant((float) rho);
    Operand<TFloat32> oneMinusRho = a.constant((float) (1 - rho));
    Operand<TFloat32> eps = a.constant((float) epsilon);
    Operand<TFloat32> mom = a.constant((float) momentum);
    List<Tf1Variable> velocities = new ArrayList<>();
    for (Tf1Variable v : vars) {
      velocities.add(variables.get("RMSprop/velocity/" + v.name(), v.shape(), Initializers.zeros(v.shape())));
    }
    List<Tf1Variable> momenta = new ArrayList<>();
    if (momentum > 0) {
      for (Tf1Variable v : vars) {
        momenta.add(variables.get("RMSprop/momentum/" + v.name(), v.shape(), Initializers.zeros(v.shape())));
      }
    }
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      Tf1Variable v = vars.get(i);
      Tf1Variable vel = velocities.get(i);
      PythonGradients.Slices sparse = variables.uses() == null ? null : variables.uses().slices(v);
      if (sparse != null) {
        // velocity.assign(rho * velocity); velocity.scatter_add(IndexedSlices(square(values) * (1 - rho), indices))
        Operand<TFloat32> vs = a.assign(vel.ref(), a.math.mul(rhoT, vel.read()));
        Operand<TFloat32> velNew = a.scatterAdd(vs, sparse.indices(),
            a.math.mul(a.math.square(sparse.values()), oneMinusRho));
        // denominator = velocity + epsilon; increment = lr * values * rsqrt(gather(denominator, indices))
        Operand<TFloat32> den = a.math.add(velNew, eps);
        Operand<TFloat32> rs = a.math.rsqrt(a.gather(den, sparse.indices(), a.constant(0)));
        Operand<TFloat32> inc = lrTimesRsqrtFirst.test(v) ? a.math.mul(a.math.mul(lr, rs), sparse.values())
            : a.math.mul(a.math.mul(lr, sparse.values()), rs);
        if (momentum > 0) {
          Tf1Variable mo = momenta.get(i);
          Operand<TFloat32> ms = a.assign(mo.ref(), a.math.mul(mom, mo.read()));
          Operand<TFloat32> mNew = a.scatterAdd(ms, sparse.indices(), inc);
          updates.add(a.assignAdd(v.ref(), a.math.neg(mNew)));
        } else {
          updates.add(a.scatterAdd(v.ref(), sparse.indices(), a.math.neg(inc)));
        }
        continue;
      }
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads[i];
      // velocity.assign(rho * velocity + (1 - rho) * tf.square(gradient))
      Operand<TFloat32> velNew = a.assign(vel.ref(), a.math.add(a.math.mul(rhoT, vel.read()),
          a.math.mul(oneMinusRho, a.math.square(g))));
      // increment = lr * gradient * tf.math.rsqrt(velocity + epsilon)
      Operand<TFloat32> rs = a.math.rsqrt(a.math.add(velNew, eps));
      Operand<TFloat32> inc = lrTimesRsqrtFirst.test(v) ? a.math.mul(a.math.mul(lr, rs), g)
          : a.math.mul(a.math.mul(lr, g), rs);
      if (momentum > 0) {
        Tf1Variable mo = momenta.get(i);
        Operand<TFloat32> mNew = a.assign(mo.ref(), a.math.add(a.math.mul(mom, mo.read()), inc));
        updates.add(a.assignAdd(v.ref(), a.math.neg(mNew)));
      } else {
        updates.add(a.assignAdd(v.ref(), a.math.neg(inc)));
      }
    }
    return finish(variables, a, iterations, updates, "RMSprop_step");
  }

  private static Tf1Variable iterations(Tf1Variables variables, String scope) {
    return variables.create(scope + "/iterations", Shape.scalar(),
        variables.scope(scope).withName("iterations_init").constant(0f));
  }

  /** The optimizer's ops scope, gated on every gradient. */
  private static Ops gated(Tf1Variables variables, String scope, Output<?>[] grads) {
    List<org.tensorflow.Operation> gradOps = new ArrayList<>();
    for (Output<?> g : grads) {
      gradOps.add(g.op());
    }
    return variables.scope(scope).withControlDependencyOps(gradOps);
  }

  private static Op finish(Tf1Variables variables, Ops a, Tf1Variable iterations, List<Op> updates, String name) {
    Op inc = a.withControlDependencies(updates).assign(iterations.ref(), a.math.add(iterations.read(), a.constant(1f)),
        Assign.useLocking(false));
    List<Op> all = new ArrayList<>(updates);
    all.add(inc);
    return variables.ops().withControlDependencies(all).withName(name).noOp();
  }
}
