package org.rnnport.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.nn.GRUBlockCell;
import org.tensorflow.op.nn.LSTMBlockCell;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The fast graph of a recurrent layer ({@code --graph fast}): the same variables as {@link StaticRnn}'s unroll
 * (created by the same cells, in the same order, with the same initializers), a cheaper graph over them.
 * <ul>
 *   <li>LSTM and GRU steps are TF's fused kernels, one op per step: {@code LSTMBlockCell} (gates i, j, f, o as
 *       BasicLSTMCell's kernel, forget bias at call time; Keras' i, f, c, o kernel is permuted into that order
 *       inside the graph) and {@code GRUBlockCell} (TF1 GRUCell's r, u gates and candidate).</li>
 *   <li>BasicRNNCell projects the inputs of all time steps with one GEMM over {@code [time*batch, input]}, the
 *       kernel sliced into its input and recurrent rows inside the graph; each step is then matmul, add, tanh.</li>
 *   <li>Only the step outputs the model reads exist as outputs: no stack, transpose and slice for the last one.</li>
 *   <li>Training uses a backward pass through time built here, not by autodiff: per step only the sequential
 *       part ({@code LSTMBlockCellGrad}, {@code GRUBlockCellGrad} or {@code TanhGrad}, and one matmul for the
 *       recurrent state's gradient); the weight gradients of all steps are one GEMM each, over
 *       {@code [time*batch, ·]}. {@link PythonGradients#gradients} hands over to {@link #gradients} when a graph
 *       has a fast layer: autodiff runs from the loss to the outputs the model read (and below the layer, from
 *       its input to an embedding), this class does the rest.</li>
 * </ul>
 * The function is the same up to float rounding (sums are grouped differently), not bit for bit.
 */
public final class FastRnn {
  static final boolean PROJECT_LSTM = Boolean.getBoolean("rnnport.fast.lstmProjection");
  private final Ops tf;
  private final Tf1Variables vars;
  private final Operand<TFloat32> input;
  private final int steps;
  private Chain fw;
  private Chain bw;
  private final Operand<TInt32> batch;
  private final Map<Long, Operand<TFloat32>> zeros = new HashMap<>();
  private final Map<String, Operand<TFloat32>> taps = new LinkedHashMap<>();

  private FastRnn(Ops tf, Tf1Variables vars, Operand<TFloat32> input, int steps) {
    this.tf = tf;
    this.vars = vars;
    this.input = input;
    this.steps = steps;
    this.batch = tf.withName("batch_size").stridedSlice(tf.shape(input), Indices.at(0));
  }

  /**
   * The recurrent layer {@code spec} describes ({@link StaticRnn#layer}'s variables: {@code rnn/<cell>}, or
   * {@code bidirectional_rnn/fw|bw/<cell>}) over a batch-major input {@code [batch, steps, inputDepth]}.
   */
  public static FastRnn layer(RnnSpec spec, Operand<TFloat32> x, int steps, long inputDepth, Tf1Variables vars,
      SeedSource seeds) {
    if (!spec.bidirectional()) {
      return unroll("rnn", spec.newCell(), x, steps, inputDepth, vars, seeds);
    }
    FastRnn base = new FastRnn(vars.ops().withSubScope("fast_bidirectional_rnn"), vars, x, steps);
    SeqIn in = SeqIn.batchMajor(base, x, inputDepth);
    base.fw = base.chain("bidirectional_rnn/fw", spec.newCell(), in, inputDepth, seeds);
    base.bw = base.chain("bidirectional_rnn/bw", spec.newCell(), SeqIn.reversed(base, in), inputDepth, seeds);
    return vars.fast(base);
  }

  /** {@code static_rnn(cell, x)} under variable scope {@code scope}, x batch-major {@code [batch, steps, depth]}. */
  public static FastRnn unroll(String scope, RnnCell cell, Operand<TFloat32> x, int steps, long inputDepth,
      Tf1Variables vars, SeedSource seeds) {
    FastRnn base = new FastRnn(vars.ops().withSubScope("fast_" + scope.replace('/', '_')), vars, x, steps);
    base.fw = base.chain(scope, cell, SeqIn.batchMajor(base, x, inputDepth), inputDepth, seeds);
    return vars.fast(base);
  }

  /**
   * The last step's output ({@code outputs[-1]}): bidirectional, the forward cell's last step and the backward
   * cell's first (which read the last input), concatenated.
   */
  public Operand<TFloat32> last() {
    if (bw == null) {
      return tap(fw, steps - 1);
    }
    return tf.concat(List.of(tap(fw, steps - 1), tap(bw, 0)), tf.constant(1));
  }

  /** The final state's h: bidirectional, both directions' last steps concatenated. */
  public Operand<TFloat32> finalH() {
    if (bw == null) {
      return tap(fw, steps - 1);
    }
    return tf.concat(List.of(tap(fw, steps - 1), tap(bw, steps - 1)), tf.constant(1));
  }

  private Operand<TFloat32> tap(Chain c, int step) {
    Operand<TFloat32> h = c.top().hs.get(step);
    taps.put((c == fw ? "fw:" : "bw:") + step, h);
    return h;
  }

  // ---------------------------------------------------------------------------------------------------------
  // backward

  /**
   * d loss / d var for each of {@code vars} in a graph with this fast layer: autodiff from the loss to the
   * variables above the layer and to the step outputs the model read; the hand-built backward pass through
   * time for the layer's variables; autodiff again from the layer's input to variables below it (an embedding),
   * seeded with the input's gradient.
   */
  Output<?>[] gradients(Operand<TFloat32> loss, List<Tf1Variable> wanted) {
    Graph graph = (Graph) tf.scope().env();
    Set<Tf1Variable> mine = Collections.newSetFromMap(new IdentityHashMap<>());
    fw.layers.forEach(s -> mine.addAll(s.variables()));
    if (bw != null) {
      bw.layers.forEach(s -> mine.addAll(s.variables()));
    }
    Set<String> belowOps = PythonGradients.upstreamOf(input);
    List<Tf1Variable> head = new ArrayList<>();
    List<Tf1Variable> below = new ArrayList<>();
    for (Tf1Variable v : wanted) {
      if (mine.contains(v)) {
        continue;
      }
      (belowOps.contains(v.read().op().name()) ? below : head).add(v);
    }
    List<Output<?>> xs = new ArrayList<>();
    head.forEach(v -> xs.add(v.read().asOutput()));
    List<String> tapKeys = new ArrayList<>(taps.keySet());
    tapKeys.forEach(k -> xs.add(taps.get(k).asOutput()));
    Output<?>[] g1 = graph.addGradients("gradients", new Output<?>[] {loss.asOutput()}, xs.toArray(Output<?>[]::new),
        null);
    Map<Tf1Variable, Operand<TFloat32>> grads = new IdentityHashMap<>();
    for (int i = 0; i < head.size(); i++) {
      grads.put(head.get(i), cast(g1[i]));
    }
    List<Operand<TFloat32>> dFw = new ArrayList<>(Collections.nCopies(steps, null));
    List<Operand<TFloat32>> dBw = new ArrayList<>(Collections.nCopies(steps, null));
    for (int k = 0; k < tapKeys.size(); k++) {
      String[] key = tapKeys.get(k).split(":");
      List<Operand<TFloat32>> d = key[0].equals("fw") ? dFw : dBw;
      int step = Integer.parseInt(key[1]);
      d.set(step, add(d.get(step), cast(g1[head.size() + k])));
    }
    Ops b = tf.withSubScope("backprop");
    boolean needDx = !below.isEmpty();
    List<Operand<TFloat32>> dx = fw.backward(b, dFw, needDx, grads);
    if (bw != null) {
      List<Operand<TFloat32>> dxb = bw.backward(b, dBw, needDx, grads);
      if (needDx) {
        List<Operand<TFloat32>> sum = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
          sum.add(add(dx.get(t), dxb.get(steps - 1 - t)));
        }
        dx = sum;
      }
    }
    if (needDx) {
      long depth = fw.layers.get(0).in.depth;
      List<Operand<TFloat32>> full = new ArrayList<>();
      for (Operand<TFloat32> d : dx) {
        full.add(d != null ? d : zeros(depth));
      }
      Operand<TFloat32> dInput = b.reshape(b.stack(full, Stack.axis(1L)), b.shape(input));
      Output<?>[] xs2 = below.stream().map(v -> v.read().asOutput()).toArray(Output<?>[]::new);
      Output<?>[] g2 = graph.addGradients("gradients_below", new Output<?>[] {input.asOutput()}, xs2,
          new Output<?>[] {dInput.asOutput()});
      for (int i = 0; i < below.size(); i++) {
        grads.put(below.get(i), cast(g2[i]));
      }
    }
    Output<?>[] out = new Output<?>[wanted.size()];
    for (int i = 0; i < wanted.size(); i++) {
      Operand<TFloat32> g = grads.get(wanted.get(i));
      if (g == null) {
        throw new IllegalStateException("the fast graph has no gradient for " + wanted.get(i).name());
      }
      out[i] = g.asOutput();
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> cast(Output<?> o) {
    if (o == null) {
      throw new IllegalStateException("the loss does not depend on a tensor the fast graph differentiates");
    }
    return (Operand<TFloat32>) o;
  }

  private Operand<TFloat32> add(Operand<TFloat32> a, Operand<TFloat32> b) {
    return a == null ? b : b == null ? a : tf.math.add(a, b);
  }

  /** A {@code [batch, width]} zero tensor (one per width). */
  Operand<TFloat32> zeros(long width) {
    return zeros.computeIfAbsent(width, w -> tf.fill(tf.stack(List.of(batch, tf.constant((int) (long) w))),
        tf.constant(0f)));
  }

  /** {@code [n*batch, width]}: the per-step tensors stacked time-major. */
  Operand<TFloat32> rows(List<Operand<TFloat32>> perStep, long width) {
    return tf.reshape(tf.stack(perStep), tf.constant(new long[] {-1, width}));
  }

  // ---------------------------------------------------------------------------------------------------------
  // forward

  private Chain chain(String scope, RnnCell cell, SeqIn in, long inputDepth, SeedSource seeds) {
    cell.build(vars, scope, inputDepth, seeds);
    List<RnnCell> cells = cell instanceof MultiRnnCell m ? m.cells() : List.of(cell);
    List<Seq> layers = new ArrayList<>();
    SeqIn cur = in;
    for (RnnCell c : cells) {
      Seq s = Seq.of(this, c, cur);
      s.forward();
      layers.add(s);
      cur = SeqIn.perStep(this, s.hs, c.units());
    }
    return new Chain(layers);
  }

  /** One direction: stacked cells, bottom first. */
  private record Chain(List<Seq> layers) {
    Seq top() {
      return layers.get(layers.size() - 1);
    }

    /** Backward through the stack; returns the bottom input's per-step gradients (entries may be null). */
    List<Operand<TFloat32>> backward(Ops b, List<Operand<TFloat32>> dTop, boolean needDx,
        Map<Tf1Variable, Operand<TFloat32>> grads) {
      List<Operand<TFloat32>> d = dTop;
      for (int k = layers.size() - 1; k >= 0; k--) {
        d = layers.get(k).backward(b, d, needDx || k > 0, grads);
      }
      return d;
    }
  }

  /** A layer's input over time, as per-step {@code [batch, depth]} tensors or time-major rows, made on demand. */
  static final class SeqIn {
    final FastRnn f;
    final long depth;
    private Operand<TFloat32> batchMajor;
    private SeqIn reversedOf;
    private List<Operand<TFloat32>> xs;
    private Operand<TFloat32> x2;

    private SeqIn(FastRnn f, long depth) {
      this.f = f;
      this.depth = depth;
    }

    static SeqIn batchMajor(FastRnn f, Operand<TFloat32> x, long depth) {
      SeqIn s = new SeqIn(f, depth);
      s.batchMajor = x;
      return s;
    }

    static SeqIn perStep(FastRnn f, List<Operand<TFloat32>> xs, long depth) {
      SeqIn s = new SeqIn(f, depth);
      s.xs = xs;
      return s;
    }

    static SeqIn reversed(FastRnn f, SeqIn of) {
      SeqIn s = new SeqIn(f, of.depth);
      s.reversedOf = of;
      return s;
    }

    /** The per-step inputs. */
    List<Operand<TFloat32>> xs() {
      if (xs == null) {
        Ops tf = f.tf;
        if (batchMajor != null) {
          xs = new ArrayList<>(tf.unstack(batchMajor, (long) f.steps, Unstack.axis(1L)).output());
        } else if (reversedOf != null) {
          xs = new ArrayList<>(reversedOf.xs());
          Collections.reverse(xs);
        } else {
          xs = new ArrayList<>(tf.unstack(tf.reshape(x2, tf.constant(new long[] {f.steps, -1, depth})),
              (long) f.steps).output());
        }
      }
      return xs;
    }

    /** The inputs of all steps as time-major rows {@code [steps*batch, depth]}. */
    Operand<TFloat32> x2() {
      if (x2 == null) {
        Ops tf = f.tf;
        Operand<TInt32> flat = tf.constant(new int[] {-1, (int) depth});
        if (batchMajor != null) {
          x2 = tf.reshape(tf.linalg.transpose(batchMajor, tf.constant(new int[] {1, 0, 2})), flat);
        } else if (reversedOf != null && (reversedOf.batchMajor != null || reversedOf.x2 != null)) {
          Operand<TFloat32> tm = tf.reshape(reversedOf.x2(), tf.constant(new long[] {f.steps, -1, depth}));
          x2 = tf.reshape(tf.reverse(tm, tf.constant(new int[] {0})), flat);
        } else {
          x2 = f.rows(xs(), depth);
        }
      }
      return x2;
    }

    /** The rows of the first {@code n} steps. */
    Operand<TFloat32> rows(int n) {
      return n == f.steps ? x2() : f.rows(xs().subList(0, n), depth);
    }
  }

  /** One cell over the sequence: its forward steps and its backward pass through time. */
  abstract static class Seq {
    final FastRnn f;
    final SeqIn in;
    final int units;
    final List<Operand<TFloat32>> hs = new ArrayList<>();

    Seq(FastRnn f, SeqIn in, int units) {
      this.f = f;
      this.in = in;
      this.units = units;
    }

    static Seq of(FastRnn f, RnnCell c, SeqIn in) {
      if (c instanceof BasicRnnCell r) {
        return new RnnSeq(f, in, r);
      }
      if (c instanceof BasicLstmCell l) {
        return new LstmSeq(f, in, l);
      }
      if (c instanceof KerasLstmCell k) {
        return new LstmSeq(f, in, k);
      }
      if (c instanceof GruCell g) {
        return new GruSeq(f, in, g);
      }
      throw new IllegalArgumentException("no fast graph for cell " + c.name());
    }

    abstract List<Tf1Variable> variables();

    abstract void forward();

    /**
     * Backward through time from the gradients of the step outputs ({@code dOut}, null where none); puts the
     * variables' gradients in {@code grads}; returns the per-step input gradients when {@code needDx} (null
     * for steps after the last one that receives a gradient).
     */
    abstract List<Operand<TFloat32>> backward(Ops b, List<Operand<TFloat32>> dOut, boolean needDx,
        Map<Tf1Variable, Operand<TFloat32>> grads);

    /** One past the last step whose output receives a gradient. */
    static int extent(List<Operand<TFloat32>> dOut) {
      int n = dOut.size();
      while (n > 0 && dOut.get(n - 1) == null) {
        n--;
      }
      if (n == 0) {
        throw new IllegalStateException("no step of the recurrent layer receives a gradient");
      }
      return n;
    }

    /** h_{t-1} for t in [0, n): the zero state, then the outputs, as rows. */
    Operand<TFloat32> previousRows(int n) {
      List<Operand<TFloat32>> prev = new ArrayList<>();
      prev.add(f.zeros(units));
      prev.addAll(hs.subList(0, n - 1));
      return f.rows(prev, units);
    }

    /** The per-step input gradients {@code dZ · Wxᵀ} (one GEMM), null from step n on. */
    List<Operand<TFloat32>> inputGrads(Ops b, Operand<TFloat32> dZ, Operand<TFloat32> wx, int n) {
      Operand<TFloat32> dx2 = b.linalg.matMul(dZ, wx, MatMul.transposeB(true));
      List<Operand<TFloat32>> out = new ArrayList<>(b.unstack(
          b.reshape(dx2, b.constant(new long[] {n, -1, in.depth})), (long) n).output());
      while (out.size() < f.steps) {
        out.add(null);
      }
      return out;
    }

    Operand<TFloat32> slice(Operand<TFloat32> w, int row0, int rows, int cols) {
      Ops tf = f.tf;
      return tf.slice(w, tf.constant(new int[] {row0, 0}), tf.constant(new int[] {rows, cols}));
    }
  }

  /** BasicRNNCell: one input projection for all steps, then matmul + add + tanh per step. */
  static final class RnnSeq extends Seq {
    private final BasicRnnCell cell;
    private Operand<TFloat32> wx;
    private Operand<TFloat32> wh;

    RnnSeq(FastRnn f, SeqIn in, BasicRnnCell cell) {
      super(f, in, cell.units());
      this.cell = cell;
    }

    @Override
    List<Tf1Variable> variables() {
      return List.of(cell.kernel(), cell.bias());
    }

    @Override
    void forward() {
      Ops tf = f.tf;
      int d = (int) in.depth;
      wx = slice(cell.kernel().read(), 0, d, units);
      wh = slice(cell.kernel().read(), d, units, units);
      Operand<TFloat32> xp = tf.nn.biasAdd(tf.linalg.matMul(in.x2(), wx), cell.bias().read());
      List<Output<TFloat32>> xps = tf.unstack(tf.reshape(xp, tf.constant(new long[] {f.steps, -1, units})),
          (long) f.steps).output();
      Operand<TFloat32> h = tf.math.tanh(xps.get(0));
      hs.add(h);
      for (int t = 1; t < f.steps; t++) {
        h = tf.math.tanh(tf.math.add(xps.get(t), tf.linalg.matMul(h, wh)));
        hs.add(h);
      }
    }

    @Override
    List<Operand<TFloat32>> backward(Ops b, List<Operand<TFloat32>> dOut, boolean needDx,
        Map<Tf1Variable, Operand<TFloat32>> grads) {
      int n = extent(dOut);
      Operand<TFloat32>[] dz = newArray(n);
      Operand<TFloat32> dh = null;
      for (int t = n - 1; t >= 0; t--) {
        Operand<TFloat32> g = f.add(dOut.get(t), dh);
        if (g == null) {
          g = f.zeros(units);
        }
        dz[t] = b.math.tanhGrad(hs.get(t), g);
        if (t > 0) {
          dh = b.linalg.matMul(dz[t], wh, MatMul.transposeB(true));
        }
      }
      Operand<TFloat32> dZ = f.rows(List.of(dz), units);
      Operand<TFloat32> dWx = b.linalg.matMul(in.rows(n), dZ, MatMul.transposeA(true));
      Operand<TFloat32> dWh = b.linalg.matMul(previousRows(n), dZ, MatMul.transposeA(true));
      grads.put(cell.kernel(), b.concat(List.of(dWx, dWh), b.constant(0)));
      grads.put(cell.bias(), b.nn.biasAddGrad(dZ));
      return needDx ? inputGrads(b, dZ, wx, n) : null;
    }
  }

  /** BasicLSTMCell or Keras' LSTMCell as {@code LSTMBlockCell} steps; backward with {@code LSTMBlockCellGrad}. */
  static final class LstmSeq extends Seq {
    private final BasicLstmCell basic;
    private final KerasLstmCell keras;
    private final float forgetBias;
    private Operand<TFloat32> w;
    private Operand<TFloat32> b;
    private Operand<TFloat32> wx;
    private Operand<TFloat32> wh;
    private Operand<TFloat32> peephole;
    private Operand<TInt32> perm;
    private final List<Acts> cells = new ArrayList<>();

    /** One step's activations, as LSTMBlockCell names them. */
    private record Acts(Operand<TFloat32> i, Operand<TFloat32> cs, Operand<TFloat32> f, Operand<TFloat32> o,
        Operand<TFloat32> ci, Operand<TFloat32> co, Operand<TFloat32> h) {}

    LstmSeq(FastRnn f, SeqIn in, BasicLstmCell cell) {
      super(f, in, cell.units());
      this.basic = cell;
      this.keras = null;
      this.forgetBias = cell.forgetBias();
    }

    LstmSeq(FastRnn f, SeqIn in, KerasLstmCell cell) {
      super(f, in, cell.units());
      this.basic = null;
      this.keras = cell;
      this.forgetBias = 0f;
    }

    @Override
    List<Tf1Variable> variables() {
      return basic != null ? List.of(basic.kernel(), basic.bias())
          : List.of(keras.kernel(), keras.recurrentKernel(), keras.bias());
    }

    @Override
    void forward() {
      Ops tf = f.tf;
      int d = (int) in.depth;
      int h4 = 4 * units;
      if (basic != null) {
        w = basic.kernel().read();
        b = basic.bias().read();
        wx = slice(w, 0, d, h4);
        wh = slice(w, d, units, h4);
      } else {
        // Keras' gate order i, f, c, o to the block's i, c(j), f, o: swap the second and third quarters
        int[] p = new int[h4];
        for (int k = 0; k < h4; k++) {
          int q = k / units;
          int src = q == 1 ? 2 : q == 2 ? 1 : q;
          p[k] = src * units + k % units;
        }
        perm = tf.constant(p);
        wx = tf.gather(keras.kernel().read(), perm, tf.constant(1));
        wh = tf.gather(keras.recurrentKernel().read(), perm, tf.constant(1));
        w = tf.concat(List.of(wx, wh), tf.constant(0));
        b = tf.gather(keras.bias().read(), perm, tf.constant(0));
      }
      peephole = tf.fill(tf.constant(new int[] {units}), tf.constant(0f));
      if (PROJECT_LSTM) {
        forwardProjected(tf, d);
        return;
      }
      Operand<TFloat32> c = f.zeros(units);
      Operand<TFloat32> h = f.zeros(units);
      List<Operand<TFloat32>> xs = in.xs();
      for (int t = 0; t < f.steps; t++) {
        LSTMBlockCell<TFloat32> cell = tf.nn.lSTMBlockCell(xs.get(t), c, h, w, peephole, peephole, peephole, b,
            LSTMBlockCell.forgetBias(forgetBias), LSTMBlockCell.cellClip(-1f), LSTMBlockCell.usePeephole(false));
        cells.add(new Acts(cell.i(), cell.cs(), cell.f(), cell.o(), cell.ci(), cell.co(), cell.h()));
        c = cell.cs();
        h = cell.h();
        hs.add(h);
      }
    }

    /**
     * The inputs of all steps projected by one GEMM ({@code [steps*batch, in] x [in, 4*units]}, bias and forget
     * bias added there), then per step one matmul with the recurrent rows and the gate math.
     */
    private void forwardProjected(Ops tf, int d) {
      float[] fb = new float[4 * units];
      java.util.Arrays.fill(fb, 2 * units, 3 * units, forgetBias);
      Operand<TFloat32> bias = forgetBias == 0f ? b : tf.math.add(b, tf.constant(fb));
      Operand<TFloat32> xp = tf.nn.biasAdd(tf.linalg.matMul(in.x2(), wx), bias);
      List<Output<TFloat32>> xps = tf.unstack(tf.reshape(xp, tf.constant(new long[] {f.steps, -1, 4L * units})),
          (long) f.steps).output();
      Operand<TFloat32> c = null;
      Operand<TFloat32> h = null;
      for (int t = 0; t < f.steps; t++) {
        Operand<TFloat32> z = t == 0 ? xps.get(0) : tf.math.add(xps.get(t), tf.linalg.matMul(h, wh));
        List<Output<TFloat32>> g = tf.split(tf.constant(1), z, 4L).output();
        Operand<TFloat32> i = tf.math.sigmoid(g.get(0));
        Operand<TFloat32> ci = tf.math.tanh(g.get(1));
        Operand<TFloat32> fg = tf.math.sigmoid(g.get(2));
        Operand<TFloat32> o = tf.math.sigmoid(g.get(3));
        Operand<TFloat32> ic = tf.math.mul(i, ci);
        Operand<TFloat32> cs = t == 0 ? ic : tf.math.add(tf.math.mul(c, fg), ic);
        Operand<TFloat32> co = tf.math.tanh(cs);
        h = tf.math.mul(co, o);
        c = cs;
        cells.add(new Acts(i, cs, fg, o, ci, co, h));
        hs.add(h);
      }
    }

    @Override
    List<Operand<TFloat32>> backward(Ops bk, List<Operand<TFloat32>> dOut, boolean needDx,
        Map<Tf1Variable, Operand<TFloat32>> grads) {
      int n = extent(dOut);
      Operand<TFloat32>[] dz = newArray(n);
      Operand<TFloat32> dc = f.zeros(units);
      Operand<TFloat32> dh = null;
      List<Operand<TFloat32>> xs = in.xs();
      for (int t = n - 1; t >= 0; t--) {
        Operand<TFloat32> g = f.add(dOut.get(t), dh);
        if (g == null) {
          g = f.zeros(units);
        }
        Acts cell = cells.get(t);
        Operand<TFloat32> cPrev = t == 0 ? f.zeros(units) : cells.get(t - 1).cs();
        Operand<TFloat32> hPrev = t == 0 ? f.zeros(units) : cells.get(t - 1).h();
        var grad = bk.nn.lSTMBlockCellGrad(xs.get(t), cPrev, hPrev, w, peephole, peephole, peephole, b, cell.i(),
            cell.cs(), cell.f(), cell.o(), cell.ci(), cell.co(), dc, g, false);
        dz[t] = grad.dicfo();
        dc = grad.csPrevGrad();
        if (t > 0) {
          dh = bk.linalg.matMul(dz[t], wh, MatMul.transposeB(true));
        }
      }
      Operand<TFloat32> dZ = f.rows(List.of(dz), 4L * units);
      Operand<TFloat32> dWx = bk.linalg.matMul(in.rows(n), dZ, MatMul.transposeA(true));
      Operand<TFloat32> dWh = bk.linalg.matMul(previousRows(n), dZ, MatMul.transposeA(true));
      Operand<TFloat32> db = bk.nn.biasAddGrad(dZ);
      if (basic != null) {
        grads.put(basic.kernel(), bk.concat(List.of(dWx, dWh), bk.constant(0)));
        grads.put(basic.bias(), db);
      } else {
        // the permutation swaps two quarters: it is its own inverse
        grads.put(keras.kernel(), bk.gather(dWx, perm, bk.constant(1)));
        grads.put(keras.recurrentKernel(), bk.gather(dWh, perm, bk.constant(1)));
        grads.put(keras.bias(), bk.gather(db, perm, bk.constant(0)));
      }
      return needDx ? inputGrads(bk, dZ, wx, n) : null;
    }
  }

  /** TF1 GRUCell as {@code GRUBlockCell} steps; backward with {@code GRUBlockCellGrad}. */
  static final class GruSeq extends Seq {
    private final GruCell cell;
    private final List<GRUBlockCell<TFloat32>> cells = new ArrayList<>();

    GruSeq(FastRnn f, SeqIn in, GruCell cell) {
      super(f, in, cell.units());
      this.cell = cell;
    }

    @Override
    List<Tf1Variable> variables() {
      return List.of(cell.gatesKernel(), cell.gatesBias(), cell.candidateKernel(), cell.candidateBias());
    }

    @Override
    void forward() {
      Ops tf = f.tf;
      Operand<TFloat32> h = f.zeros(units);
      List<Operand<TFloat32>> xs = in.xs();
      for (int t = 0; t < f.steps; t++) {
        GRUBlockCell<TFloat32> c = tf.nn.gRUBlockCell(xs.get(t), h, cell.gatesKernel().read(),
            cell.candidateKernel().read(), cell.gatesBias().read(), cell.candidateBias().read());
        cells.add(c);
        h = c.h();
        hs.add(h);
      }
    }

    @Override
    List<Operand<TFloat32>> backward(Ops b, List<Operand<TFloat32>> dOut, boolean needDx,
        Map<Tf1Variable, Operand<TFloat32>> grads) {
      int n = extent(dOut);
      Operand<TFloat32>[] dru = newArray(n);
      Operand<TFloat32>[] dc = newArray(n);
      List<Operand<TFloat32>> dx = new ArrayList<>(Collections.nCopies(f.steps, null));
      List<Operand<TFloat32>> xs = in.xs();
      Operand<TFloat32> dh = null;
      for (int t = n - 1; t >= 0; t--) {
        Operand<TFloat32> g = f.add(dOut.get(t), dh);
        if (g == null) {
          g = f.zeros(units);
        }
        GRUBlockCell<TFloat32> c = cells.get(t);
        Operand<TFloat32> hPrev = t == 0 ? f.zeros(units) : cells.get(t - 1).h();
        var grad = b.nn.gRUBlockCellGrad(xs.get(t), hPrev, cell.gatesKernel().read(), cell.candidateKernel().read(),
            cell.gatesBias().read(), cell.candidateBias().read(), c.r(), c.u(), c.c(), g);
        dru[t] = grad.dRBarUBar();
        dc[t] = grad.dCBar();
        dx.set(t, grad.dX());
        dh = grad.dHPrev();
      }
      List<Operand<TFloat32>> rs = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        rs.add(cells.get(t).r());
      }
      Operand<TFloat32> dRU = f.rows(List.of(dru), 2L * units);
      Operand<TFloat32> dC = f.rows(List.of(dc), units);
      Operand<TFloat32> xRows = in.rows(n);
      Operand<TFloat32> hPrev = previousRows(n);
      Operand<TFloat32> rh = b.math.mul(f.rows(rs, units), hPrev);
      grads.put(cell.gatesKernel(), b.concat(List.of(b.linalg.matMul(xRows, dRU, MatMul.transposeA(true)),
          b.linalg.matMul(hPrev, dRU, MatMul.transposeA(true))), b.constant(0)));
      grads.put(cell.candidateKernel(), b.concat(List.of(b.linalg.matMul(xRows, dC, MatMul.transposeA(true)),
          b.linalg.matMul(rh, dC, MatMul.transposeA(true))), b.constant(0)));
      grads.put(cell.gatesBias(), b.nn.biasAddGrad(dRU));
      grads.put(cell.candidateBias(), b.nn.biasAddGrad(dC));
      return needDx ? dx : null;
    }
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32>[] newArray(int n) {
    return (Operand<TFloat32>[]) new Operand<?>[n];
  }
}
