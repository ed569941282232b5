package org.rnnport.predictor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * Tensors by name, closed together: a signature's inputs built by the caller, or the outputs of a
 * run. Closing it closes every tensor it holds (and the session {@link Result} they came from).
 *
 * <pre>{@code
 * try (NamedTensors in = new NamedTensors().put("input_X", spec.tensor(images));
 *      NamedTensors out = predictor.run("serving_default", in)) {
 *   TInt64 classes = (TInt64) out.get("classes");
 * }
 * }</pre>
 */
public final class NamedTensors implements AutoCloseable {
  private final Map<String, Tensor> tensors = new LinkedHashMap<>();
  private final Result owner;
  private boolean closed;

  /** An empty holder; {@link #put} adds tensors it then owns. */
  public NamedTensors() {
    this.owner = null;
  }

  private NamedTensors(Result owner) {
    this.owner = owner;
  }

  /** The outputs of a session run, by key; closing this closes the result. */
  public static NamedTensors of(Result result, Iterable<String> keys) {
    NamedTensors n = new NamedTensors(result);
    for (String k : keys) {
      n.tensors.put(k, result.get(k).orElseThrow(() -> new IllegalStateException("the run has no output '" + k + "'")));
    }
    return n;
  }

  /** Adds (or replaces, closing the old one) the tensor for {@code key}; this holder owns it from now on. */
  public NamedTensors put(String key, Tensor t) {
    if (closed) {
      t.close();
      throw new IllegalStateException("closed");
    }
    Tensor old = tensors.put(key, t);
    if (old != null && old != t && owner == null) {
      old.close();
    }
    return this;
  }

  /** The tensor for {@code key}, or an {@link IllegalArgumentException} naming the keys there are. */
  public Tensor get(String key) {
    Tensor t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException("no tensor '" + key + "'; there are " + tensors.keySet());
    }
    return t;
  }

  public boolean has(String key) {
    return tensors.containsKey(key);
  }

  public Set<String> keys() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  /** A read-only view, e.g. for {@code SessionFunction.call}. */
  public Map<String, Tensor> asMap() {
    return Collections.unmodifiableMap(tensors);
  }

  public int size() {
    return tensors.size();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (owner != null) {
      owner.close();
    } else {
      tensors.values().forEach(Tensor::close);
    }
    tensors.clear();
  }
}
