package org.rnnport.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * TF Serving-style batching of one signature of one loaded version, on tensors (no HTTP, no JSON):
 * requests wait in a bounded queue; a worker takes the first, gathers those with the same per-row
 * shapes that arrive within {@code batch_timeout_micros} (up to {@code max_batch_size} rows),
 * concatenates their rows (padding to an allowed batch size), runs once and hands each request its
 * own rows of every output. A full queue refuses at once (RESOURCE_EXHAUSTED); a request submitted
 * while the batcher closes fails at once (UNAVAILABLE), never waits forever.
 */
final class TensorBatcher implements AutoCloseable {
  /** One request: its inputs (owned by the batcher from submit on), rows, shape key and answer. */
  private record Pending(Map<String, Tensor> inputs, int rows, String shapeKey, CompletableFuture<NamedTensors> answer) {}

  private final SavedModelPredictor predictor;
  private final SignatureSpec sig;
  private final BatchingOptions opts;
  private final BlockingQueue<Pending> queue;
  private final List<Thread> workers = new ArrayList<>();
  private final Object lock = new Object();
  private boolean closed;

  TensorBatcher(SavedModelPredictor predictor, SignatureSpec sig, BatchingOptions opts) {
    this.predictor = predictor;
    this.sig = sig;
    this.opts = opts;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, opts.maxEnqueuedBatches() * opts.maxBatchSize()));
    for (int i = 0; i < opts.numBatchThreads(); i++) {
      Thread t = new Thread(this::loop, "rnnport-batch-" + sig.key() + "-" + i);
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
  }

  /**
   * Queues a request whose inputs the caller validated (fixed-size dtypes, a batch dimension); the
   * batcher owns and closes them. The answer holds this request's rows of every output; if nobody
   * takes it (the caller timed out), the batcher closes it.
   */
  CompletableFuture<NamedTensors> submit(Map<String, Tensor> inputs, int rows) {
    CompletableFuture<NamedTensors> f = new CompletableFuture<>();
    StringBuilder key = new StringBuilder();
    // requests whose per-row shapes differ merge only when pad_variable_length_inputs pads them to one
    inputs.forEach((k, t) -> key.append(k).append(opts.padVariableLengthInputs() ? "rank " + t.shape().numDimensions()
        : Arrays.toString(TensorRows.rowShape(t))).append(t.dataType()));
    Pending p = new Pending(inputs, rows, key.toString(), f);
    synchronized (lock) {
      if (closed || predictor.isClosed()) {
        closeInputs(p);
        f.completeExceptionally(new SavedModelPredictor.ClosedException(predictor.dir() + " is closed"));
        return f;
      }
      if (!queue.offer(p)) {
        closeInputs(p);
        f.completeExceptionally(ServingException.busy("the batching queue of " + sig.key() + " is full ("
            + opts.maxEnqueuedBatches() + " batches of " + opts.maxBatchSize() + "); retry"));
      }
    }
    return f;
  }

  private void loop() {
    Deque<Pending> leftover = new ArrayDeque<>();
    while (true) {
      Pending first = leftover.poll();
      if (first == null) {
        try {
          first = queue.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          break;
        }
      }
      if (first == null) {
        synchronized (lock) {
          if (closed) {
            break;
          }
        }
        continue;
      }
      List<Pending> batch = new ArrayList<>(List.of(first));
      int rows = first.rows();
      long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(opts.batchTimeoutMicros());
      while (rows < opts.maxBatchSize()) {
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
        if (rows + next.rows() > opts.maxBatchSize() || !next.shapeKey().equals(first.shapeKey())) {
          leftover.add(next); // the next batch starts with it
          if (leftover.size() > opts.maxBatchSize()) {
            break;
          }
          continue;
        }
        batch.add(next);
        rows += next.rows();
      }
      run(batch, rows);
    }
    // closed: whatever is still queued fails at once (the caller retries on the version serving now)
    List<Pending> rest = new ArrayList<>(leftover);
    queue.drainTo(rest);
    for (Pending p : rest) {
      closeInputs(p);
      p.answer().completeExceptionally(new SavedModelPredictor.ClosedException(predictor.dir() + " is closed"));
    }
  }

  private void run(List<Pending> batch, int rows) {
    Map<String, Tensor> merged = new LinkedHashMap<>();
    try {
      int padded = opts.paddedSize(rows);
      for (String k : sig.inputs().keySet()) {
        List<Tensor> parts = new ArrayList<>(batch.size());
        for (Pending p : batch) {
          parts.add(p.inputs().get(k));
        }
        List<Tensor> padParts = opts.padVariableLengthInputs() ? padded(parts) : parts;
        try {
          merged.put(k, batch.size() == 1 && padded == rows && padParts == parts ? null
              : TensorRows.concat(padParts, padded - rows));
        } finally {
          if (padParts != parts) {
            padParts.forEach(Tensor::close);
          }
        }
      }
      Map<String, Tensor> feed = new LinkedHashMap<>();
      merged.forEach((k, t) -> feed.put(k, t != null ? t : batch.get(0).inputs().get(k)));
      try (Result r = predictor.run(sig, feed)) {
        int offset = 0;
        for (Pending p : batch) {
          NamedTensors out = new NamedTensors();
          try {
            for (String k : sig.outputs().keySet()) {
              Tensor t = r.get(k).orElseThrow(() -> new IllegalStateException("the run has no output '" + k + "'"));
              out.put(k, t.shape().numDimensions() == 0 ? TensorRows.slice(t, 0, 0) : TensorRows.slice(t, offset, p.rows()));
            }
          } catch (RuntimeException | Error e) {
            out.close();
            throw e;
          }
          if (!p.answer().complete(out)) {
            out.close(); // the caller gave up (timeout)
          }
          offset += p.rows();
        }
      }
    } catch (Throwable e) {
      // Errors too (out of memory concatenating): every request of the batch gets its answer, and
      // this worker keeps taking batches
      batch.forEach(p -> p.answer().completeExceptionally(e));
    } finally {
      merged.values().forEach(t -> {
        if (t != null) {
          t.close();
        }
      });
      batch.forEach(TensorBatcher::closeInputs);
    }
  }

  /** The parts padded to their largest per-row shape, or {@code parts} itself when they all have it. */
  private static List<Tensor> padded(List<Tensor> parts) {
    long[] max = TensorRows.rowShape(parts.get(0)).clone();
    boolean differ = false;
    for (Tensor t : parts) {
      long[] r = TensorRows.rowShape(t);
      for (int i = 0; i < r.length; i++) {
        differ |= r[i] != max[i];
        max[i] = Math.max(max[i], r[i]);
      }
    }
    if (!differ) {
      return parts;
    }
    List<Tensor> out = new ArrayList<>();
    for (Tensor t : parts) {
      out.add(TensorRows.padTo(t, max));
    }
    return out;
  }

  private static void closeInputs(Pending p) {
    p.inputs().values().forEach(Tensor::close);
  }

  /** Stops taking requests; queued ones fail with UNAVAILABLE; returns once the workers are done. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    for (Thread t : workers) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
