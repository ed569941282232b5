package org.rnnport.fit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.keras.KerasCompile;
import org.rnnport.keras.KerasFormatException;
import org.rnnport.keras.KerasLayer;
import org.rnnport.keras.KerasModel;
import org.rnnport.models.TrainDefaults;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.KerasActivation;
import org.rnnport.nn.PythonGradients;
import org.rnnport.nn.SeedSource;
import org.rnnport.tensorio.DType;
import org.rnnport.train.EarlyStopping;
import org.rnnport.train.History;
import org.rnnport.train.StopSignal;
import org.rnnport.train.TrainOptions;
import org.rnnport.train.TrainingRun;

/**
 * Keras {@code compile} + {@code fit} for a {@link KerasModel}, the API under {@code rnnport fit}:
 * <pre>{@code
 * History h = Fit.of(KerasModel.read(Path.of("model.json")))
 *     .data(List.of(Path.of("train.npz"))).x("x").y("y")
 *     .loss("sparse_categorical_crossentropy").optimizer("adam").batchSize(32).epochs(10).seed(1)
 *     .validationSplit(0.2).runDir(Path.of("runs/digits")).exportRoot(Path.of("savedmodels"))
 *     .run(System.out);
 * }</pre>
 * Everything is read and checked before the run folder is made (the model, the options, every row and label), so
 * bad input leaves nothing behind. Training is {@code TrainingRun}'s, the loop of {@code rnnport train}: the same
 * run folder (history.json, loss.png, TensorBoard events, checkpoints, resume, early stopping, progress bars) and
 * SavedModel export ({@code serving_default}: the {@code --x} name in; logits, probabilities, classes out).
 */
public final class Fit {
  /** The run folder's record of the options, read back by {@link #resume(Path)}. */
  public static final String RECORD = "fit.json";
  private final KerasModel model;
  private Path modelFile;
  private String name;
  private List<Path> data = List.of();
  private String format;
  private String x;
  private String y;
  private List<Path> validationData = List.of();
  private double validationSplit;
  private String loss;
  private String optimizer;
  private Float learningRate;
  private Double momentum;
  private Boolean nesterov;
  private Double rho;
  private int batchSize = 32;
  private int epochs = 1;
  private boolean shuffle = true;
  private BatchOrder shuffleOrder = BatchOrder.KERAS;
  private Long shuffleBuffer;
  private long seed;
  private Path runDir;
  private Path exportRoot;
  private Integer exportVersion;
  private int checkpointEvery;
  private int keepCheckpoints = TrainOptions.DEFAULT_KEEP;
  private Integer earlyStoppingPatience;
  private boolean resume;
  private Path initCheckpoint;
  private boolean archiveWeights = true;
  private PythonGradients.Mode gradients = PythonGradients.Mode.PYTHON;
  private String initializers = "keras";
  private int threads;
  private List<String> metrics;

  private Fit(KerasModel model) {
    this.model = model;
  }

  public static Fit of(KerasModel model) {
    return new Fit(model);
  }

  /** Reads the model file ({@code model.to_json()} output, or a {@code .keras} archive). */
  public static Fit of(Path modelFile) throws IOException {
    Fit f = new Fit(KerasModel.read(modelFile));
    f.modelFile = modelFile.toAbsolutePath();
    String n = modelFile.getFileName().toString().replaceFirst("\\.(json|keras)$", "");
    f.name = n;
    return f;
  }

  /**
   * The run in {@code runDir} as {@code rnnport fit} started it ({@value #RECORD}), set to continue from its newest
   * intact checkpoint.
   */
  public static Fit resume(Path runDir) throws IOException {
    Path rec = runDir.resolve(RECORD);
    if (!java.nio.file.Files.isRegularFile(rec)) {
      throw new IOException(runDir + ": no " + RECORD + " (not a run folder of rnnport fit)");
    }
    Record r = org.rnnport.util.Json.MAPPER.readValue(rec.toFile(), Record.class);
    Fit f = of(Path.of(r.model));
    f.name = r.name;
    f.data = r.data.stream().map(Path::of).toList();
    f.format = r.format;
    f.x = r.x;
    f.y = r.y;
    f.validationData = r.validationData.stream().map(Path::of).toList();
    f.validationSplit = r.validationSplit;
    f.loss = r.loss;
    f.optimizer = r.optimizer;
    f.learningRate = r.learningRate;
    f.momentum = r.momentum;
    f.nesterov = r.nesterov;
    f.rho = r.rho;
    f.batchSize = r.batchSize;
    f.epochs = r.epochs;
    f.shuffle = r.shuffle;
    // a record without shuffleOrder is from before Keras' order was fit's: numpy's
    f.shuffleOrder = parseShuffleOrder(r.shuffleOrder == null ? "numpy" : r.shuffleOrder);
    f.shuffleBuffer = r.shuffleBuffer;
    f.seed = r.seed;
    f.exportRoot = r.exportRoot == null ? null : Path.of(r.exportRoot);
    f.exportVersion = r.exportVersion;
    f.checkpointEvery = r.checkpointEvery;
    f.keepCheckpoints = r.keepCheckpoints;
    f.earlyStoppingPatience = r.earlyStoppingPatience;
    f.gradients = PythonGradients.Mode.parse(r.gradients);
    f.archiveWeights = r.archiveWeights;
    f.metrics = r.metrics;
    f.initializers = r.initializers == null ? "keras" : r.initializers;
    f.runDir = runDir;
    f.resume = true;
    return f;
  }

  /** The options as {@value #RECORD} holds them. */
  public static final class Record {
    public String model;
    public String name;
    public List<String> data = List.of();
    public String format;
    public String x;
    public String y;
    public List<String> validationData = List.of();
    public double validationSplit;
    public String loss;
    public String optimizer;
    public Float learningRate;
    public Double momentum;
    public Boolean nesterov;
    public Double rho;
    public int batchSize;
    public int epochs;
    public boolean shuffle;
    /** {@code keras} or {@code numpy} ({@link #shuffleOrder(String)}). */
    public String shuffleOrder;
    /** The shuffle buffer as resolved by the run (rows), so a resumed run reads the same order. */
    public Long shuffleBuffer;
    public long seed;
    public String exportRoot;
    public Integer exportVersion;
    public int checkpointEvery;
    public int keepCheckpoints;
    public Integer earlyStoppingPatience;
    public String gradients;
    public boolean archiveWeights = true;
    public List<String> metrics;
    public String initializers;
  }

  private Record record() {
    Record r = new Record();
    r.model = modelFile.toString();
    r.name = name;
    r.data = data.stream().map(p -> p.toAbsolutePath().toString()).toList();
    r.format = format;
    r.x = x;
    r.y = y;
    r.validationData = validationData.stream().map(p -> p.toAbsolutePath().toString()).toList();
    r.validationSplit = validationSplit;
    r.loss = loss;
    r.optimizer = optimizer;
    r.learningRate = learningRate;
    r.momentum = momentum;
    r.nesterov = nesterov;
    r.rho = rho;
    r.batchSize = batchSize;
    r.epochs = epochs;
    r.shuffle = shuffle;
    r.archiveWeights = archiveWeights;
    r.shuffleOrder = shuffleOrder == BatchOrder.KERAS ? "keras" : "numpy";
    r.shuffleBuffer = shuffleBuffer;
    r.seed = seed;
    r.exportRoot = exportRoot == null ? null : exportRoot.toAbsolutePath().toString();
    r.exportVersion = exportVersion;
    r.checkpointEvery = checkpointEvery;
    r.keepCheckpoints = keepCheckpoints;
    r.earlyStoppingPatience = earlyStoppingPatience;
    r.gradients = gradients.name().toLowerCase();
    r.metrics = metrics;
    r.initializers = initializers;
    return r;
  }

  /** The run's and the export's model name (default: the Keras model's name). */
  public Fit name(String n) {
    this.name = n;
    return this;
  }

  public Fit data(List<Path> files) {
    this.data = List.copyOf(files);
    return this;
  }

  /** The input format of every file (default: by extension). */
  public Fit format(String f) {
    this.format = f;
    return this;
  }

  /** The array, column or feature of the inputs (also the serving signature's input key). */
  public Fit x(String n) {
    this.x = n;
    return this;
  }

  /** The array, column or feature of the labels (an integer class or a one-hot row; for mse/mae float targets). */
  public Fit y(String n) {
    this.y = n;
    return this;
  }

  public Fit validationData(List<Path> files) {
    this.validationData = List.copyOf(files);
    return this;
  }

  /** Keras' validation_split: the last fraction of the rows, before any shuffling. */
  public Fit validationSplit(double f) {
    this.validationSplit = f;
    return this;
  }

  public Fit loss(String l) {
    this.loss = l;
    return this;
  }

  public Fit optimizer(String o) {
    this.optimizer = o;
    return this;
  }

  public Fit learningRate(Float lr) {
    this.learningRate = lr;
    return this;
  }

  /** SGD's or RMSprop's momentum (Keras' default 0). */
  public Fit momentum(Double m) {
    this.momentum = m;
    return this;
  }

  /** SGD's nesterov (Keras' default false). */
  public Fit nesterov(Boolean n) {
    this.nesterov = n;
    return this;
  }

  /** RMSprop's rho (Keras' default 0.9). */
  public Fit rho(Double r) {
    this.rho = r;
    return this;
  }

  public Fit batchSize(int b) {
    this.batchSize = b;
    return this;
  }

  public Fit epochs(int e) {
    this.epochs = e;
    return this;
  }

  public Fit shuffle(boolean s) {
    this.shuffle = s;
    return this;
  }

  /**
   * How shuffling orders the rows of every epoch: {@code keras} (default), tf-keras {@code model.fit}'s own order
   * after {@code tf.random.set_seed(seed)} ({@link BatchOrder#KERAS}); {@code numpy}, {@code RandomState(seed)
   * .permutation(n)} per epoch, the order of {@code rnnport train reuters-lstm} ({@link BatchOrder#SHUFFLE}).
   */
  public Fit shuffleOrder(String o) {
    this.shuffleOrder = parseShuffleOrder(o);
    return this;
  }

  private static BatchOrder parseShuffleOrder(String o) {
    return switch (o) {
      case "keras" -> BatchOrder.KERAS;
      case "numpy" -> BatchOrder.SHUFFLE;
      default -> throw new IllegalArgumentException("--shuffle-order " + o + ": keras or numpy");
    };
  }


  /**
   * The shuffle buffer of streamed formats (Parquet, TFRecord, CSV, JSON Lines, a compressed npz), in rows: a file of
   * at most this many rows is held in memory and shuffled in Keras' order; a longer one is shuffled through a buffer
   * of this many rows as tf.data's {@code shuffle(buffer_size)} does (not Keras' order). Default (null): the rows
   * that fit a quarter of the JVM's maximum heap. npy and stored npz files are read by index whatever it is.
   */
  public Fit shuffleBuffer(Long rows) {
    if (rows != null && rows < 1) {
      throw new IllegalArgumentException("--shuffle-buffer must be at least 1 row, got " + rows);
    }
    this.shuffleBuffer = rows;
    return this;
  }

  /** The default shuffle buffer for rows of {@code rowBytes}: as many as fit a quarter of the maximum heap. */
  static long defaultShuffleBuffer(long rowBytes) {
    return Math.max(1, Runtime.getRuntime().maxMemory() / 4 / Math.max(1, rowBytes));
  }


  /** Seeds the initializers and the shuffle of the rows (Keras': {@code tf.random.set_seed(seed)}). */
  public Fit seed(long s) {
    this.seed = s;
    return this;
  }

  /** The run folder. */
  public Path runDirectory() {
    return runDir;
  }

  public Fit runDir(Path d) {
    this.runDir = d;
    return this;
  }

  /** SavedModel root ({@code ROOT/<name>/<version>}), or null for no export. */
  public Fit exportRoot(Path d) {
    this.exportRoot = d;
    return this;
  }

  public Fit exportVersion(Integer v) {
    this.exportVersion = v;
    return this;
  }

  public Fit checkpointEvery(int n) {
    this.checkpointEvery = n;
    return this;
  }

  public Fit keepCheckpoints(int n) {
    this.keepCheckpoints = n;
    return this;
  }

  /** Keras' EarlyStopping(monitor='val_loss', patience=N), or null. */
  public Fit earlyStoppingPatience(Integer p) {
    this.earlyStoppingPatience = p;
    return this;
  }

  /** Continue the run in {@link #runDir} from its newest intact checkpoint. */
  public Fit resume(boolean r) {
    this.resume = r;
    return this;
  }

  /**
   * With a {@code .keras} archive that holds weights ({@value KerasArchiveWeights#ENTRY}): start from them (true,
   * the default, as Keras' {@code load_model} does) or from Keras' initializers drawn from the seed (false).
   * {@link #initCheckpoint(Path)} takes precedence over both.
   */
  public Fit archiveWeights(boolean use) {
    this.archiveWeights = use;
    return this;
  }

  /** Start the model variables from this checkpoint (by Keras' names), e.g. Keras' own initial weights. */
  public Fit initCheckpoint(Path prefix) {
    this.initCheckpoint = prefix;
    return this;
  }

  /**
   * Where a fresh run's initial weights come from (without {@link #initCheckpoint}): {@code keras} (default) draws
   * them as tf-keras 2.18 does after {@code keras.utils.set_random_seed(seed)} ({@link SeedSource#keras}), bit for bit;
   * {@code tf1} draws the same distributions from TF1 graph-seeded ops ({@link SeedSource#tf1GraphSeed}), as
   * {@code rnnport train reuters-lstm} does.
   */
  public Fit initializers(String kind) {
    if (!kind.equals("keras") && !kind.equals("tf1")) {
      throw new IllegalArgumentException("initializers " + kind + ": give keras or tf1");
    }
    this.initializers = kind;
    return this;
  }

  /** {@code python} (default): gradients summed as Keras' graph sums them; {@code tf}: TF Java's own sums. */
  public Fit gradients(PythonGradients.Mode m) {
    this.gradients = m;
    return this;
  }

  /**
   * Keras' {@code compile(metrics=...)}: {@code accuracy} (or {@code acc}, resolved as Keras resolves it),
   * binary/categorical/sparse_categorical_accuracy, mae, mse; default: a .keras archive's compile_config metrics, else
   * none (the loss only, as Keras).
   */
  public Fit metrics(List<String> m) {
    this.metrics = m == null ? null : List.copyOf(m);
    return this;
  }

  /** The metric names: the option, else the archive's compile_config, else none. */
  List<String> metricNames() throws IOException {
    if (metrics != null) {
      return metrics;
    }
    return modelFile != null && modelFile.getFileName().toString().endsWith(".keras")
        ? org.rnnport.keras.KerasMetrics.compiled(modelFile) : List.of();
  }

  public Fit threads(int t) {
    this.threads = t;
    return this;
  }

  /** The compile settings: the options, else the archive's compile_config, else Keras' defaults of the optimizer. */
  KerasCompile compile() {
    KerasCompile c = model.compile();
    String l = loss != null ? loss : c != null ? c.loss() : null;
    if (l == null) {
      throw new IllegalArgumentException("no loss: give --loss (one of " + KerasCompile.LOSSES + "); a model.to_json() "
          + "file has no compile settings");
    }
    if (optimizer != null || c == null) {
      c = KerasCompile.of(l, optimizer == null ? "adam" : optimizer, learningRate);
    } else {
      c = c.withLoss(l);
      if (learningRate != null) {
        c = c.withLearningRate(learningRate);
      }
    }
    if (momentum != null || nesterov != null || rho != null) {
      if (momentum != null && (momentum < 0 || momentum > 1)) {
        throw new IllegalArgumentException("--momentum must be in [0, 1], got " + momentum);
      }
      if (nesterov != null && !c.optimizer().equals("sgd") || rho != null && !c.optimizer().equals("rmsprop")
          || momentum != null && c.optimizer().equals("adam")) {
        throw new IllegalArgumentException("--momentum applies to sgd and rmsprop, --nesterov to sgd, --rho to "
            + "rmsprop; the optimizer is " + c.optimizer());
      }
      c = new KerasCompile(c.loss(), c.optimizer(), c.learningRate(), momentum != null ? momentum : c.momentum(),
          nesterov != null ? nesterov : c.nesterov(), rho != null ? rho : c.rho(), c.epsilon());
    }
    if (c.binaryLoss() && model.outputActivation() != KerasActivation.SIGMOID) {
      throw new KerasFormatException(c.loss() + " is supported on a sigmoid output; the last layer's activation is '"
          + model.outputActivation().keras() + "'");
    }
    if (c.classLoss() && model.outputActivation() != KerasActivation.SOFTMAX) {
      throw new KerasFormatException(c.loss() + " is supported on a softmax output; the last layer's activation is '"
          + model.outputActivation().keras() + "'");
    }
    return c;
  }

  /**
   * The rows Keras' {@code validation_split} keeps for training, the first ones (tf-keras' {@code
   * train_validation_split}: {@code floor(rows * (1.0 - fraction))}, before any shuffling).
   */
  static int validationSplitAt(int rows, double fraction) {
    return (int) Math.floor(rows * (1.0 - fraction));
  }

  /** Reads and checks everything, then trains; returns the run's history. */
  public History run(PrintStream out) throws IOException {
    if (data.isEmpty() || x == null || y == null) {
      throw new IllegalArgumentException("give the data files, the input name (--x) and the label name (--y)");
    }
    if (x.contains(",")) {
      throw new IllegalArgumentException("--x " + x + ": the model has one input; give one name");
    }
    if (runDir == null) {
      throw new IllegalArgumentException("no run folder (-o)");
    }
    if (batchSize < 1 || epochs < 1) {
      throw new IllegalArgumentException("--batch-size and --epochs must be at least 1");
    }
    if (validationSplit < 0 || validationSplit >= 1 || (validationSplit > 0 && !validationData.isEmpty())) {
      throw new IllegalArgumentException("--validation-split must be in [0, 1), and not with --validation-data");
    }
    KerasCompile c = compile();
    List<org.rnnport.keras.KerasMetrics.Metric> ms = org.rnnport.keras.KerasMetrics.resolve(metricNames(), c.loss(),
        model.outputUnits());
    if (model.outputSteps() > 0 && (!ms.isEmpty() || c.binaryLoss())) {
      throw new IllegalArgumentException("a per-timestep output [time, units] takes the losses "
          + "categorical_crossentropy, sparse_categorical_crossentropy, mse and mae, without --metrics (not built "
          + "for per-timestep outputs yet)");
    }
    DType dtype = model.tokenInput() ? DType.INT32 : DType.FLOAT32;
    int classes = model.outputUnits();
    int tokenLimit = model.tokenInput() ? ((KerasLayer.Embedding) model.layers().get(0)).inputDim() : 0;
    long rowBytes = org.rnnport.tensorio.batch.Column.size(model.inputShape()) * dtype.bytes();
    if (shuffleBuffer == null) {
      shuffleBuffer = defaultShuffleBuffer(rowBytes);
    }
    // a per-timestep output takes one label per step ([time] classes or [time, units] targets)
    long steps = model.outputSteps();
    try (FitRows all = FitData.open(data, format, x, y, dtype, model.inputShape(), classes, c.classLoss(), tokenLimit,
        shuffleBuffer, true, steps, c.binaryLoss());
        FitRows given = validationData.isEmpty() ? null : FitData.open(validationData, format, x, y, dtype,
            model.inputShape(), classes, c.classLoss(), tokenLimit, shuffleBuffer, true, steps, c.binaryLoss())) {
      if (all.access().equals("stream")) {
        out.printf("%s: %d rows, more than the shuffle buffer of %d: %s%n", data.size() == 1 ? data.get(0)
            : data.size() + " files", all.rows(), shuffleBuffer, shuffle ? "shuffled through the buffer as tf.data "
            + "does (not Keras' order of an in-memory array)" : "read in file order");
      }
      FitRows val = given;
      FitRows train = all;
      if (validationSplit > 0) {
        int splitAt = validationSplitAt(all.rows(), validationSplit);
        if (splitAt == 0 || splitAt == all.rows()) {
          throw new IllegalArgumentException("--validation-split " + validationSplit + " of " + all.rows()
              + " rows leaves one side empty");
        }
        train = all.slice(0, splitAt);
        val = all.slice(splitAt, all.rows() - splitAt);
      }
      try (FitRows t = train == all ? null : train; FitRows v = val == given ? null : val) {
        return run(out, c, ms, train, val, all.access());
      }
    }
  }

  private History run(PrintStream out, KerasCompile c, List<org.rnnport.keras.KerasMetrics.Metric> ms, FitRows train,
      FitRows val, String access) throws IOException {
    Map<String, Object> hp = new LinkedHashMap<>();
    hp.put("kerasModel", model.name());
    hp.put("loss", c.loss());
    hp.put("optimizer", c.optimizer());
    if (c.optimizer().equals("sgd")) {
      hp.put("momentum", c.momentum());
      hp.put("nesterov", c.nesterov());
    } else if (c.optimizer().equals("rmsprop")) {
      hp.put("rho", c.rho());
      hp.put("momentum", c.momentum());
      hp.put("epsilon", c.epsilon());
    }
    hp.put("x", x);
    hp.put("y", y);
    hp.put("gradients", gradients.name().toLowerCase());
    hp.put("metrics", ms.stream().map(org.rnnport.keras.KerasMetrics.Metric::name).toList());
    hp.put("initializers", initializers);
    List<String> files = new ArrayList<>();
    data.forEach(p -> files.add(p.toString()));
    hp.put("data", files);
    if (validationSplit > 0) {
      hp.put("validationSplit", validationSplit);
    }
    // the archive's weights, read (and checked against the model) before anything is written
    KerasArchiveWeights weights = initCheckpoint == null && archiveWeights && modelFile != null
        && modelFile.getFileName().toString().endsWith(".keras") && KerasArchiveWeights.present(modelFile)
        ? KerasArchiveWeights.read(modelFile, model) : null;
    hp.put("initialWeights", initCheckpoint != null ? "checkpoint " + initCheckpoint
        : weights != null ? modelFile + "!" + KerasArchiveWeights.ENTRY : "initializers, seed " + seed);
    hp.put("dataAccess", access);
    if (access.equals("stream")) {
      hp.put("shuffleBuffer", shuffleBuffer);
    }
    FitProtocol protocol = new FitProtocol(train, val, hp, ms.stream().map(org.rnnport.keras.KerasMetrics.Metric::name)
        .toList());
    String n = name != null ? name : model.name();
    KerasFitModel m = new KerasFitModel(n, model, c, x, new TrainDefaults(epochs, null, batchSize, c.learningRate()),
        protocol, gradients, train.rows() % batchSize == 0, seed, ms);
    if (initializers.equals("keras")) {
      m.kerasInitializers(seed);
    }
    EarlyStopping es = earlyStoppingPatience == null ? null : new EarlyStopping(earlyStoppingPatience, "val_loss", false);
    if (es != null && val == null) {
      throw new IllegalArgumentException("early stopping monitors val_loss: give --validation-data or "
          + "--validation-split");
    }
    Path init = initCheckpoint;
    if (weights != null) {
      // a checkpoint in the run folder, restored by name like --init (and kept: the run's starting point)
      init = weights.writeCheckpoint(runDir.resolve("keras-weights"));
    }
    TrainOptions o = new TrainOptions(epochs, 0, batchSize, c.learningRate(), seed,
        shuffle ? shuffleOrder : BatchOrder.SEQUENTIAL, threads, null, runDir, runDir, exportRoot, exportVersion,
        init, checkpointEvery, keepCheckpoints, resume, es, val != null, GraphKind.FAITHFUL);
    if (modelFile != null && !resume) {
      // the options, so that `rnnport fit --resume RUN_DIR` continues the same run (written once the input is checked)
      java.nio.file.Files.createDirectories(runDir);
      org.rnnport.util.Json.write(runDir.resolve(RECORD), record());
    }
    try (StopSignal stop = StopSignal.onShutdown()) {
      return TrainingRun.run(m, o, stop, out);
    }
  }
}
