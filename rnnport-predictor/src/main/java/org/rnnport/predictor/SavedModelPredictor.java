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
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
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
 *   Prediction out = p.predict(Map.of("input_X", images));
 *   long[] classes = out.longs("classes");               // out.floats2d("logits"), out.floats2d("probabilities")
 * }
 * }</pre>
 */
public final class SavedModelPredictor implements AutoCloseable {
  public static final String DEFAULT_TAG = "serve";
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

    /** The meta graph's tags ({@code serve} by default). */
    public Builder optTags(String... tags) {
      this.tags = tags.clone();
      return this;
    }

    /** The most rows one call may carry: larger calls are rejected, not split (1,024 by default). */
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
     */
    public Builder optResolveVersion(boolean resolve) {
      this.resolveVersion = resolve;
      return this;
    }

    /**
     * The session configuration (threads, graph optimizations such as XLA's {@code global_jit_level}); TensorFlow's
     * defaults when not set.
     */
    public Builder optConfig(org.tensorflow.proto.ConfigProto config) {
      this.config = config;
      return this;
    }

    /** Loads the SavedModel; an {@link IOException} names the folder and what is wrong. */
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

  /** A builder for the SavedModel at {@code dir}: a version folder, or a base folder of versions. */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** Loads {@code dir} (a version folder, or a base folder's highest version) with tag {@code serve}. */
  public static SavedModelPredictor load(Path dir) throws IOException {
    return builder(dir).build();
  }

  private SavedModelPredictor(Path dir, SavedModelBundle bundle, int maxBatch, MetaGraphDef original,
      Map<String, String> unusable) {
    this.dir = dir;
    this.bundle = bundle;
    this.maxBatch = maxBatch;
    this.metaGraph = original != null ? original : bundle.metaGraphDef();
    Map<String, SignatureSpec> sigs = new LinkedHashMap<>();
    MetaGraphDef mg = metaGraph;
    Map<String, String> bad = new TreeMap<>(unusable);
    for (Map.Entry<String, SignatureDef> e : new TreeMap<>(mg.getSignatureDefMap()).entrySet()) {
      if (e.getKey().startsWith("__")) {
        continue; // e.g. __saved_model_init_op
      }
      SignatureSpec sig = new SignatureSpec(e.getKey(), e.getValue().getMethodName(), specs(e.getValue().getInputsMap()),
          specs(e.getValue().getOutputsMap()));
      sigs.put(e.getKey(), sig);
      String why = unservedDtype(sig);
      if (why != null && !bad.containsKey(sig.key())) {
        LOG.warn("{}: signature {} cannot be served: {}", dir, sig.key(), why);
        bad.put(sig.key(), why);
      }
    }
    this.unusable = Map.copyOf(bad);
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
      out.put(k, new TensorSpec(k, spec.dtype(), shape, spec.tensorName(), spec.dtypeName()));
    });
    return out;
  }

  private static Map<String, TensorSpec> specs(Map<String, TensorInfo> m) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    new TreeMap<>(m).forEach((k, v) -> {
      TensorShapeProto s = v.getTensorShape();
      long[] shape = s.getUnknownRank() ? null : s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
      out.put(k, new TensorSpec(k, DType.of(v.getDtype()), shape, v.getName(), v.getDtype().name()));
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * Why a signature cannot be served for its dtypes (an input or output of a dtype rnnport does not carry, or of
   * int8, int16, uint32 or uint64, which TF Java 1.1.0 has no tensor type for), naming the key and dtype; or null.
   */
  private static String unservedDtype(SignatureSpec sig) {
    for (String what : new String[] {"input", "output"}) {
      for (TensorSpec t : (what.equals("input") ? sig.inputs() : sig.outputs()).values()) {
        if (t.dtype() == null) {
          return what + " '" + t.key() + "' is " + t.dtypeName() + ", which rnnport does not carry";
        }
        if (!HostTensor.served(t.dtype())) {
          return HostTensor.notServed(what, t.key(), t.dtype());
        }
      }
    }
    return null;
  }

  /** The version folder this predictor loaded. */
  public Path dir() {
    return dir;
  }

  /** Every signature, by key (internal ones such as {@code __saved_model_init_op} left out). */
  public Map<String, SignatureSpec> signatures() {
    return signatures;
  }

  /** A signature by key; {@code null} or empty means {@code serving_default}. */
  public SignatureSpec signature(String key) {
    String k = key == null || key.isEmpty() ? DEFAULT_SIGNATURE : key;
    SignatureSpec s = signatures.get(k);
    if (s == null) {
      throw new InvalidInputException("unknown signature_name '" + k + "'; this model has " + signatures.keySet());
    }
    return s;
  }

  /** The SavedModel's MetaGraphDef (for metadata answers), every signature included. */
  public MetaGraphDef metaGraphDef() {
    return metaGraph;
  }

  /**
   * Signatures loaded but not callable, with the reason (one that declares a dtype or shape its
   * graph tensor does not have): the model serves its other signatures, as TF Serving does.
   */
  public Map<String, String> unusableSignatures() {
    return unusable;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Predicts from Java values with {@code serving_default}: one per input key, a nested array of the input dtype's
   * carrier ({@code float[][][]} for a float32 input of rank 3, {@code long[]} for int64; see {@link HostTensor}), or
   * a {@link HostTensor}; first dimension the batch.
   *
   * @param inputs the values by input key
   * @return the outputs, read through typed accessors ({@link Prediction#longs}, {@link Prediction#floats2d}, ...)
   * @throws InvalidInputException naming the input for a wrong key, Java type, value or shape
   */
  public Prediction predict(Map<String, Object> inputs) {
    return predict(DEFAULT_SIGNATURE, inputs);
  }

  /**
   * As {@link #predict(Map)}, with a named signature.
   *
   * @param signatureKey the signature ({@code null} or empty: {@code serving_default})
   * @param inputs the values by input key
   * @return the outputs
   */
  public Prediction predict(String signatureKey, Map<String, Object> inputs) {
    SignatureSpec sig = signature(signatureKey);
    checkUsable(sig);
    try (NamedTensors in = new NamedTensors()) {
      for (Map.Entry<String, Object> e : inputs.entrySet()) {
        in.put(e.getKey(), inputSpec(sig, e.getKey()).tensor(e.getValue()));
      }
      try (NamedTensors out = run(sig.key(), in)) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        for (String k : out.keys()) {
          m.put(k, HostTensor.of(k, out.get(k)));
        }
        return new Prediction(m);
      }
    }
  }

  /**
   * Checks that a signature can be called (see {@link #unusableSignatures()}), before its inputs are decoded.
   *
   * @param sig the signature
   * @throws InvalidInputException naming the signature and why, e.g. an int8 input
   */
  public void checkUsable(SignatureSpec sig) {
    String why = unusable.get(sig.key());
    if (why != null) {
      throw new InvalidInputException("signature " + sig.key() + " cannot be used: " + why);
    }
  }

  /**
   * The index of the largest value in each row of a {@code [batch, classes]} float tensor (the first one on ties,
   * like {@code tf.argmax}).
   *
   * @param scores the scores
   * @return the class of each row
   */
  public static int[] argMax(TFloat32 scores) {
    long[] shape = scores.shape().asArray();
    if (shape.length != 2) {
      throw new IllegalArgumentException("argMax needs [batch, classes] scores, got shape " + java.util.Arrays.toString(shape));
    }
    int rows = (int) shape[0];
    int classes = (int) shape[1];
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) {
      int best = 0;
      float bv = scores.getFloat(r, 0);
      for (int c = 1; c < classes; c++) {
        float v = scores.getFloat(r, c);
        if (v > bv) {
          bv = v;
          best = c;
        }
      }
      out[r] = best;
    }
    return out;
  }

  /** The spec of input {@code key} of {@code sig}, or an error naming the keys it takes. */
  public static TensorSpec inputSpec(SignatureSpec sig, String key) {
    TensorSpec spec = sig.inputs().get(key);
    if (spec == null) {
      throw new InvalidInputException("unknown input '" + key + "'; signature " + sig.key() + " takes "
          + sig.inputs().keySet());
    }
    return spec;
  }

  /** Runs a signature on tensors the caller owns; the caller closes the returned outputs. */
  public NamedTensors run(String signatureKey, NamedTensors inputs) {
    SignatureSpec sig = signature(signatureKey);
    return NamedTensors.of(run(sig, inputs.asMap()), sig.outputs().keySet());
  }

  /**
   * The class of each row: the signature's {@code classes} output where it has one, else the
   * argmax of {@code probabilities}, {@code logits} or its single float output. The one
   * "run a SavedModel, then argmax" of rnnport (eval, parity and serving use it).
   */
  public int[] predictClasses(String signatureKey, NamedTensors inputs) {
    SignatureSpec sig = signature(signatureKey);
    try (NamedTensors out = run(sig.key(), inputs)) {
      return classes(sig, out);
    }
  }

  /** The classes of a run's outputs, as {@link #predictClasses} picks them. */
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
        return argMax(f);
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
    return argMax((TFloat32) only);
  }

  /**
   * Runs a signature on tensors the caller owns; the caller closes the {@link Result}. Checks the
   * keys, dtypes, ranks and dimensions against the signature and the batch against the limit.
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
   * and dimensions (the graph's, see {@link #graphSpecs}), and the batch limit. Returns the batch size
   * (-1 when every input is a scalar or the inputs' first dimensions differ). A server that batches requests checks each one with this before merging them.
   */
  public long validate(SignatureSpec sig, Map<String, Tensor> inputs) {
    checkUsable(sig);
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
      if (DType.of(t.dataType()) != spec.dtype()) {
        throw new InvalidInputException("input '" + spec.key() + "' is " + spec.dtypeName() + ", got " + t.dataType());
      }
      long[] s = t.shape().asArray();
      checks.getOrDefault(spec.key(), spec).checkShape(s);
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
