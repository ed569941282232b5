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
  /** The meta graph tag loaded when none is given: {@code serve}, as TF Serving's. */
  public static final String DEFAULT_TAG = "serve";
  /** The signature called when none is named: {@code serving_default}. */
  public static final String DEFAULT_SIGNATURE = "serving_default";
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelPredictor.class);

  private final Path dir;
  private final SavedModelLoader.Loaded bundle;
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
     * @param maxBatch the most rows per call, at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code maxBatch} is less than 1
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
     * @param resolve whether a base folder resolves to its highest version
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
     * @param config the session configuration, or null for TensorFlow's defaults
     * @return this builder
     */
    public Builder optConfig(org.tensorflow.proto.ConfigProto config) {
      this.config = config;
      return this;
    }

    /**
     * Loads the SavedModel.
     *
     * @return the loaded predictor; the caller closes it
     * @throws IOException naming the folder and what is wrong (no {@code saved_model.pb}, no signatures, a
     *     SavedModel TensorFlow cannot load)
     */
    public SavedModelPredictor build() throws IOException {
      Path d = resolveVersion ? ModelVersions.resolve(dir) : dir;
      if (!Files.isRegularFile(d.resolve("saved_model.pb"))) {
        throw new IOException(d + ": not a SavedModel (no saved_model.pb)");
      }
      org.tensorflow.proto.ConfigProto config = withLevers(this.config);
      SavedModelLoader.Loaded b = SavedModelLoader.load(d, tags, config);
      SavedModelPredictor p = new SavedModelPredictor(d, b, maxBatch);
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
   * @param dir a version folder, or a base folder of numbered versions
   * @return a builder with the defaults
   */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /**
   * Loads {@code dir} (a version folder, or a base folder's highest version) with tag {@code serve}.
   *
   * @param dir a version folder, or a base folder of numbered versions
   * @return the loaded predictor; the caller closes it
   * @throws IOException naming the folder and what is wrong
   */
  public static SavedModelPredictor load(Path dir) throws IOException {
    return builder(dir).build();
  }

  private SavedModelPredictor(Path dir, SavedModelLoader.Loaded bundle, int maxBatch) {
    this.dir = dir;
    this.bundle = bundle;
    this.maxBatch = maxBatch;
    this.metaGraph = bundle.metaGraph();
    Map<String, String> unusable = bundle.dropped();
    Map<String, SignatureSpec> sigs = new LinkedHashMap<>();
    MetaGraphDef mg = metaGraph;
    Map<String, String> bad = new TreeMap<>(unusable);
    for (Map.Entry<String, SignatureDef> e : new TreeMap<>(mg.getSignatureDefMap()).entrySet()) {
      if (e.getKey().equals(SavedModelLoader.INIT_OP_SIGNATURE)) {
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
   * What a call is checked against: the keys, the graph tensor's dtype (the graph decides, not the signature's
   * declaration), and a placeholder's own shape where the signature's declared shape agrees with it (for rnnport's
   * models, the signature's shape). Where the declaration disagrees with the graph (TF Serving's
   * {@code saved_model_half_plus_three} declares {@code []} for a {@code [-1, 1]} placeholder) or the tensor is no
   * placeholder, no shape is checked: the request is fed as it is and the session decides, as in TF Serving.
   */
  private static Map<String, TensorSpec> graphSpecs(org.tensorflow.Graph g, SignatureSpec sig) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    sig.inputs().forEach((k, spec) -> {
      long[] shape = null;
      DType dtype = spec.dtype();
      String dtypeName = spec.dtypeName();
      org.tensorflow.Output<?> o = SavedModelLoader.output(g, spec.tensorName());
      if (o != null) {
        dtype = DType.of(o.dataType());
        dtypeName = o.dataType().name();
        String type = o.op().type();
        boolean agrees = spec.shape() == null
            || !o.shape().isUnknown() && o.shape().isCompatibleWith(org.tensorflow.ndarray.Shape.of(spec.shape()));
        if ((type.equals("Placeholder") || type.equals("PlaceholderWithDefault")) && !o.shape().isUnknown() && agrees) {
          shape = o.shape().asArray();
        }
      }
      out.put(k, new TensorSpec(k, dtype, shape, spec.tensorName(), dtypeName));
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

  /**
   * The version folder this predictor loaded.
   *
   * @return the version folder
   */
  public Path dir() {
    return dir;
  }

  /**
   * Every signature, by key (internal ones such as {@code __saved_model_init_op} left out).
   *
   * @return the signatures by key, unmodifiable
   */
  public Map<String, SignatureSpec> signatures() {
    return signatures;
  }

  /**
   * A signature by key; {@code null} or empty means {@code serving_default}.
   *
   * @param key the signature key, or null or empty for {@code serving_default}
   * @return the signature
   * @throws InvalidInputException naming the key and the signatures the model has, when it has no such signature
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
   * @return the MetaGraphDef as loaded
   */
  public MetaGraphDef metaGraphDef() {
    return metaGraph;
  }

  /**
   * Signatures loaded but not callable, with the reason (one that declares a dtype or shape its
   * graph tensor does not have): the model serves its other signatures, as TF Serving does.
   *
   * @return the reason by signature key, unmodifiable; empty when every signature can be called
   */
  public Map<String, String> unusableSignatures() {
    return unusable;
  }

  /**
   * The most rows one call may carry (see {@link Builder#optMaxBatch}).
   *
   * @return the most rows per call
   */
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
   * @throws InvalidInputException naming the signature or input for an unknown or unusable signature, a wrong key,
   *     Java type, value or shape
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

  /**
   * The spec of input {@code key} of {@code sig}.
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
   * @param signatureKey the signature ({@code null} or empty: {@code serving_default})
   * @param inputs the input tensors by key, still owned (and closed) by the caller
   * @return the output tensors by key; the caller closes them
   * @throws InvalidInputException as {@link #validate} does
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
   * @param signatureKey the signature ({@code null} or empty: {@code serving_default})
   * @param inputs the input tensors by key, still owned (and closed) by the caller
   * @return the class of each row
   * @throws InvalidInputException as {@link #validate} does, or when no output gives classes
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
   * @param sig the signature that was run
   * @param out its outputs
   * @return the class of each row
   * @throws InvalidInputException when no output gives classes
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
   *
   * @param sig the signature
   * @param inputs the input tensors by key, still owned (and closed) by the caller
   * @return the session's result; the caller closes it
   * @throws InvalidInputException as {@link #validate} does
   * @throws ClosedException when this predictor is closed
   */
  public Result run(SignatureSpec sig, Map<String, Tensor> inputs) {
    validate(sig, inputs);
    lock.readLock().lock();
    try {
      if (closed) {
        throw new ClosedException(dir + " is closed");
      }
      return bundle.functions().get(sig.key()).call(inputs);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Checks inputs as {@link #run(SignatureSpec, Map)} does, without running: the keys, dtypes, ranks
   * and dimensions (see {@link #graphSpecs}), and the batch limit. Returns the batch size
   * (-1 when every input is a scalar or the inputs' first dimensions differ). A server that batches requests checks each one with this before merging them.
   *
   * @param sig the signature
   * @param inputs the input tensors by key
   * @return the batch size, or -1 (see above)
   * @throws InvalidInputException naming the signature or input: unusable signature, wrong keys, dtype, rank or
   *     dimension, an empty batch, or more rows than {@link #maxBatch()} ({@link InvalidInputException#tooLarge()})
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
      TensorSpec spec = checks.getOrDefault(e.getKey(), sig.inputs().get(e.getKey()));
      Tensor t = e.getValue();
      if (DType.of(t.dataType()) != spec.dtype()) {
        String declared = sig.inputs().get(e.getKey()).dtypeName();
        throw new InvalidInputException("input '" + spec.key() + "' is " + spec.dtypeName() + ", got " + t.dataType()
            + (declared.equals(spec.dtypeName()) ? "" : " (signature " + sig.key() + " declares " + declared + " for "
            + spec.tensorName() + ", which is " + spec.dtypeName() + " in the graph)"));
      }
      long[] s = t.shape().asArray();
      spec.checkShape(s);
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
     * A call after close.
     *
     * @param message what was called, naming the model folder
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
   * @return whether this predictor is closed
   */
  public boolean isClosed() {
    return closed;
  }
}
