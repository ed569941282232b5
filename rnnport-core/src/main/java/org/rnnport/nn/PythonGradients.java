package org.rnnport.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Gradients of shared variables summed exactly as Python's TF sums them ({@code --gradients python}).
 *
 * <p>A variable read at every time step gets one gradient per step; the sum of those is where TF Java's
 * C++ gradient builder and Python differ in the last bits (floating-point addition is not associative):
 * <ul>
 *   <li>{@code dynamic_rnn} (a While loop): the backward loop accumulates, from the last step to the first,
 *       {@code acc = AddV2(acc, g_t)} starting from a zero tensor ({@link Aggregation#WHILE_LOOP}); read from the
 *       oracle's GraphDef: {@code gradients/rnn/while/.../Enter_grad/Add} fed by {@code .../Enter_grad/b_acc}
 *       (zeros).</li>
 *   <li>{@code static_rnn} ({@code tf.gradients} on an unrolled graph): one {@code AddN} whose inputs are the
 *       steps' gradients in reverse time order, {@code AddN(g_T, ..., g_1)} ({@link Aggregation#ADD_N_REVERSED};
 *       the oracle's {@code gradients/AddN_28}). AddN with more than two inputs does not sum left to right, so it
 *       is the same op with the same input order, not a chain.</li>
 * </ul>
 * To get the per-step gradients, every use of a variable inside the unrolled cell reads it through its own
 * {@code Identity} ({@link Tf1Variables#use}); the C++ builder's gradient with respect to each of these has one
 * consumer, so it sums nothing. The mode is chosen when the graph is built ({@link #building}).
 */
public final class PythonGradients {

  /** How the gradients of the training graph are built. */
  public enum Mode {
    /** TF Java's C++ gradient builder sums every multi-use tensor with its own AddN order. */
    TF,
    /** Per-use gradients of shared variables, summed in Python's order with Python's op. */
    PYTHON;

    /** {@code tf} or {@code python}. */
    public static Mode parse(String s) {
      return switch (s.toLowerCase()) {
        case "tf" -> TF;
        case "python" -> PYTHON;
        default -> throw new IllegalArgumentException("--gradients must be python or tf, got '" + s + "'");
      };
    }
  }

  /** The order and operation Python uses to sum one variable's per-use gradients. */
  public enum Aggregation {
    /** dynamic_rnn's backward While loop: zeros, then AddV2 with the last step's gradient first. */
    WHILE_LOOP,
    /** tf.gradients: one AddN over the uses (static_rnn), inputs in Grappler's canonical (name-sorted) order. */
    ADD_N_REVERSED
  }

  private static final ThreadLocal<Mode> BUILDING = ThreadLocal.withInitial(() -> Mode.TF);

  private PythonGradients() {}

  /** Runs {@code build} (a model's graph construction) with gradient mode {@code mode}. */
  public static <T> T building(Mode mode, Supplier<T> build) {
    Mode before = BUILDING.get();
    BUILDING.set(mode);
    try {
      return build.get();
    } finally {
      BUILDING.set(before);
    }
  }

  /** The mode of the graph being built on this thread. */
  static Mode current() {
    return BUILDING.get();
  }

  /** Per-use reads of the variables of one graph, and how each variable's gradients are summed. */
  public static final class Uses {
    private final Map<Tf1Variable, List<Operand<TFloat32>>> reads = new IdentityHashMap<>();
    private final Map<Tf1Variable, Aggregation> aggregation = new IdentityHashMap<>();
    private Aggregation next = Aggregation.ADD_N_REVERSED;

    Operand<TFloat32> read(Tf1Variable v, Ops tf) {
      Operand<TFloat32> r = tf.identity(v.read());
      reads.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
      aggregation.putIfAbsent(v, next);
      return r;
    }

    /** Variables first read after this call sum their gradients with {@code a} (e.g. before a dynamic_rnn). */
    public void aggregateAs(Aggregation a) {
      next = a;
    }

    List<Operand<TFloat32>> of(Tf1Variable v) {
      return reads.getOrDefault(v, Collections.emptyList());
    }

    private final Map<Tf1Variable, Operand<?>[]> gathers = new IdentityHashMap<>();
    private final Map<Tf1Variable, Slices> slices = new IdentityHashMap<>();

    /**
     * The sparse gradient of {@code v} ({@link Slices}, after {@link #gradients}), when {@code v} is read only
     * through a gather (an embedding); null otherwise.
     */
    public Slices slices(Tf1Variable v) {
      return slices.get(v);
    }
  }

  /**
   * An {@code IndexedSlices} gradient as tf-keras' optimizer sees it after {@code _deduplicate_sparse_grad}:
   * the rows {@code values} to add at the (unique) row numbers {@code indices}.
   */
  public record Slices(Operand<TFloat32> values, Operand<org.tensorflow.types.TInt32> indices) {}

  /**
   * Records that {@code v} is read only through {@code gathered = gather(v, ids, axis 0)} (an embedding lookup):
   * in Python mode its gradient is then the IndexedSlices Python's {@code _GatherGrad} makes
   * ({@code values = reshape(d gathered, [-1, row])}, {@code indices = reshape(ids, [-1])}), instead of a dense one.
   */
  public static void gathered(Tf1Variables vars, Tf1Variable v, Operand<TFloat32> gathered,
      Operand<org.tensorflow.types.TInt32> ids) {
    if (vars.uses() != null) {
      vars.uses().gathers.put(v, new Operand<?>[] {gathered, ids});
    }
  }

  /**
   * The state a cell passes to the next step: with per-use reads, an Identity of each state tensor (the
   * While loop's loop variable), so the gradient of a step's new state is summed in two groups, as in
   * Python's loop body: what comes back through the next step, plus what the step's output received.
   */
  public static List<Operand<TFloat32>> loopState(Tf1Variables vars, Ops tf, List<Operand<TFloat32>> state) {
    if (vars.uses() == null) {
      return state;
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    state.forEach(s -> out.add(tf.identity(s)));
    return out;
  }

  /**
   * {@code x} for a subset of its consumers: with per-use reads an Identity, so the gradients of these
   * consumers are added together first (one AddN of two), then to the others'. Used where Python's AddN of
   * three gradients adds in an order the C++ builder would not: AddN(a, b, c) is (a + b) + c.
   */
  public static Operand<TFloat32> grouped(Tf1Variables vars, Ops tf, Operand<TFloat32> x) {
    return vars.uses() == null ? x : tf.identity(x);
  }

  /** Marks the variables read from here on as a dynamic_rnn's (a While loop's) in {@code vars}, if per-use. */
  public static void dynamicRnn(Tf1Variables vars) {
    if (vars.uses() != null) {
      vars.uses().aggregateAs(Aggregation.WHILE_LOOP);
    }
  }

  /**
   * The session configuration for a graph built in {@code mode}: in Python mode Grappler's arithmetic optimizer
   * is off, because its AddOpsRewrite stage collapses the chain {@code acc + g_T + ... + g_1} into one AddN
   * (another summation order). Python's chain lives inside a While loop's frame, where that rewrite does not apply.
   */
  public static org.tensorflow.proto.ConfigProto configure(org.tensorflow.proto.ConfigProto config, Mode mode) {
    if (mode != Mode.PYTHON) {
      return config;
    }
    org.tensorflow.proto.ConfigProto.Builder b = config.toBuilder();
    b.getGraphOptionsBuilder().getRewriteOptionsBuilder()
        .setArithmeticOptimization(org.tensorflow.proto.RewriterConfig.Toggle.OFF);
    return b.build();
  }

  /** The mode's per-use bookkeeping for a new {@link Tf1Variables}: null in TF mode. */
  static Uses newUses() {
    return current() == Mode.PYTHON && !GraphKind.fast() ? new Uses() : null;
  }

  /**
   * d loss / d var for each of {@code vars}: with per-use reads recorded, each use's gradient from the C++
   * builder, summed in Python's order; otherwise the builder's gradient of the variable's read.
   */
  public static Output<?>[] gradients(Tf1Variables variables, Operand<TFloat32> loss, List<Tf1Variable> vars) {
    if (variables.fast() != null) {
      return variables.fast().gradients(loss, vars);
    }
    Ops tf = variables.ops();
    Graph graph = (Graph) tf.scope().env();
    Uses uses = variables.uses();
    List<Output<?>> xs = new ArrayList<>();
    int[] first = new int[vars.size()];
    int[] count = new int[vars.size()];
    java.util.Set<String> upstream = uses == null ? java.util.Set.of() : upstreamOf(loss);
    List<List<Integer>> useNumbers = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      Tf1Variable v = vars.get(i);
      List<Operand<TFloat32>> reads = new ArrayList<>();
      List<Integer> numbers = new ArrayList<>();
      if (uses != null) {
        // a use the loss does not depend on has no gradient (static_bidirectional_rnn's outputs[-1] reads only
        // the backward cell's first step): tf.gradients leaves it out, the C++ builder would fail on it
        List<Operand<TFloat32>> all = uses.of(v);
        for (int k = 0; k < all.size(); k++) {
          if (upstream.contains(all.get(k).op().name())) {
            reads.add(all.get(k));
            numbers.add(k);
          }
        }
      }
      useNumbers.add(numbers);
      first[i] = xs.size();
      if (uses != null && uses.gathers.containsKey(v)) {
        xs.add(uses.gathers.get(v)[0].asOutput());
        count[i] = -1;
      } else if (reads.isEmpty()) {
        xs.add(v.read().asOutput());
        count[i] = 0;
      } else {
        reads.forEach(r -> xs.add(r.asOutput()));
        count[i] = reads.size();
      }
    }
    Output<?>[] g = graph.addGradients("gradients", new Output<?>[] {loss.asOutput()}, xs.toArray(Output<?>[]::new),
        null);
    Output<?>[] out = new Output<?>[vars.size()];
    Ops sum = tf.withSubScope("gradients_sum");
    for (int i = 0; i < vars.size(); i++) {
      if (count[i] == 0) {
        out[i] = g[first[i]];
        continue;
      }
      if (count[i] < 0) {
        out[i] = g[first[i]];
        uses.slices.put(vars.get(i), slices(sum, vars.get(i), g[first[i]], uses.gathers.get(vars.get(i))[1]));
        continue;
      }
      List<Operand<TFloat32>> perUse = new ArrayList<>();
      for (int k = 0; k < count[i]; k++) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> gk = (Operand<TFloat32>) g[first[i] + k];
        perUse.add(gk);
      }
      out[i] = sum(sum, perUse, useNumbers.get(i), uses.aggregation.get(vars.get(i))).asOutput();
    }
    return out;
  }

  /**
   * Python's {@code _GatherGrad} (values: the gathered gradient as rows; indices: the ids flattened), then
   * tf-keras' {@code _deduplicate_sparse_grad}: {@code unique(indices)} and {@code unsorted_segment_sum} of the
   * values onto the unique rows.
   */
  @SuppressWarnings("unchecked")
  private static Slices slices(Ops tf, Tf1Variable v, Output<?> dGathered, Operand<?> ids) {
    long row = v.shape().size(1);
    Operand<TFloat32> values = tf.reshape((Operand<TFloat32>) dGathered, tf.constant(new long[] {-1, row}));
    Operand<org.tensorflow.types.TInt32> indices = tf.reshape((Operand<org.tensorflow.types.TInt32>) ids,
        tf.constant(new int[] {-1}));
    org.tensorflow.op.core.Unique<org.tensorflow.types.TInt32, org.tensorflow.types.TInt32> u = tf.unique(indices,
        tf.constant(new int[] {0}));
    Operand<org.tensorflow.types.TInt32> n = tf.stridedSlice(tf.shape(u.y()),
        org.tensorflow.ndarray.index.Indices.at(0));
    Operand<TFloat32> summed = tf.math.unsortedSegmentSum(values, u.idx(), n);
    return new Slices(summed, u.y());
  }

  /** The names of the ops {@code loss} depends on through data inputs. */
  static java.util.Set<String> upstreamOf(Operand<TFloat32> loss) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.ArrayDeque<org.tensorflow.GraphOperation> todo = new java.util.ArrayDeque<>();
    todo.add((org.tensorflow.GraphOperation) loss.op());
    seen.add(loss.op().name());
    while (!todo.isEmpty()) {
      org.tensorflow.GraphOperation op = todo.poll();
      for (int k = 0; k < op.numInputs(); k++) {
        org.tensorflow.GraphOperation in = (org.tensorflow.GraphOperation) op.input(k).op();
        if (seen.add(in.name())) {
          todo.add(in);
        }
      }
    }
    return seen;
  }

  /**
   * The per-use gradients summed as Python sums them; {@code useNumbers} are their uses' numbers (0 = the
   * first use), which decide Python's order.
   */
  static Operand<TFloat32> sum(Ops tf, List<Operand<TFloat32>> grads, List<Integer> useNumbers, Aggregation a) {
    if (grads.size() == 1) {
      return grads.get(0);
    }
    List<Operand<TFloat32>> ordered = new ArrayList<>();
    int n = java.util.Collections.max(useNumbers) + 1;
    for (int k : pythonOrder(n, a)) {
      int at = useNumbers.indexOf(k);
      if (at >= 0) {
        ordered.add(grads.get(at));
      }
    }
    if (a == Aggregation.WHILE_LOOP) {
      Operand<TFloat32> acc = tf.zerosLike(grads.get(0));
      for (Operand<TFloat32> gt : ordered) {
        acc = tf.math.add(acc, gt);
      }
      return acc;
    }
    return tf.math.addN(ordered);
  }

  /**
   * The order (use numbers, 0 = first use) in which Python adds {@code n} per-use gradients. While loop: the
   * last step first. AddN: tf.gradients lists them last step first, but Grappler's arithmetic optimizer then
   * canonicalizes this commutative op by sorting its inputs by node name ({@code .../MatMul_10_grad/MatMul_1}
   * before {@code .../MatMul_1_grad/MatMul_1}, {@code .../MatMul_grad/MatMul_1} of step 0 last), as the oracle's
   * partition graph shows; Java turns that optimizer off (see {@link #configure}) and gives the sorted order itself.
   */
  static List<Integer> pythonOrder(int n, Aggregation a) {
    List<Integer> order = new ArrayList<>();
    for (int k = n - 1; k >= 0; k--) {
      order.add(k);
    }
    if (a == Aggregation.ADD_N_REVERSED) {
      order.sort(java.util.Comparator.comparing(k -> (k == 0 ? "" : "_" + k) + "_grad"));
    }
    return order;
  }
}
