package org.rnnport.serve;

import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.predictor.TensorSpec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * Merges concurrent predict requests for one signature of one loaded version into one Session run
 * ({@code rnnport serve --batch-window-us}): a worker takes the first waiting request, gathers those
 * that arrive within the window (up to the row limit) and have the same per-row shapes, concatenates
 * their rows, runs once and hands each request its own rows back.
 */
final class MicroBatcher implements AutoCloseable {
  /** One request: its rows per input (values row-major), and how to answer. */
  record Pending(Map<String, JsonTensors.Dense> inputs, int rows, boolean rowFormat, CompletableFuture<JsonNode> answer) {}

  private final SavedModelPredictor predictor;
  private final SignatureSpec sig;
  private final long windowNanos;
  private final int maxRows;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closed;

  MicroBatcher(SavedModelPredictor predictor, SignatureSpec sig, long windowMicros, int maxRows,
      int threads) {
    this.predictor = predictor;
    this.sig = sig;
    this.windowNanos = TimeUnit.MICROSECONDS.toNanos(windowMicros);
    this.maxRows = maxRows;
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::loop, "rnnport-batch-" + sig.key());
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
  }

  CompletableFuture<JsonNode> submit(Map<String, JsonTensors.Dense> inputs, int rows, boolean rowFormat) {
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    if (closed || predictor.isClosed()) {
      f.completeExceptionally(new SavedModelPredictor.ClosedException(predictor.dir() + " is closed"));
      return f;
    }
    queue.add(new Pending(inputs, rows, rowFormat, f));
    return f;
  }

  private void loop() {
    while (!closed) {
      Pending first;
      try {
        first = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (first == null) {
        if (predictor.isClosed()) {
          closed = true;
        }
        continue;
      }
      List<Pending> batch = new ArrayList<>(List.of(first));
      int rows = first.rows();
      long deadline = System.nanoTime() + windowNanos;
      while (rows < maxRows) {
        long left = deadline - System.nanoTime();
        Pending next;
        try {
          next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
        } catch (InterruptedException e) {
          break;
        }
        if (next == null) {
          break;
        }
        if (rows + next.rows() > maxRows || !sameRowShapes(first, next)) {
          run(List.of(next)); // does not fit this batch: answer it on its own
          continue;
        }
        batch.add(next);
        rows += next.rows();
      }
      run(batch);
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.answer().completeExceptionally(new SavedModelPredictor.ClosedException(predictor.dir() + " is closed"));
    }
  }

  private static boolean sameRowShapes(Pending a, Pending b) {
    for (Map.Entry<String, JsonTensors.Dense> e : a.inputs().entrySet()) {
      long[] x = e.getValue().shape();
      long[] y = b.inputs().get(e.getKey()).shape();
      if (!Arrays.equals(Arrays.copyOfRange(x, 1, x.length), Arrays.copyOfRange(y, 1, y.length))) {
        return false;
      }
    }
    return true;
  }

  private void run(List<Pending> batch) {
    int total = batch.stream().mapToInt(Pending::rows).sum();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (TensorSpec spec : sig.inputs().values()) {
        long[] shape = batch.get(0).inputs().get(spec.key()).shape().clone();
        shape[0] = total;
        int per = batch.get(0).inputs().get(spec.key()).values().length / batch.get(0).rows();
        double[] all = new double[total * per];
        int off = 0;
        for (Pending p : batch) {
          double[] v = p.inputs().get(spec.key()).values();
          System.arraycopy(v, 0, all, off, v.length);
          off += v.length;
        }
        tensors.put(spec.key(), JsonTensors.tensor(spec, shape, all));
      }
      try (Result r = predictor.run(sig, tensors)) {
        int offset = 0;
        for (Pending p : batch) {
          p.answer().complete(p.rowFormat() ? RestServer.rowResponse(sig, r, offset, p.rows())
              : RestServer.columnResponse(sig, r, offset, p.rows()));
          offset += p.rows();
        }
      }
    } catch (RuntimeException e) {
      batch.forEach(p -> p.answer().completeExceptionally(e));
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  @Override
  public void close() {
    closed = true;
    workers.forEach(Thread::interrupt);
  }
}
