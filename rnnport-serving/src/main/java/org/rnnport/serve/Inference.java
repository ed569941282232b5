package org.rnnport.serve;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * Runs a signature of a served model on tensors: the one path behind REST and gRPC. Resolves the
 * model spec (name, version or label), builds the inputs for the signature, validates them as the
 * plain path does, runs them (through a {@link TensorBatcher} when batching is on and the inputs
 * allow it), filters the outputs, and retries on the version serving now when a hot swap closes the
 * one it found. Knows no HTTP; errors are {@link ServingException}s.
 */
public final class Inference implements AutoCloseable {
  /** What a request names: model, and optionally version or label, and signature. */
  public record Spec(String model, Long version, String label, String signature) {}

  /** A finished run: which version answered, with which signature, and its outputs (the caller closes them). */
  public record Answer(ModelRepository.Loaded loaded, SignatureSpec sig, NamedTensors outputs) implements AutoCloseable {
    @Override
    public void close() {
      outputs.close();
    }
  }

  private final ModelRepository repo;
  private final BatchingOptions batching;
  private final long timeoutMillis;
  private final Map<SavedModelPredictor, Map<String, TensorBatcher>> batchers = new HashMap<>();
  /**
   * Per loaded version and signature: a moving average of its unbatched session runs, in ns. Weak keys: an
   * unloaded version's predictor must not stay reachable from here after a reload.
   */
  private final Map<SavedModelPredictor, Map<String, java.util.concurrent.atomic.AtomicLong>> runNanos =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /**
   * Where an unbatched session run goes, for a caller that must not block: {@code quick} says the
   * recent runs of this signature took under {@link #QUICK_NANOS} (such a run may be done inline
   * when nothing else waits); refusing it ({@link RejectedExecutionException}) answers
   * RESOURCE_EXHAUSTED.
   */
  public interface Sessions {
    void execute(Runnable run, boolean quick);
  }

  /** A session run under this (on average) counts as quick. */
  public static final long QUICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /**
   * @param batching TF Serving-style batching, or null for none
   * @param timeoutMillis how long a batched request may wait for its answer (DEADLINE_EXCEEDED after)
   */
  public Inference(ModelRepository repo, BatchingOptions batching, long timeoutMillis) {
    this.repo = repo;
    this.batching = batching;
    this.timeoutMillis = timeoutMillis;
    repo.onUnload(this::closeBatchers);
  }

  public ModelRepository repository() {
    return repo;
  }

  public boolean batching() {
    return batching != null;
  }

  /** The loaded version a spec names. */
  public ModelRepository.Loaded resolve(Spec spec) {
    return repo.get(spec.model(), spec.version(), spec.label());
  }

  /**
   * Runs a signature. {@code inputs} builds this request's input tensors for the signature found
   * (called again if a hot swap makes it retry); {@code outputFilter} (null or empty: all) names the
   * outputs to answer. The future fails with a {@link ServingException}.
   */
  public CompletableFuture<Answer> run(Spec spec, Function<SignatureSpec, NamedTensors> inputs,
      Collection<String> outputFilter) {
    return attempt(spec, inputs, outputFilter, null, 0);
  }

  /**
   * As {@link #run(Spec, Function, Collection)}, for a caller that must not block (an I/O thread):
   * the inputs are built and checked here, a request the batcher takes is queued from here (no
   * thread hand-off), and an unbatched session run goes to {@code sessions}; when that refuses it,
   * RESOURCE_EXHAUSTED.
   */
  public CompletableFuture<Answer> run(Spec spec, Function<SignatureSpec, NamedTensors> inputs,
      Collection<String> outputFilter, Sessions sessions) {
    return attempt(spec, inputs, outputFilter, sessions, 0);
  }

  private CompletableFuture<Answer> attempt(Spec spec, Function<SignatureSpec, NamedTensors> inputs,
      Collection<String> outputFilter, Sessions sessions, int attempt) {
    CompletableFuture<Answer> f;
    try {
      f = once(spec, inputs, outputFilter, sessions);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle((a, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(a);
      }
      Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      if (c instanceof SavedModelPredictor.ClosedException && attempt < 3) {
        return attempt(spec, inputs, outputFilter, sessions, attempt + 1); // swapped out under us: the version serving now
      }
      return CompletableFuture.<Answer>failedFuture(ServingException.of(c));
    }).thenCompose(x -> x);
  }

  private CompletableFuture<Answer> once(Spec spec, Function<SignatureSpec, NamedTensors> inputs,
      Collection<String> outputFilter, Sessions sessions) {
    ModelRepository.Loaded loaded = resolve(spec);
    SavedModelPredictor p = loaded.predictor();
    SignatureSpec sig = p.signature(spec.signature());
    List<String> keep = outputKeys(sig, outputFilter);
    p.checkUsable(sig); // a signature with an unserved dtype is refused by name before its inputs are decoded
    NamedTensors in = inputs.apply(sig);
    boolean handedOver = false;
    try {
      long rows = p.validate(sig, in.asMap());
      if (batching != null && rows > 0 && rows <= batching.maxBatchSize() && batchable(sig, in)) {
        Map<String, Tensor> owned = new LinkedHashMap<>(in.asMap());
        handedOver = true; // the batcher closes the input tensors from here on
        CompletableFuture<NamedTensors> out = batcher(p, sig).submit(owned, (int) rows);
        return out.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).thenApply(o -> new Answer(loaded, sig, filter(o, keep)));
      }
      if (sessions == null) {
        return CompletableFuture.completedFuture(session(loaded, sig, in, keep));
      }
      CompletableFuture<Answer> out = new CompletableFuture<>();
      java.util.concurrent.atomic.AtomicLong avg = runNanos.computeIfAbsent(p, k -> new java.util.concurrent.ConcurrentHashMap<>())
          .computeIfAbsent(sig.key(), k -> new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE));
      try {
        sessions.execute(() -> {
          try (in) {
            long t0 = System.nanoTime();
            Answer a = session(loaded, sig, in, keep);
            long took = System.nanoTime() - t0;
            long old = avg.get(); // a moving average (1/8 for the newest run); racing updates may lose one
            avg.set(old == Long.MAX_VALUE ? took : old - old / 8 + took / 8);
            out.complete(a);
          } catch (RuntimeException e) {
            out.completeExceptionally(e);
          }
        }, avg.get() < QUICK_NANOS);
      } catch (RejectedExecutionException e) {
        throw ServingException.busy("server busy; retry");
      }
      handedOver = true; // the task closes the input tensors
      return out;
    } finally {
      if (!handedOver) {
        in.close();
      }
    }
  }

  private static Answer session(ModelRepository.Loaded loaded, SignatureSpec sig, NamedTensors in, List<String> keep) {
    Result r = loaded.predictor().run(sig, in.asMap());
    try {
      return new Answer(loaded, sig, NamedTensors.of(r, keep));
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
  }

  private static boolean batchable(SignatureSpec sig, NamedTensors in) {
    for (String k : in.keys()) {
      Tensor t = in.get(k);
      if (!TensorRows.fixedSize(t) || t.shape().numDimensions() == 0) {
        return false;
      }
    }
    return true;
  }

  /** The output keys to answer: all, or the filter's (each must be an output of the signature). */
  static List<String> outputKeys(SignatureSpec sig, Collection<String> filter) {
    if (filter == null || filter.isEmpty()) {
      return List.copyOf(sig.outputs().keySet());
    }
    for (String k : filter) {
      if (!sig.outputs().containsKey(k)) {
        throw ServingException.invalid("output tensor alias not found in signature: " + k + " Outputs expected to be in "
            + "the set {" + String.join(",", sig.outputs().keySet()) + "}.");
      }
    }
    return sig.outputs().keySet().stream().filter(filter::contains).toList();
  }

  private static NamedTensors filter(NamedTensors all, List<String> keep) {
    if (keep.size() == all.size()) {
      return all;
    }
    NamedTensors out = new NamedTensors();
    for (String k : keep) {
      Tensor t = all.get(k);
      // a copy the filtered answer owns (the run's result owns the originals): raw rows, or through the codec for strings
      out.put(k, TensorRows.fixedSize(t) ? TensorRows.slice(t, 0, t.shape().numDimensions() == 0 ? 0 : t.shape().size(0))
          : org.rnnport.tensorio.HostTensor.of(k, t).toTensor());
    }
    all.close();
    return out;
  }

  private synchronized TensorBatcher batcher(SavedModelPredictor p, SignatureSpec sig) {
    return batchers.computeIfAbsent(p, k -> new HashMap<>()).computeIfAbsent(sig.key(),
        k -> new TensorBatcher(p, sig, batching));
  }

  private void closeBatchers(SavedModelPredictor p) {
    runNanos.remove(p);
    Map<String, TensorBatcher> m;
    synchronized (this) {
      m = batchers.remove(p);
    }
    if (m != null) {
      m.values().forEach(TensorBatcher::close);
    }
  }

  @Override
  public void close() {
    List<SavedModelPredictor> ps;
    synchronized (this) {
      ps = List.copyOf(batchers.keySet());
    }
    ps.forEach(this::closeBatchers);
  }
}
