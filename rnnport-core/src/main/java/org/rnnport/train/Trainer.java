package org.rnnport.train;

import java.util.List;
import java.util.Set;
import org.rnnport.data.EvalSet;
import org.tensorflow.Tensor;
import org.rnnport.models.ModelGraph;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.PythonGradients;
import org.rnnport.nn.SeedSource;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A notebook model's training graph in a session: initialize, run optimizer steps on batches,
 * compute accuracy. Owns its Graph and Session; close it.
 */
public final class Trainer implements AutoCloseable {
  private final NotebookModel model;
  private final Graph graph;
  private final Session session;
  private final ModelGraph g;
  private final long[] inputDims;
  private Set<String> devicesUsed;

  /**
   * Builds the training graph.
   *
   * @param device e.g. {@code /CPU:0}, or null for TensorFlow's choice
   */
  public Trainer(NotebookModel model, SeedSource seeds, float learningRate, int threads, String device) {
    this(model, seeds, learningRate, threads, device, PythonGradients.Mode.TF);
  }

  /**
   * Builds the training graph with gradients summed as {@code gradients} says ({@code python}: in Python's
   * order, see {@link PythonGradients}).
   */
  public Trainer(NotebookModel model, SeedSource seeds, float learningRate, int threads, String device,
      PythonGradients.Mode gradients) {
    this(model, seeds, learningRate, threads, device, gradients, GraphKind.FAITHFUL);
  }

  /**
   * Builds the training graph of kind {@code kind} ({@code fast}: {@link org.rnnport.nn.FastRnn}; the same
   * variables, so checkpoints restore into either).
   */
  public Trainer(NotebookModel model, SeedSource seeds, float learningRate, int threads, String device,
      PythonGradients.Mode gradients, GraphKind kind) {
    this.model = model;
    this.graph = new Graph();
    try {
      DeviceSpec spec = Devices.parse(device);
      Ops tf = Ops.create(graph);
      if (spec != null) {
        tf = tf.withDevice(spec);
      }
      Ops ops = tf;
      this.g = kind.building(() -> PythonGradients.building(gradients, () -> model.build(ops, seeds, learningRate,
          true)));
      this.session = new Session(graph, PythonGradients.configure(Devices.config(threads), gradients));
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    Shape in = g.input().shape();
    this.inputDims = in.asArray();
    this.learningPhase = graph.operation("keras_learning_phase");
    List<org.tensorflow.GraphOperation> ms = new java.util.ArrayList<>();
    for (int i = 0; graph.operation(org.rnnport.keras.KerasMetrics.sumOp(i)) != null; i++) {
      ms.add(graph.operation(org.rnnport.keras.KerasMetrics.sumOp(i)));
    }
    this.metricSums = List.copyOf(ms);
  }

  /** The Keras metrics' per-batch sums ({@link org.rnnport.keras.KerasMetrics}), fetched with every batch. */
  private final List<org.tensorflow.GraphOperation> metricSums;

  /**
   * A Keras graph's {@code keras_learning_phase} (a bool defaulting to false: Dropout off), or null: fed true in the
   * optimizer steps only, as Keras' train_function runs its layers with training=True.
   */
  private final org.tensorflow.GraphOperation learningPhase;

  private Session.Runner training(Session.Runner r, java.util.List<org.tensorflow.types.TBool> close) {
    if (learningPhase != null) {
      org.tensorflow.types.TBool t = org.tensorflow.types.TBool.scalarOf(true);
      close.add(t);
      r.feed(learningPhase.output(0), t);
    }
    return r;
  }

  /** Runs every variable's initializer (the notebook's {@code global_variables_initializer}). */
  public void initialize() {
    Session.Runner r = session.runner();
    g.initializers().forEach(r::addTarget);
    r.run().close();
  }

  /** One optimizer step on a batch; returns the loss before the update (the notebook's cost_val). */
  public float step(float[] x, float[] y, int batch) {
    try (TFloat32 xt = TFloat32.tensorOf(shapeFor(batch), DataBuffers.of(x, true, false).narrow(batch * itemSize()));
         TFloat32 yt = TFloat32.tensorOf(Shape.of(batch, model.classes()),
             DataBuffers.of(y, true, false).narrow((long) batch * model.classes()))) {
      java.util.List<org.tensorflow.types.TBool> lp = new java.util.ArrayList<>();
      Session.Runner r = training(session.runner(), lp).feed(g.input(), xt).feed(g.labels(), yt)
          .addTarget(g.trainOp()).fetch(g.loss());
      try {
        if (devicesUsed == null) {
          try (Result res = Devices.tracedRun(r)) {
            devicesUsed = Devices.devicesUsed(res);
            return ((TFloat32) res.get(0)).getFloat();
          }
        }
        try (Result res = r.run()) {
          return ((TFloat32) res.get(0)).getFloat();
        }
      } finally {
        lp.forEach(org.tensorflow.types.TBool::close);
      }
    }
  }

  /**
   * Loss and predicted classes of one batch, and the Keras metrics' per-batch sums (empty without
   * {@code keras_metric_sum_<i>} ops).
   */
  public record BatchResult(float loss, long[] classes, float[] metricSums) {
    public BatchResult(float loss, long[] classes) {
      this(loss, classes, new float[0]);
    }
  }

  /**
   * Runs one batch given as tensors: an optimizer step ({@code train}) or a forward pass; returns
   * the loss (before the update) and the predicted classes.
   */
  public BatchResult runBatch(org.tensorflow.Tensor x, TFloat32 y, boolean train) {
    Session.Runner r = session.runner().feed(g.input(), x).feed(g.labels(), y).fetch(g.loss()).fetch(g.classes());
    metricSums.forEach(m -> r.fetch(m.output(0)));
    java.util.List<org.tensorflow.types.TBool> lp = new java.util.ArrayList<>();
    if (train) {
      training(r, lp).addTarget(g.trainOp());
    }
    boolean trace = train && devicesUsed == null;
    try (Result res = trace ? Devices.tracedRun(r) : r.run()) {
      if (trace) {
        devicesUsed = Devices.devicesUsed(res);
      }
      TInt64 cls = (TInt64) res.get(1);
      long[] c = new long[(int) cls.size()];
      // row-major, whatever the rank (a per-timestep output's classes are [batch, time])
      cls.copyTo(DataBuffers.of(c, false, false));
      float[] sums = new float[metricSums.size()];
      for (int i = 0; i < sums.length; i++) {
        sums[i] = ((TFloat32) res.get(2 + i)).getFloat();
      }
      return new BatchResult(((TFloat32) res.get(0)).getFloat(), c, sums);
    } finally {
      lp.forEach(org.tensorflow.types.TBool::close);
    }
  }

  /** Loss and accuracy of one batch, forward only (no update). */
  public float[] evaluateBatch(float[] x, float[] y, int[] labels, int batch) {
    try (TFloat32 xt = TFloat32.tensorOf(shapeFor(batch), DataBuffers.of(x, true, false).narrow(batch * itemSize()));
         TFloat32 yt = TFloat32.tensorOf(Shape.of(batch, model.classes()),
             DataBuffers.of(y, true, false).narrow((long) batch * model.classes()));
         Result res = session.runner().feed(g.input(), xt).feed(g.labels(), yt).fetch(g.loss()).fetch(g.classes()).run()) {
      TInt64 cls = (TInt64) res.get(1);
      int correct = 0;
      for (int i = 0; i < batch; i++) {
        if (cls.getLong(i) == labels[i]) {
          correct++;
        }
      }
      return new float[] {((TFloat32) res.get(0)).getFloat(), (float) correct / batch};
    }
  }

  /** The devices that ran ops in the first training step (empty before it). */
  public Set<String> devicesUsed() {
    return devicesUsed == null ? Set.of() : devicesUsed;
  }

  /** Predicted classes for the first {@code limit} examples of {@code set}, in batches. */
  public long[] predict(EvalSet set, int limit, int batchSize) {
    int n = Math.min(limit, set.size());
    long[] out = new long[n];
    forBatches(set, n, batchSize, g.classes(), (start, b, t) -> {
      TInt64 cls = (TInt64) t;
      for (int i = 0; i < b; i++) {
        out[start + i] = cls.getLong(i);
      }
    });
    return out;
  }

  /** Logits of the first {@code n} examples of {@code set} as one row-major array, in batches. */
  public float[] logits(EvalSet set, int n, int batchSize) {
    int classes = model.classes();
    float[] out = new float[n * classes];
    FloatDataBuffer dst = DataBuffers.of(out, false, false);
    forBatches(set, n, batchSize, g.logits(), (start, b, t) ->
        ((TFloat32) t).copyTo(dst.slice((long) start * classes, (long) b * classes)));
    return out;
  }

  /**
   * Mean loss per example and accuracy on a whole split, forward passes in batches (Keras
   * {@code evaluate}); no variable changes and no random numbers drawn.
   */
  public double[] evaluate(EvalSet d, int batchSize) {
    double loss = 0;
    long correct = 0;
    for (int from = 0; from < d.size(); from += batchSize) {
      int n = Math.min(batchSize, d.size() - from);
      try (Tensor x = d.x(from, n, inputDims); TFloat32 y = d.y(from, n)) {
        BatchResult r = runBatch(x, y, false);
        loss += (double) r.loss() * n;
        for (int i = 0; i < n; i++) {
          if (r.classes()[i] == d.label(from + i)) {
            correct++;
          }
        }
      }
    }
    return new double[] {loss / d.size(), (double) correct / d.size()};
  }

  /**
   * Keras {@code model.evaluate} with its compiled metrics: forward passes in batches, the loss's {@code Mean} weighted
   * by the batch size and each metric's {@code Mean}, in float32 as Keras keeps them ({@code total += value},
   * {@code count += n}, {@code div_no_nan(total, count)}); returns {@code [loss, metric 0, ...]}.
   */
  public float[] evaluateKeras(EvalSet d, int batchSize) {
    KerasMeans means = new KerasMeans(metricSums.size());
    for (int from = 0; from < d.size(); from += batchSize) {
      int n = Math.min(batchSize, d.size() - from);
      try (Tensor x = d.x(from, n, inputDims); TFloat32 y = d.y(from, n)) {
        means.add(runBatch(x, y, false), n);
      }
    }
    return means.results();
  }

  /** Keras' float32 running means of the loss (weighted by the batch size) and of each metric's values. */
  public static final class KerasMeans {
    /** {@code [loss total, loss count, metric 0 total, metric 0 count, ...]}, float32 values */
    public final float[] state;

    public KerasMeans(int metrics) {
      state = new float[2 + 2 * metrics];
    }

    /** Over {@code state} itself (an epoch's running state, updated in place). */
    public KerasMeans(float[] state) {
      this.state = state;
    }

    /** One batch of {@code n} examples: {@code loss * n} and {@code n}; each metric's sum and its {@code n} values. */
    public void add(BatchResult r, int n) {
      state[0] += r.loss() * (float) n;
      state[1] += (float) n;
      for (int i = 0; i < r.metricSums().length; i++) {
        state[2 + 2 * i] += r.metricSums()[i];
        state[3 + 2 * i] += (float) n;
      }
    }

    /** {@code div_no_nan(total, count)} of the loss and of each metric. */
    public float[] results() {
      float[] out = new float[state.length / 2];
      for (int i = 0; i < out.length; i++) {
        out[i] = state[2 * i + 1] == 0f ? 0f : state[2 * i] / state[2 * i + 1];
      }
      return out;
    }
  }

  private interface BatchSink {
    void accept(int start, int batch, org.tensorflow.Tensor fetched);
  }

  /** Feeds the first {@code n} examples in batches and hands over one fetch each. */
  private void forBatches(EvalSet set, int n, int batchSize, org.tensorflow.Operand<?> fetch, BatchSink sink) {
    for (int start = 0; start < n; start += batchSize) {
      int b = Math.min(batchSize, n - start);
      try (Tensor xt = set.x(start, b, inputDims);
           Result res = session.runner().feed(g.input(), xt).fetch(fetch).run()) {
        sink.accept(start, b, res.get(0));
      }
    }
  }

  /** The input placeholder's shape ({@code -1} for the batch). */
  public long[] inputDims() {
    return inputDims.clone();
  }

  /** The current values of the given variables, by name. */
  public java.util.Map<String, float[]> values(List<org.rnnport.nn.Tf1Variable> vars) {
    return org.rnnport.nn.Tf1Variables.values(session, vars);
  }

  /** Accuracy on the first {@code limit} examples of {@code set} (predicted classes only). */
  public double accuracy(EvalSet set, int limit, int batchSize) {
    long[] pred = predict(set, limit, batchSize);
    int correct = 0;
    for (int i = 0; i < pred.length; i++) {
      if (pred[i] == set.label(i)) {
        correct++;
      }
    }
    return pred.length == 0 ? 0 : (double) correct / pred.length;
  }

  private long itemSize() {
    long s = 1;
    for (int i = 1; i < inputDims.length; i++) {
      s *= inputDims[i];
    }
    return s;
  }

  private Shape shapeFor(long batch) {
    long[] d = inputDims.clone();
    d[0] = batch;
    return Shape.of(d);
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public ModelGraph modelGraph() {
    return g;
  }

  public NotebookModel model() {
    return model;
  }

  public List<String> variableNames() {
    return g.allVariables().stream().map(v -> v.name()).toList();
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
