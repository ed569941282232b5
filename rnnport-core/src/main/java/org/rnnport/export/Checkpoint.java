package org.rnnport.export;

import java.util.ArrayList;
import java.util.List;
import org.rnnport.nn.Tf1Variable;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A TF checkpoint (SaveV2/RestoreV2, tensor-bundle format) of a chosen set of variables, keyed
 * by their exact TF1 names: what {@code tf.compat.v1.train.Saver(var_list)} reads and writes.
 * Unlike {@code Session.save}, it can leave out the optimizer's slots.
 */
public final class Checkpoint {
  private final List<Tf1Variable> vars;
  private final Placeholder<TString> prefix;
  private final Op save;
  private final Op restore;

  /** Adds the save and restore ops for {@code vars} to the graph of {@code tf}, under {@code scope}. */
  public Checkpoint(Ops tf, String scope, List<Tf1Variable> vars) {
    this.vars = List.copyOf(vars);
    Ops s = tf.withSubScope(scope);
    prefix = s.withName("prefix").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    String[] names = vars.stream().map(Tf1Variable::name).toArray(String[]::new);
    String[] slices = new String[names.length];
    java.util.Arrays.fill(slices, "");
    Operand<TString> namesT = s.withName("tensor_names").constant(NdArrays.vectorOfObjects(names));
    Operand<TString> slicesT = s.withName("shape_and_slices").constant(NdArrays.vectorOfObjects(slices));
    List<Operand<?>> values = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    for (Tf1Variable v : vars) {
      values.add(v.read());
      types.add(TFloat32.class);
    }
    save = s.train.save(prefix, namesT, slicesT, values);
    Restore restored = s.train.restore(prefix, namesT, slicesT, types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> value = (Operand<TFloat32>) restored.tensors().get(i);
      assigns.add(s.assign(vars.get(i).ref(), value));
    }
    restore = s.withControlDependencies(assigns).withName("restore_all").noOp();
  }

  /** Writes the variables' current values to {@code <prefix>.index} / {@code .data-*}. */
  public void save(Session session, String path) {
    try (TString p = TString.scalarOf(path)) {
      session.runner().feed(prefix, p).addTarget(save).run().close();
    }
  }

  /** Sets the variables from a checkpoint written by this class or by a TF1 Saver. */
  public void restore(Session session, String path) {
    try (TString p = TString.scalarOf(path)) {
      session.runner().feed(prefix, p).addTarget(restore).run().close();
    }
  }

  public List<Tf1Variable> variables() {
    return vars;
  }
}
