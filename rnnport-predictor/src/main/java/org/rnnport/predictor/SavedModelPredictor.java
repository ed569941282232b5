package org.rnnport.predictor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A SavedModel loaded for predictions: any rnnport export or a Python one (TF1 Builder or TF2
 * {@code tf.saved_model.save}). Safe to call from many threads at once; {@link #close()} waits for
 * the calls in flight, then frees the native session.
 *
 * <pre>{@code
 * try (SavedModelPredictor p = SavedModelPredictor.builder(Path.of("savedmodels/mnist-rnn/1")).build()) {
 *   float[][][] images = new float[2][28][28];           // two MNIST images, rows of pixels in [0, 1]
 *   Map<String, Object> out = p.predict(Map.of("input_X", images));
 *   long[] classes = (long[]) out.get("classes");       // float[][] "logits", "probabilities"
 * }
 * }</pre>
 */
public final class SavedModelPredictor implements AutoCloseable {
  /** The meta graph tag loaded unless {@link Builder#optTags} says otherwise. */
  public static final String DEFAULT_TAG = "serve";
  /** The signature key used when none is given. */
  public static final String DEFAULT_SIGNATURE = "serving_default";
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelPredictor.class);

  private final Path dir;
  private final SavedModelBundle bundle;
  private final Map<String, SignatureSpec> signatures;
  private final MetaGraphDef metaGraph;
  private final Map<String, String> unusable;
  private final Map<String, Map<String, TensorSpec>> inputChecks;
  private final int maxBatch;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /** How to load a SavedModel: {@code set*} for what is required, {@code opt*} for what has a default. */
  public static final class Builder {
    private final Path dir;
    private String[] tags = {DEFAULT_TAG};
    private int maxBatch = 1024;
    private boolean resolveVersion = true;
    private org.tensorflow.proto.ConfigProto config;

    private Builder(Path dir) {
      this.dir = dir;
    }

    /**
     * The meta graph's tags ({@code serve} by default).
     *
     * @param tags the tags of the meta graph to load
     * @return this builder
     */
    public Builder optTags(String... tags) {
      this.tags = tags.clone();
      return this;
    }

    /**
     * The most rows one call may carry: larger calls are rejected, not split (1,024 by default).
     *
     * @param maxBatch at least 1
     * @return this builder
     */
    public Builder optMaxBatch(int maxBatch) {
      if (maxBatch < 1) {
        throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
      }
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * Whether a base folder of versions resolves to its highest version (true by default); false
     * demands a version folder itself.
     *
     * @param resolve false to load {@code dir} only as a version folder
     * @return this builder
     */
    public Builder optResolveVersion(boolean resolve) {
      this.resolveVersion = resolve;
      return this;
    }

    /**
     * The session configuration (threads, graph optimizations such as XLA's {@code global_jit_level}); TensorFlow's
     * defaults when not set.
     *
     * @param config the session's ConfigProto
     * @return this builder
     */
    public Builder optConfig(org.tensorflow.proto.ConfigProto config) {
      this.config = config;
      return this;
    }

    /**
     * Loads the SavedModel.
     *
     * @return the loaded predictor, to be closed by the caller
     * @throws IOException naming the folder and what is wrong (no SavedModel there, a tag set it lacks, TensorFlow's load error)
     */
    public SavedModelPredictor build() throws IOException {
      Path d = resolveVersion ? ModelVersions.resolve(dir) : dir;
      if (!Files.isRegularFile(d.resolve("saved_model.pb"))) {
        throw new IOException(d + ": not a SavedModel (no saved_model.pb)");
      }
      org.tensorflow.proto.ConfigProto config = withLevers(this.config);
      SavedModelBundle b;
      MetaGraphDef original = null;
      Map<String, String> unusable = new TreeMap<>();
      try {
        b = config == null ? SavedModelBundle.load(d.toString(), tags)
            : SavedModelBundle.loader(d.toString()).withTags(tags).withConfigProto(config).load();
      } catch (IllegalArgumentException e) {
        // TF Java's loader refuses the whole model when one signature does not match its graph (a
        // declared dtype or shape the tensor does not have); TF Serving loads such a model and fails
        // only a call to that signature. Do the same: load without the signatures that do not match.
        original = OddSignatures.metaGraph(d, tags);
        unusable.putAll(OddSignatures.check(original));
        if (unusable.isEmpty()) {
          throw new IOException(d + ": cannot load the SavedModel: " + e.getMessage(), e);
        }
        LOG.warn("{}: loading without the signatures that do not match the graph: {}", d, unusable);
        try {
          b = OddSignatures.loadWithout(d, tags, unusable.keySet(), config);
        } catch (RuntimeException e2) {
          throw new IOException(d + ": cannot load the SavedModel: " + e2.getMessage(), e2);
        }
      } catch (RuntimeException e) {
        throw new IOException(d + ": cannot load the SavedModel: " + e.getMessage(), e);
      }
      OddSignatures.sharedOutputs(original != null ? original : b.metaGraphDef()).forEach(unusable::putIfAbsent);
      SavedModelPredictor p = new SavedModelPredictor(d, b, maxBatch, original, unusable);
      if (p.signatures.isEmpty()) {
        p.close();
        throw new IOException(d + ": the SavedModel has no signatures");
      }
      LOG.debug("loaded {} with signatures {}", d, p.signatures.keySet());
      return p;
    }
  }

  /**
   * Session levers for benchmarks, read from system properties: {@code -Drnnport.tf.disableThreadSpinning=true}
   * (TensorFlow's thread pools block instead of spinning while they wait for work,
   * {@code ConfigProto.experimental.disable_thread_spinning}); {@code -Drnnport.tf.predictor.intraOpThreads=N} and
   * {@code -Drnnport.tf.predictor.interOpThreads=N} (the threads of every predictor's session, over what the
   * caller's config says; a negative inter-op count runs each op in the calling thread). None set: {@code config}.
   */
  static org.tensorflow.proto.ConfigProto withLevers(org.tensorflow.proto.ConfigProto config) {
    boolean noSpin = Boolean.getBoolean("rnnport.tf.disableThreadSpinning");
    Integer intra = Integer.getInteger("rnnport.tf.predictor.intraOpThreads");
    Integer inter = Integer.getInteger("rnnport.tf.predictor.interOpThreads");
    if (!noSpin && intra == null && inter == null) {
      return config;
    }
    org.tensorflow.proto.ConfigProto.Builder b = config == null ? org.tensorflow.proto.ConfigProto.newBuilder()
        : config.toBuilder();
    if (noSpin) {
      b.getExperimentalBuilder().setDisableThreadSpinning(true);
    }
    if (intra != null) {
      b.setIntraOpParallelismThreads(intra);
    }
    if (inter != null) {
      b.setInterOpParallelismThreads(inter);
    }
    return b.build();
  }

  /**
   * A builder for the SavedModel at {@code dir}: a version folder, or a base folder of versions.
   *
   * @param dir the model folder
   * @return a builder with every option at its default
   */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /**
   * Loads {@code dir} (a version folder, or a base folder's highest version) with tag {@code serve}.
   *
   * @param dir the model folder
   * @return the loaded predictor, to be closed by the caller
   * @throws IOException as {@link Builder#build()} does
   */
  public static SavedModelPredictor load(Path dir) throws IOException {
    return builder(dir).build();
  }

  private SavedModelPredictor(Path dir, SavedModelBundle bundle, int maxBatch, MetaGraphDef original,
      Map<String, String> unusable) {
    this.dir = dir;
    this.bundle = bundle;
    this.maxBatch = maxBatch;
    this.metaGraph = original != null ? original : bundle.metaGraphDef();
    this.unusable = Map.copyOf(unusable);
    Map<String, SignatureSpec> sigs = new LinkedHashMap<>();
    MetaGraphDef mg = metaGraph;
    for (Map.Entry<String, SignatureDef> e : new TreeMap<>(mg.getSignatureDefMap()).entrySet()) {
      if (e.getKey().startsWith("__")) {
        continue; // e.g. __saved_model_init_op
      }
      sigs.put(e.getKey(), new SignatureSpec(e.getKey(), e.getValue().getMethodName(), specs(e.getValue().getInputsMap()),
          specs(e.getValue().getOutputsMap())));
    }
    this.signatures = Collections.unmodifiableMap(sigs);
    Map<String, Map<String, TensorSpec>> checks = new LinkedHashMap<>();
    for (SignatureSpec sig : sigs.values()) {
      if (!this.unusable.containsKey(sig.key())) {
        checks.put(sig.key(), graphSpecs(bundle.graph(), sig));
      }
    }
    this.inputChecks = Collections.unmodifiableMap(checks);
  }

  /**
   * What a call is checked against, as TF Serving checks it: the signature's key and dtype, and the
   * graph's own shape of the tensor fed: a placeholder's declared shape (for rnnport's models the
   * signature's shape), no shape for any other tensor (the signature's shape is advisory; the graph
   * decides).
   */
  private static Map<String, TensorSpec> graphSpecs(org.tensorflow.Graph g, SignatureSpec sig) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    sig.inputs().forEach((k, spec) -> {
      long[] shape = null;
      try {
        org.tensorflow.Output<?> o = g.output(spec.tensorName());
        String type = o.op().type();
        if ((type.equals("Placeholder") || type.equals("PlaceholderWithDefault")) && !o.shape().isUnknown()) {
          shape = o.shape().asArray();
        }
      } catch (RuntimeException e) {
        shape = spec.shape();
      }
      out.put(k, new TensorSpec(k, spec.dtype(), shape, spec.tensorName()));
    });
    return out;
  }

  private static Map<String, TensorSpec> specs(Map<String, TensorInfo> m) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    new TreeMap<>(m).forEach((k, v) -> {
      TensorShapeProto s = v.getTensorShape();
      long[] shape = s.getUnknownRank() ? null : s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
      out.put(k, new TensorSpec(k, v.getDtype().name(), shape, v.getName()));
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * The version folder this predictor loaded.
   *
   * @return the folder
   */
  public Path dir() {
    return dir;
  }

  /**
   * Every signature, by key (internal ones such as {@code __saved_model_init_op} left out).
   *
   * @return the signatures by key
   */
  public Map<String, SignatureSpec> signatures() {
    return signatures;
  }

  /**
   * A signature by key.
   *
   * @param key the signature key; {@code null} or empty means {@code serving_default}
   * @return the signature
   * @throws InvalidInputException when the model has no such signature (the message lists those it has)
   */
  public SignatureSpec signature(String key) {
    String k = key == null || key.isEmpty() ? DEFAULT_SIGNATURE : key;
    SignatureSpec s = signatures.get(k);
    if (s == null) {
      throw new InvalidInputException("unknown signature_name '" + k + "'; this model has " + signatures.keySet());
    }
    return s;
  }

  /**
   * The SavedModel's MetaGraphDef (for metadata answers), every signature included.
   *
   * @return the meta graph loaded
   */
  public MetaGraphDef metaGraphDef() {
    return metaGraph;
  }

  /**
   * Signatures loaded but not callable, with the reason (one that declares a dtype or shape its
   * graph tensor does not have): the model serves its other signatures, as TF Serving does.
   *
   * @return the reason by signature key; empty for most models
   */
  public Map<String, String> unusableSignatures() {
    return unusable;
  }

  /**
   * The most rows one call may carry ({@link Builder#optMaxBatch}).
   *
   * @return the limit
   */
  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Predicts from Java arrays (one per input key, first dimension the batch; see
   * {@link Tensors#of(TensorSpec, Object)}) with {@code serving_default}; returns each output as a
   * Java array.
   *
   * @param inputs an array per input key
   * @return an array per output key ({@link Tensors#toArray})
   * @throws InvalidInputException for an unknown key, a wrong dtype or shape, or too many rows
   */
  public Map<String, Object> predict(Map<String, Object> inputs) {
    return predict(DEFAULT_SIGNATURE, inputs);
  }

  /**
   * As {@link #predict(Map)}, with a named signature.
   *
   * @param signatureKey the signature key ({@code null} for {@code serving_default})
   * @param inputs an array per input key
   * @return an array per output key
   * @throws InvalidInputException for an unknown signature or key, a wrong dtype or shape, or too many rows
   */
  public Map<String, Object> predict(String signatureKey, Map<String, Object> inputs) {
    SignatureSpec sig = signature(signatureKey);
    try (NamedTensors in = new NamedTensors()) {
      for (Map.Entry<String, Object> e : inputs.entrySet()) {
        in.put(e.getKey(), Tensors.of(inputSpec(sig, e.getKey()), e.getValue()));
      }
      try (NamedTensors out = run(sig.key(), in)) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : out.keys()) {
          m.put(k, Tensors.toArray(out.get(k)));
        }
        return m;
      }
    }
  }

  /**
   * The spec of an input of a signature.
   *
   * @param sig the signature
   * @param key the input key
   * @return the input's spec
   * @throws InvalidInputException naming the keys the signature takes, when it has no input {@code key}
   */
  public static TensorSpec inputSpec(SignatureSpec sig, String key) {
    TensorSpec spec = sig.inputs().get(key);
    if (spec == null) {
      throw new InvalidInputException("unknown input '" + key + "'; signature " + sig.key() + " takes "
          + sig.inputs().keySet());
    }
    return spec;
  }

  /**
   * Runs a signature on tensors the caller owns; the caller closes the returned outputs.
   *
   * @param signatureKey the signature key ({@code null} for {@code serving_default})
   * @param inputs a tensor per input key, still owned by the caller
   * @return the outputs by key, to be closed by the caller
   * @throws InvalidInputException for an unknown signature or key, a wrong dtype or shape, or too many rows
   */
  public NamedTensors run(String signatureKey, NamedTensors inputs) {
    SignatureSpec sig = signature(signatureKey);
    return NamedTensors.of(run(sig, inputs.asMap()), sig.outputs().keySet());
  }

  /**
   * The class of each row: the signature's {@code classes} output where it has one, else the
   * argmax of {@code probabilities}, {@code logits} or its single float output. The one
   * "run a SavedModel, then argmax" of rnnport (eval, parity and serving use it).
   *
   * @param signatureKey the signature key ({@code null} for {@code serving_default})
   * @param inputs a tensor per input key, still owned by the caller
   * @return the class of each row
   */
  public int[] predictClasses(String signatureKey, NamedTensors inputs) {
    SignatureSpec sig = signature(signatureKey);
    try (NamedTensors out = run(sig.key(), inputs)) {
      return classes(sig, out);
    }
  }

  /**
   * The classes of a run's outputs, as {@link #predictClasses} picks them.
   *
   * @param sig the signature that ran
   * @param out its outputs
   * @return the class of each row
   * @throws InvalidInputException when the signature has no output to take classes from
   */
  public static int[] classes(SignatureSpec sig, NamedTensors out) {
    if (out.has("classes") && out.get("classes") instanceof TInt64 c) {
      int[] r = new int[(int) c.shape().size(0)];
      for (int i = 0; i < r.length; i++) {
        r[i] = (int) c.getLong(i);
      }
      return r;
    }
    if (out.has("classes") && out.get("classes") instanceof TInt32 c) {
      int[] r = new int[(int) c.shape().size(0)];
      for (int i = 0; i < r.length; i++) {
        r[i] = c.getInt(i);
      }
      return r;
    }
    for (String k : new String[] {"probabilities", "logits"}) {
      if (out.has(k) && out.get(k) instanceof TFloat32 f) {
        return Tensors.argMax(f);
      }
    }
    Tensor only = null;
    for (String k : out.keys()) {
      if (out.get(k) instanceof TFloat32 && out.get(k).shape().numDimensions() == 2) {
        if (only != null) {
          only = null;
          break;
        }
        only = out.get(k);
      }
    }
    if (only == null) {
      throw new InvalidInputException("signature " + sig.key() + " has no 'classes' output and no single "
          + "[batch, classes] float output to take the argmax of; outputs: " + sig.outputs().keySet());
    }
    return Tensors.argMax((TFloat32) only);
  }

  /**
   * Runs a signature on tensors the caller owns; the caller closes the {@link Result}. Checks the
   * keys, dtypes, ranks and dimensions against the signature and the batch against the limit.
   *
   * @param sig the signature
   * @param inputs a tensor per input key, still owned by the caller
   * @return the session's result, to be closed by the caller
   * @throws InvalidInputException when the inputs do not fit the signature or the limit
   * @throws ClosedException after {@link #close()}
   */
  public Result run(SignatureSpec sig, Map<String, Tensor> inputs) {
    validate(sig, inputs);
    lock.readLock().lock();
    try {
      if (closed) {
        throw new ClosedException(dir + " is closed");
      }
      return bundle.function(sig.key()).call(inputs);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Checks inputs as {@link #run(SignatureSpec, Map)} does, without running: the keys, dtypes, ranks
   * and dimensions (the graph's own, where they are stricter than the signature's), and the batch limit.
   * A server that batches requests checks each one with this before merging them.
   *
   * @param sig the signature
   * @param inputs a tensor per input key
   * @return the batch size, or -1 when every input is a scalar or the inputs' first dimensions differ
   * @throws InvalidInputException when the inputs do not fit the signature or the limit
   */
  public long validate(SignatureSpec sig, Map<String, Tensor> inputs) {
    String why = unusable.get(sig.key());
    if (why != null) {
      throw new InvalidInputException("signature " + sig.key() + " cannot be used: " + why);
    }
    Map<String, TensorSpec> checks = inputChecks.getOrDefault(sig.key(), sig.inputs());
    boolean disagree = false;
    if (!inputs.keySet().equals(sig.inputs().keySet())) {
      throw new InvalidInputException("signature " + sig.key() + " takes inputs " + sig.inputs().keySet() + ", got "
          + inputs.keySet());
    }
    long batch = -1;
    for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
      TensorSpec spec = sig.inputs().get(e.getKey());
      Tensor t = e.getValue();
      String dt = Tensors.dtype(t);
      if (!dt.equals(spec.dtype())) {
        throw new InvalidInputException("input '" + spec.key() + "' is " + spec.dtype() + ", got " + dt);
      }
      long[] s = t.shape().asArray();
      Tensors.checkShape(checks.getOrDefault(spec.key(), spec), s);
      if (s.length > 0) {
        if (batch >= 0 && s[0] != batch) {
          disagree = true; // allowed (TF Serving's columnar format): the graph decides; no batching then
        }
        batch = Math.max(batch, s[0]);
      }
    }
    if (batch == 0) {
      throw new InvalidInputException("empty batch: no rows to predict");
    }
    if (batch > maxBatch) {
      throw new InvalidInputException(batch + " rows is more than the limit of " + maxBatch + " per call", true);
    }
    return disagree ? -1 : batch;
  }

  /** Thrown by a call that arrives after {@link #close()} (a hot swap retries on the new version). */
  public static final class ClosedException extends IllegalStateException {
    /**
     * A call that arrived after {@link SavedModelPredictor#close()}.
     *
     * @param message what was closed
     */
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

  /**
   * Whether {@link #close()} has been called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }
}
