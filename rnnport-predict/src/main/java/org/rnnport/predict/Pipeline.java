package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import org.rnnport.eval.ClassificationReport;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.BatchTensors;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.util.Progress;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;

/**
 * The streaming predict pipeline: a reader thread turns input files into batches, N inference
 * workers run them on one loaded SavedModel (thread-safe), and the calling thread writes the
 * results in input order. Bounded queues keep memory to a few batches whatever the input size.
 * The first error anywhere stops every stage and is rethrown.
 */
public final class Pipeline {
  /** An input file, opened in the reader thread. */
  public interface Source {
    String name();

    RowReader open() throws IOException;

    /** Its record count if cheap to know up front, else -1. */
    default long knownRecords() {
      return -1;
    }

    /** Its size in bytes (progress estimate for text formats), or -1. */
    default long bytes() {
      return -1;
    }
  }

  /**
   * @param batchSize records per inference call
   * @param workers concurrent inference calls
   * @param scale multiplies float inputs (1 = none; 1/255 for raw pixel bytes)
   * @param writeKeys outputs handed to the writer
   * @param task the progress bar's label
   */
  public record Settings(int batchSize, int workers, double scale, List<String> writeKeys, String task) {}

  /** What a run did. */
  public record Outcome(long records, long rows, long rejected, double seconds, double inferenceSeconds,
      double warmupSeconds, ClassificationReport report, String predictionKey) {
    public double samplesPerSecond() {
      return rows / seconds;
    }
  }

  private record Work(Chunk chunk, CompletableFuture<Done> done) {}

  private record Done(Chunk chunk, Map<String, Column> outputs) {}

  private static final Done END = new Done(null, null);
  private static final Work POISON = new Work(null, null);

  private final PredictModel model;
  private final Settings settings;
  private final List<String> extractKeys;
  private final String predictionKey;
  private final int signatureClasses;
  private final AtomicLong inferenceNanos = new AtomicLong();
  private volatile boolean aborted;

  public Pipeline(PredictModel model, Settings settings, boolean withLabels) {
    this.model = model;
    this.settings = settings;
    for (String k : settings.writeKeys()) {
      PredictModel.Output o = output(k);
      if (o == null) {
        throw new IllegalArgumentException("no output '" + k + "'; signature " + model.signature() + " has "
            + model.outputs().stream().map(PredictModel.Output::key).toList());
      }
      if (DType.ofTfName(o.dtype()) == null) {
        throw new IllegalArgumentException("output '" + k + "' has dtype " + o.dtype() + ", which predict cannot "
            + "write; choose outputs with --output-keys");
      }
    }
    this.predictionKey = withLabels ? predictionKey(model) : null;
    List<String> keys = new ArrayList<>(settings.writeKeys());
    if (predictionKey != null && !keys.contains(predictionKey)) {
      keys.add(predictionKey);
    }
    this.extractKeys = keys;
    this.signatureClasses = signatureClasses(model);
  }

  /** The class count a [batch, classes] float output (probabilities, logits, ...) declares, or 0. */
  static int signatureClasses(PredictModel model) {
    List<PredictModel.Output> outs = new ArrayList<>(model.outputs());
    outs.sort(java.util.Comparator.comparingInt(o -> o.key().equals("probabilities") ? 0 : o.key().equals("logits") ? 1
        : 2));
    for (PredictModel.Output o : outs) {
      DType d = DType.ofTfName(o.dtype());
      if (d != null && d.floating() && o.shape() != null && o.shape().length == 2 && o.shape()[1] > 1) {
        return (int) o.shape()[1];
      }
    }
    return 0;
  }

  private PredictModel.Output output(String key) {
    return model.outputs().stream().filter(o -> o.key().equals(key)).findFirst().orElse(null);
  }

  private static boolean numeric(PredictModel.Output o) {
    DType d = DType.ofTfName(o.dtype());
    return d != null && d != DType.STRING && d != DType.BOOL;
  }

  /** The output the labels report compares with: {@code classes}, else argmax of probabilities/logits. */
  static String predictionKey(PredictModel model) {
    for (String k : List.of("classes", "probabilities", "logits", "predictions", "output_0")) {
      for (PredictModel.Output o : model.outputs()) {
        if (o.key().equals(k) && numeric(o)) {
          return k;
        }
      }
    }
    for (PredictModel.Output o : model.outputs()) {
      if (numeric(o) && DType.ofTfName(o.dtype()).floating() && o.shape() != null && o.shape().length == 2) {
        return o.key();
      }
    }
    throw new IllegalArgumentException("no output to compare labels with: signature " + model.signature() + " has "
        + model.outputs().stream().map(o -> o.key() + " " + o.dtype()).toList()
        + " (want classes, or a [batch, classes] float output)");
  }

  /**
   * Runs every source through the model.
   *
   * @param out the writer, or null (eval)
   * @param labels the {@code --labels} file, or null (labels may also come in the chunks)
   * @param rejects the rejects sink, or null
   * @param numClasses the report's class count, or 0 to take it from the prediction output's width
   */
  public Outcome run(List<Source> sources, OutputWriter out, LabelSource labels, RejectSink rejects, int numClasses)
      throws IOException {
    long total = 0;
    for (Source s : sources) {
      long k = s.knownRecords();
      total = total < 0 || k < 0 ? -1 : total + k;
    }
    long totalBytes = 0;
    for (Source s : sources) {
      totalBytes += Math.max(0, s.bytes());
    }
    int workers = Math.max(1, settings.workers());
    BlockingQueue<CompletableFuture<Done>> order = new ArrayBlockingQueue<>(2 * workers + 2);
    BlockingQueue<Work> work = new LinkedBlockingQueue<>();
    AtomicLong bytesDone = new AtomicLong();
    RowReader[] current = new RowReader[1];
    Thread reader = new Thread(() -> read(sources, order, work, workers, bytesDone, current), "predict-reader");
    reader.setDaemon(true);
    List<Thread> pool = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(() -> infer(work), "predict-worker-" + i);
      t.setDaemon(true);
      pool.add(t);
    }
    ClassificationReport report = null;
    long records = 0;
    long rows = 0;
    long rejected = 0;
    long t0;
    long t1 = 0;
    double warmup;
    // the reader starts first: it opens the input and fills the bounded queue (2 x workers + 2
    // batches) while TensorFlow's first call runs on zeros, so the first batches are ready when
    // the workers start, as eval's split is (the input is then read before the clock starts, for
    // those batches only)
    reader.start();
    try {
      warmup = warmUp();
      // the bar (a terminal probe and an update thread) is made before the clock starts and its
      // closing (up to one update interval) is not timed either: samples/s measure the pipeline
      ProgressBar bar = Progress.bar(settings.task(), total, " rows", 1);
      t0 = System.nanoTime();
      pool.forEach(Thread::start);
      try (ProgressBar pb = bar) {
        while (true) {
          Done d;
          try {
            d = order.take().get();
          } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
              throw r;
            } else if (c instanceof IOException io) {
              throw io;
            } else if (c instanceof Error err) {
              throw err;
            }
            throw new IOException(c);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
          if (d == END) {
            break;
          }
          Chunk c = d.chunk();
          if (d.outputs() != null && out != null) {
            Map<String, Column> w = new LinkedHashMap<>();
            for (String k : settings.writeKeys()) {
              w.put(k, d.outputs().get(k));
            }
            out.write(w, c.rows());
          }
          if (rejects != null) {
            for (Reject r : c.rejects()) {
              rejects.write(r);
            }
          } else if (!c.rejects().isEmpty()) {
            throw new IllegalStateException("rejected rows without a rejects file");
          }
          int[] truth = c.labels();
          if (labels != null) {
            int[] all = labels.next(c.records());
            truth = new int[c.rows()];
            for (int i = 0; i < truth.length; i++) {
              truth[i] = all[c.good() == null ? i : c.good()[i]];
            }
          }
          if (truth != null && predictionKey != null && c.rows() > 0) {
            Column p = d.outputs().get(predictionKey);
            if (report == null) {
              int n = numClasses > 0 ? numClasses : signatureClasses > 0 ? signatureClasses
                  : p.rowShape().length == 1 && p.rowSize() > 1 ? p.rowSize() : 0;
              if (n <= 0) {
                throw new IllegalArgumentException("cannot tell the number of classes from output '" + predictionKey
                    + "': give --num-classes");
              }
              report = new ClassificationReport(n);
            }
            for (int i = 0; i < truth.length; i++) {
              int pred = predicted(p, i);
              int classes = report.confusion().length;
              if (truth[i] < 0 || truth[i] >= classes) {
                throw new InputException(labels != null ? labels.file() : c.file(), "row " + (c.firstRecord()
                    + (c.good() == null ? i : c.good()[i])), null, "label " + truth[i] + " is outside the model's "
                    + classes + " classes");
              }
              if (pred < 0 || pred >= classes) {
                throw new IllegalStateException("predicted class " + pred + " outside 0.." + (classes - 1));
              }
              report.add(truth[i], pred);
            }
          }
          records += c.records();
          rows += c.rows();
          rejected += c.rejects().size();
          pb.stepBy(c.records());
          if (total < 0 && totalBytes > 0) {
            RowReader r = current[0];
            long b = bytesDone.get() + (r == null ? 0 : Math.max(0, r.bytesRead()));
            if (b > 0) {
              pb.maxHint(Math.max(records, (long) ((double) records * totalBytes / b)));
            }
          }
        }
        if (labels != null) {
          labels.checkEnd();
        }
        if (total < 0) {
          pb.maxHint(records);
        }
        t1 = System.nanoTime();
      }
    } finally {
      stop(reader, pool, work, workers);
    }
    double seconds = (t1 - t0) / 1e9;
    return new Outcome(records, rows, rejected, seconds, inferenceNanos.get() / 1e9, warmup, report, predictionKey);
  }

  /**
   * One call on a full batch of zeros before the clock starts, where every input's row shape is
   * fixed: TensorFlow optimizes the graph, builds its executor and sizes its buffers on the first
   * call (a one-time cost of ~0.1-1 s that would otherwise be charged to the first batch), as
   * {@code rnnport bench} does. Returns its seconds (the report's {@code warmupSeconds}).
   */
  private double warmUp() {
    for (InputBinding b : model.inputs()) {
      if (b.fixedRowSize() < 0) {
        return 0;
      }
    }
    long t = System.nanoTime();
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      int rows = (int) Math.max(1, Math.min(settings.batchSize(), (1 << 24) / Math.max(1, maxRowSize())));
      for (InputBinding b : model.inputs()) {
        feeds.put(b.key(), b.tensor(Column.zeros(b.dtype(), b.rowShape(), rows),
            b.rowShape(), 1, null, "warm-up"));
      }
      try (Result r = model.run(feeds)) {
        return (System.nanoTime() - t) / 1e9;
      }
    } catch (RuntimeException e) {
      return 0; // a model that refuses zeros: the first real batch reports what is wrong
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  private long maxRowSize() {
    return model.inputs().stream().mapToLong(InputBinding::fixedRowSize).max().orElse(1);
  }

  /** Stops every stage (those not started yet included) and waits for them. */
  private void stop(Thread reader, List<Thread> pool, BlockingQueue<Work> work, int workers) {
    aborted = true;
    reader.interrupt();
    for (int i = 0; i < workers; i++) {
      work.offer(POISON);
    }
    for (Thread t : pool) {
      join(t); // returns at once for a worker not started
    }
    join(reader);
    // batches no worker took (the workers stopped, or never started): their tensors, if any
    for (Work w; (w = work.poll()) != null; ) {
      if (w != POISON) {
        w.chunk().release();
      }
    }
  }

  private static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read(List<Source> sources, BlockingQueue<CompletableFuture<Done>> order, BlockingQueue<Work> work,
      int workers, AtomicLong bytesDone, RowReader[] current) {
    try {
      long base = 0;
      for (Source s : sources) {
        long fileRecords = 0;
        try (RowReader r = s.open()) {
          current[0] = r;
          Chunk c;
          while (!aborted && (c = r.read(settings.batchSize())) != null) {
            boolean queued = false;
            try {
              c = rebase(c, base);
              fileRecords = c.firstRecord() - base + c.records();
              CompletableFuture<Done> f = new CompletableFuture<>();
              order.put(f);
              if (c.rows() > 0) {
                work.put(new Work(c, f));
              } else {
                f.complete(new Done(c, null));
              }
              queued = true;
            } finally {
              if (!queued) {
                c.release();
              }
            }
          }
        } finally {
          current[0] = null;
        }
        bytesDone.addAndGet(Math.max(0, s.bytes()));
        base += fileRecords;
      }
      order.put(CompletableFuture.completedFuture(END));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      order.clear(); // the writer takes the error next; what was queued is lost anyway
      order.offer(CompletableFuture.failedFuture(t));
    } finally {
      for (int i = 0; i < workers; i++) {
        work.offer(POISON);
      }
    }
  }

  private static Chunk rebase(Chunk c, long base) {
    if (base == 0) {
      return c;
    }
    List<Reject> rs = c.rejects().stream().map(r -> new Reject(r.file(), r.record() + base, r.where(), r.key(),
        r.error(), r.input())).toList();
    return new Chunk(c.file(), c.firstRecord() + base, c.records(), c.good(), c.inputs(), c.labels(), rs);
  }

  private void infer(BlockingQueue<Work> work) {
    while (true) {
      Work w;
      try {
        w = work.take();
      } catch (InterruptedException e) {
        return;
      }
      if (w == POISON) {
        return;
      }
      if (aborted) {
        w.chunk().release();
        w.done().cancel(false);
        continue;
      }
      try {
        w.done().complete(new Done(w.chunk(), infer(w.chunk())));
      } catch (Throwable t) {
        w.done().completeExceptionally(t);
      }
    }
  }

  /** One batch through the model: the outputs the writer and the report need, as columns. */
  private Map<String, Column> infer(Chunk c) {
    Path file = c.file();
    String where = c.records() == 1 ? "record " + c.firstRecord() : "records " + c.firstRecord() + ".."
        + (c.firstRecord() + c.records() - 1);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (InputBinding b : model.inputs()) {
        Column col = c.inputs().get(b.key());
        feeds.put(b.key(), b.tensor(col, col.rowShape(), settings.scale(), file, where));
      }
      long t0 = System.nanoTime();
      try (Result r = model.run(feeds)) {
        inferenceNanos.addAndGet(System.nanoTime() - t0);
        Map<String, Column> out = new LinkedHashMap<>();
        for (String k : extractKeys) {
          Tensor t = r.get(k).orElseThrow(() -> new IllegalStateException("the model returned no output '" + k + "'"));
          out.put(k, column(t, k, c.rows()));
        }
        return out;
      } catch (org.tensorflow.exceptions.TensorFlowException e) {
        throw new InputException(file, where, null, "TensorFlow refused the batch: " + e.getMessage(), e);
      }
    } finally {
      feeds.values().forEach(Tensor::close);
      c.release(); // inputs that never became feeds (an earlier input failed); fed ones are closed already
    }
  }

  static Column column(Tensor t, String key, int rows) {
    Shape s = t.shape();
    if (s.numDimensions() == 0 || s.size(0) != rows) {
      throw new IllegalStateException("output '" + key + "' has shape " + s + ", not one row per input row (" + rows
          + "); choose per-row outputs with --output-keys");
    }
    return BatchTensors.column(t, key, rows);
  }

  static int predicted(Column p, int row) {
    int rs = p.rowSize();
    if (rs == 1 && p.dtype().integral()) {
      return (int) p.getLong(row);
    }
    int best = 0;
    double bv = p.getDouble(row * rs);
    for (int k = 1; k < rs; k++) {
      double v = p.getDouble(row * rs + k);
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    return best;
  }
}
