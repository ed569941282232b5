package org.rnnport.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Creates TF1 {@code VariableV2} variables with their exact Python names (the TF Java
 * {@code withName} path would also rename the Assign op and collide), and remembers them in
 * creation order, like the global variables collection.
 */
public final class Tf1Variables {
  private final Ops tf;
  private final Graph graph;
  private final List<Tf1Variable> all = new ArrayList<>();
  private final java.util.Map<String, Ops> scopes = new java.util.HashMap<>();
  private int unnamed = 0;
  private FastRnn fast;
  private final PythonGradients.Uses uses = PythonGradients.newUses();

  public Tf1Variables(Ops tf) {
    this.tf = tf;
    this.graph = (Graph) tf.scope().env();
  }

  /**
   * The name scope {@code path} ("a/b/c"), created once and shared: TF Java makes every new
   * sub-scope name unique ({@code rnn}, then {@code rnn_1}), while TF1 reopens a variable scope
   * by name, so all of a scope's ops must come from one Ops instance.
   */
  public Ops scope(String path) {
    Ops cached = scopes.get(path);
    if (cached != null) {
      return cached;
    }
    int slash = path.lastIndexOf('/');
    Ops parent = slash < 0 ? tf : scope(path.substring(0, slash));
    Ops created = parent.withSubScope(path.substring(slash + 1));
    scopes.put(path, created);
    return created;
  }

  public Ops ops() {
    return tf;
  }

  /**
   * {@code tf.Variable(initial)} without a name: {@code Variable}, {@code Variable_1}, ... in
   * creation order. The initial value is built first, at the top level, as in the notebooks.
   */
  public Tf1Variable unnamed(Shape shape, Operand<TFloat32> initialValue) {
    String name = unnamed == 0 ? "Variable" : "Variable_" + unnamed;
    unnamed++;
    return create(name, shape, initialValue);
  }

  /**
   * {@code tf.get_variable(name, shape, initializer=...)}: the initializer is built under
   * {@code name/Initializer}.
   */
  public Tf1Variable get(String name, Shape shape, Function<Ops, Operand<TFloat32>> initializer) {
    Operand<TFloat32> init = initializer.apply(scope(name + "/Initializer"));
    return create(name, shape, init);
  }

  /** A VariableV2 named exactly {@code name}, with {@code name/Assign} and {@code name/read}. */
  public Tf1Variable create(String name, Shape shape, Operand<TFloat32> initialValue) {
    // Open the variable's name scope before the op exists: TF Java's NameScope fails when asked
    // for a sub-scope named exactly like an existing op (slots live under "<var>/...").
    scope(name);
    GraphOperation var = graph.opBuilder("VariableV2", name, tf.scope())
        .setAttr("shape", shape)
        .setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT)
        .setAttr("container", "")
        .setAttr("shared_name", "")
        .build();
    Output<TFloat32> ref = var.output(0);
    GraphOperation assign = graph.opBuilder("Assign", name + "/Assign", tf.scope())
        .addInput(ref)
        .addInput(initialValue.asOutput())
        .setAttr("validate_shape", true)
        .setAttr("use_locking", true)
        .build();
    GraphOperation read = graph.opBuilder("Identity", name + "/read", tf.scope())
        .addInput(ref)
        .build();
    Tf1Variable v = new Tf1Variable(name, shape, ref, read.output(0), assign);
    all.add(v);
    return v;
  }

  /** The current values of {@code vars} in {@code session}, by name (row-major). */
  public static java.util.Map<String, float[]> values(org.tensorflow.Session session, List<Tf1Variable> vars) {
    java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
    org.tensorflow.Session.Runner r = session.runner();
    vars.forEach(v -> r.fetch(v.read()));
    try (org.tensorflow.Result res = r.run()) {
      for (int i = 0; i < vars.size(); i++) {
        TFloat32 t = (TFloat32) res.get(i);
        float[] a = new float[(int) t.size()];
        t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(a, false, false));
        out.put(vars.get(i).name(), a);
      }
    }
    return out;
  }

  /**
   * A read of {@code v} by one use (one time step of a cell): the shared {@code name/read}, or with
   * {@code --gradients python} an Identity of it of its own, so each use gets its own gradient.
   */
  public Operand<TFloat32> use(Tf1Variable v, Ops op) {
    return uses == null ? v.read() : uses.read(v, op);
  }

  /** The per-use reads ({@code --gradients python}), or null. */
  public PythonGradients.Uses uses() {
    return uses;
  }

  /** Registers the graph's fast recurrent layer, whose backward pass {@link FastRnn} builds itself. */
  FastRnn fast(FastRnn layer) {
    if (fast != null) {
      throw new IllegalStateException("a graph has at most one fast recurrent layer");
    }
    fast = layer;
    return layer;
  }

  /** The graph's fast recurrent layer, or null. */
  FastRnn fast() {
    return fast;
  }

  /** Every variable created here, in creation order. */
  public List<Tf1Variable> all() {
    return Collections.unmodifiableList(all);
  }

}
