package org.rnnport.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A SavedModel loaded for predictions: any rnnport export or a Python one (TF1 Builder or TF2
 * {@code tf.saved_model.save}). Safe to call from many threads at once; {@link #close()} waits for
 * the calls in flight, then frees the native session (no leak: a loop of predictions keeps the
 * process's resident memory flat, see the README's benchmark).
 *
 * <pre>{@code
 * try (SavedModelPredictor p = SavedModelPredictor.load(Path.of("savedmodels/mnist-rnn/1"))) {
 *   float[][][] images = new float[2][28][28];           // two MNIST images, rows of pixels in [0, 1]
 *   Map<String, Object> out = p.predict(Map.of("input_X", images));
 *   long[] classes = (long[]) out.get("classes");       // float[][] "logits", "probabilities"
 * }
 * }</pre>
 */
public final class SavedModelPredictor implements AutoCloseable {
  public static final String DEFAULT_TAG = "serve";
  public static final String DEFAULT_SIGNATURE = "serving_default";

  private final Path dir;
  private final SavedModelBundle bundle;
  private final Map<String, Signature> signatures;
  private final int maxBatch;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /** A signature's inputs and outputs, by key. */
  public record Signature(String key, String methodName, Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {}

  private SavedModelPredictor(Path dir, SavedModelBundle bundle, int maxBatch) {
    this.dir = dir;
    this.bundle = bundle;
    this.maxBatch = maxBatch;
    Map<String, Signature> sigs = new LinkedHashMap<>();
    MetaGraphDef mg = bundle.metaGraphDef();
    for (Map.Entry<String, SignatureDef> e : mg.getSignatureDefMap().entrySet()) {
      if (e.getKey().startsWith("__")) {
        continue; // e.g. __saved_model_init_op
      }
      sigs.put(e.getKey(), new Signature(e.getKey(), e.getValue().getMethodName(), specs(e.getValue().getInputsMap()),
          specs(e.getValue().getOutputsMap())));
    }
    this.signatures = Collections.unmodifiableMap(sigs);
  }

  /** Loads {@code dir} with tag {@code serve}, at most 1,024 rows per call. */
  public static SavedModelPredictor load(Path dir) throws IOException {
    return load(dir, DEFAULT_TAG, 1024);
  }

  /**
   * Loads a SavedModel version folder.
   *
   * @param maxBatch the most rows one call may carry (larger calls are rejected, not split)
   */
  public static SavedModelPredictor load(Path dir, String tag, int maxBatch) throws IOException {
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new IOException(dir + ": not a SavedModel (no saved_model.pb)");
    }
    SavedModelBundle b;
    try {
      b = SavedModelBundle.load(dir.toString(), tag);
    } catch (RuntimeException e) {
      throw new IOException(dir + ": cannot load the SavedModel: " + e.getMessage(), e);
    }
    SavedModelPredictor p = new SavedModelPredictor(dir, b, maxBatch);
    if (p.signatures.isEmpty()) {
      p.close();
      throw new IOException(dir + ": the SavedModel has no signatures");
    }
    return p;
  }

  private static Map<String, TensorSpec> specs(Map<String, TensorInfo> m) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    new java.util.TreeMap<>(m).forEach((k, v) -> {
      TensorShapeProto s = v.getTensorShape();
      long[] shape = s.getUnknownRank() ? null : s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
      out.put(k, new TensorSpec(k, v.getDtype().name(), shape, v.getName()));
    });
    return Collections.unmodifiableMap(out);
  }

  public Path dir() {
    return dir;
  }

  /** Every signature, by key. */
  public Map<String, Signature> signatures() {
    return signatures;
  }

  /** A signature by key; {@code null} or empty means serving_default. */
  public Signature signature(String key) {
    String k = key == null || key.isEmpty() ? DEFAULT_SIGNATURE : key;
    Signature s = signatures.get(k);
    if (s == null) {
      throw new BadRequestException("unknown signature_name '" + k + "'; this model has " + signatures.keySet());
    }
    return s;
  }

  /** The SavedModel's MetaGraphDef (for metadata answers). */
  public MetaGraphDef metaGraphDef() {
    return bundle.metaGraphDef();
  }

  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Predicts from Java arrays ({@code float[]...}, {@code int[]...} or {@code long[]...}, one per input
   * key, first dimension the batch) with serving_default; returns each output as a Java array.
   */
  public Map<String, Object> predict(Map<String, Object> inputs) {
    return predict(DEFAULT_SIGNATURE, inputs);
  }

  /** As {@link #predict(Map)}, with a named signature. */
  public Map<String, Object> predict(String signatureKey, Map<String, Object> inputs) {
    Signature sig = signature(signatureKey);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Object> e : inputs.entrySet()) {
        TensorSpec spec = sig.inputs().get(e.getKey());
        if (spec == null) {
          throw new BadRequestException("unknown input '" + e.getKey() + "'; signature " + sig.key() + " takes "
              + sig.inputs().keySet());
        }
        tensors.put(e.getKey(), JsonTensors.fromJava(spec, e.getValue()));
      }
      try (Result r = run(sig, tensors)) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : sig.outputs().keySet()) {
          out.put(k, JsonTensors.toJava(r.get(k).orElseThrow()));
        }
        return out;
      }
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  /**
   * Runs a signature on tensors the caller owns; the caller closes the {@link Result}. Checks the
   * keys, dtypes, ranks and dimensions against the signature and the batch against the limit.
   */
  public Result run(Signature sig, Map<String, Tensor> inputs) {
    if (!inputs.keySet().equals(sig.inputs().keySet())) {
      throw new BadRequestException("signature " + sig.key() + " takes inputs " + sig.inputs().keySet() + ", got "
          + inputs.keySet());
    }
    long batch = -1;
    for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
      TensorSpec spec = sig.inputs().get(e.getKey());
      Shape s = e.getValue().shape();
      JsonTensors.checkShape(spec, s.asArray());
      if (s.numDimensions() > 0) {
        if (batch >= 0 && s.size(0) != batch) {
          throw new BadRequestException("inputs disagree on the batch size: " + batch + " vs " + s.size(0));
        }
        batch = s.size(0);
      }
    }
    if (batch == 0) {
      throw new BadRequestException("empty batch: no rows to predict");
    }
    if (batch > maxBatch) {
      throw new BadRequestException(413, batch + " rows is more than this server's limit of " + maxBatch + " per request");
    }
    lock.readLock().lock();
    try {
      if (closed) {
        throw new ClosedException(dir + " is closed");
      }
      SessionFunction fn = bundle.function(sig.key());
      return fn.call(inputs);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Thrown by a call that arrives after {@link #close()} (a hot swap retries on the new version). */
  public static final class ClosedException extends IllegalStateException {
    public ClosedException(String message) {
      super(message);
    }
  }

  /** Waits for the calls in flight, then frees the native graph and session. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        bundle.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  public boolean isClosed() {
    return closed;
  }
}
