package org.rnnport.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.rnnport.predictor.InvalidInputException;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.tensorio.DType;
import org.rnnport.predictor.TensorSpec;

/**
 * Adds a SavedModel's predictions to a {@code Dataset<Row>} as new columns, one per signature output.
 *
 * <pre>{@code
 * Dataset<Row> scored = SparkPredictor.builder("savedmodels/mnist-rnn/1")
 *     .inputColumn("pixels")          // single-input signature: the one array column (784 floats or 28x28)
 *     .batchSize(1000)
 *     .build()
 *     .transform(images);              // + pred_classes bigint, pred_logits array<float>, pred_probabilities array<float>
 * }</pre>
 *
 * <p>How it runs: {@link #transform} is a {@code mapPartitions} that groups each partition's rows into batches
 * of {@link Builder#batchSize} and runs the signature once per batch, on a {@link SavedModelPredictor} loaded
 * once per JVM ({@link ModelCache}). {@link #build()} also loads the model in the driver, to read the signature
 * and fix the output schema before any task runs.
 *
 * <p>Inputs: one column per signature input (input key to column; by default the column of the same name; a
 * single-input signature takes the one column given to {@link Builder#inputColumn(String)}). A column is an
 * array of numbers ({@code array<float|double|int|bigint|smallint|tinyint>}), an array of such arrays (flattened
 * row-major), {@code binary} (unsigned bytes, e.g. raw pixels, for a numeric input; one byte string for a string
 * input), {@code boolean} values for a bool input, or a single value for a per-row scalar input. Each row's
 * values are laid out row-major into the signature's per-row shape: a flat 784 feeds {@code [-1, 28, 28]}; one
 * unknown dimension is inferred from the length (the same for every row of a batch). The cells go through tensor
 * I/O's row batcher: each value must be exactly a value of the input's dtype (an integral float feeds an integer
 * input, 3.5 does not; a bigint beyond 2^24 does not feed a float input), else the row is bad.
 *
 * <p>Outputs ({@link #outputSchema}): column {@code <prefix><output key>} per output, in key order, nullable, of
 * the output dtype's Spark type ({@link #elementType}: {@code float}, {@code double}, {@code tinyint},
 * {@code smallint}, {@code int}, {@code bigint}, {@code boolean}, {@code binary}; uint8, uint16 and uint32 in the
 * next wider signed type): a per-row scalar ({@code [-1]} outputs) as that type, anything of higher rank as a flat
 * row-major array of it ({@code [-1, 10]} logits are 10 values). float16, bfloat16 and uint64, which no Spark type
 * holds as they are, are refused by name; so are unknown-rank outputs, which cannot be typed in advance (leave
 * them out with {@link Builder#outputs}).
 *
 * <p>Bad rows (a null cell, a null element, a wrong length, a non-integral value for an integer input):
 * {@link OnInvalid#FAIL} (the default) fails the job with an {@link InvalidInputException} naming the
 * partition, the row within it, the column and the input key; {@link OnInvalid#NULL} gives that row null
 * predictions and says why in the extra column {@code <prefix>error} (null on good rows).
 */
public final class SparkPredictor implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What a bad row does. */
  public enum OnInvalid {
    /** Fail the task (and so the job) with a message naming the row, column and input. */
    FAIL,
    /** Null predictions for that row, the reason in {@code <prefix>error}. */
    NULL
  }

  /** One input as the tasks need it. {@code rowShape} is the signature's shape without the batch dimension. */
  record In(String key, String column, String dtype, long[] rowShape, boolean unknownRank) implements Serializable {
    String shapeText() {
      return unknownRank ? "any shape" : Arrays.toString(rowShape);
    }
  }

  /** One output column. */
  record Out(String key, String column, String dtype, long[] rowShape) implements Serializable {}

  private final ModelLocation model;
  private final String signature;
  private final List<In> inputs;
  private final List<Out> outputs;
  private final String prefix;
  private final int batchSize;
  private final OnInvalid onInvalid;
  private final boolean catalystRows;

  private SparkPredictor(Builder b, SignatureSpec sig) {
    this.catalystRows = b.catalystRows;
    this.model = b.location;
    this.signature = sig.key();
    this.prefix = b.prefix;
    this.batchSize = b.batchSize;
    this.onInvalid = b.onInvalid;
    List<In> ins = new ArrayList<>();
    if (b.singleColumn != null) {
      TensorSpec s = sig.singleInput();
      ins.add(in(s, b.singleColumn));
    } else {
      for (String k : b.columns.keySet()) {
        SavedModelPredictor.inputSpec(sig, k); // names the keys there are
      }
      for (TensorSpec s : sig.inputs().values()) {
        ins.add(in(s, b.columns.getOrDefault(s.key(), s.key())));
      }
    }
    this.inputs = List.copyOf(ins);
    List<Out> outs = new ArrayList<>();
    List<String> keys = b.outputs == null ? new ArrayList<>(sig.outputs().keySet()) : b.outputs;
    for (String k : keys) {
      TensorSpec s = sig.outputs().get(k);
      if (s == null) {
        throw new InvalidInputException("unknown output '" + k + "'; signature " + sig.key() + " has "
            + sig.outputs().keySet());
      }
      if (s.unknownRank() || s.shape().length == 0) {
        throw new InvalidInputException("output '" + k + "' has shape " + s.shapeText() + ": no per-row column type "
            + "can be given in advance; leave it out with outputs(...)");
      }
      elementType(s.dtypeName(), "output '" + k + "'");
      outs.add(new Out(k, prefix + k, s.dtypeName(), Arrays.copyOfRange(s.shape(), 1, s.shape().length)));
    }
    this.outputs = List.copyOf(outs);
  }

  private static In in(TensorSpec s, String column) {
    elementType(s.dtypeName(), "input '" + s.key() + "'");
    if (s.unknownRank()) {
      return new In(s.key(), column, s.dtypeName(), null, true);
    }
    if (s.shape().length == 0) {
      throw new InvalidInputException("input '" + s.key() + "' is a scalar (shape ()), not batched by rows");
    }
    long[] row = Arrays.copyOfRange(s.shape(), 1, s.shape().length);
    if (Arrays.stream(row).filter(d -> d < 0).count() > 1) {
      throw new InvalidInputException("input '" + s.key() + "' has shape " + s.shapeText()
          + ": more than one unknown dimension per row cannot be inferred from a flat array");
    }
    return new In(s.key(), column, s.dtypeName(), row, false);
  }

  /**
   * The Spark type of one value of a dtype: each Spark number type for the dtype of its width ({@code tinyint} int8,
   * {@code smallint} int16, {@code int} int32, {@code bigint} int64, {@code float}, {@code double}), the next wider
   * one for uint8, uint16 and uint32 (which Spark has no unsigned types for: every value fits), {@code boolean} for
   * bool, {@code binary} for string (bytes).
   *
   * @throws InvalidInputException naming the input or output for float16, bfloat16 and uint64, which no Spark type
   *     holds as they are
   */
  static DataType elementType(String dtype, String what) {
    DType d = DType.ofTfName(dtype);
    if (d == null) {
      throw new InvalidInputException(what + " has dtype " + dtype + ", which rnnport does not carry");
    }
    return switch (d) {
      case FLOAT32 -> DataTypes.FloatType;
      case FLOAT64 -> DataTypes.DoubleType;
      case INT8 -> DataTypes.ByteType;
      case INT16, UINT8 -> DataTypes.ShortType;
      case INT32, UINT16 -> DataTypes.IntegerType;
      case INT64, UINT32 -> DataTypes.LongType;
      case BOOL -> DataTypes.BooleanType;
      case STRING -> DataTypes.BinaryType;
      case FLOAT16, BFLOAT16, UINT64 -> throw new InvalidInputException(what + " is " + d.label() + ", which no "
          + "Spark type holds (" + (d == DType.UINT64 ? "bigint stops at 2^63-1" : "Spark has no " + d.label())
          + "): rnnport-spark refuses it rather than convert");
    };
  }

  /** A builder for the model at {@code location}: a path every node reads, or {@code sparkfiles:NAME}. */
  public static Builder builder(String location) {
    return new Builder(location);
  }

  /** What to predict with and how: {@link #build()} loads the model (in the driver) and checks it all. */
  public static final class Builder {
    private final String locationText;
    private ModelLocation location;
    private Long version;
    private String signature = SavedModelPredictor.DEFAULT_SIGNATURE;
    private String singleColumn;
    private final Map<String, String> columns = new LinkedHashMap<>();
    private List<String> outputs;
    private String prefix = "pred_";
    private int batchSize = 1000;
    private OnInvalid onInvalid = OnInvalid.FAIL;
    private boolean catalystRows = true;

    private Builder(String location) {
      this.locationText = location;
    }

    /** A version of a base folder of versions (TF Serving layout, zero-padded names too); default the highest. */
    public Builder version(long version) {
      this.version = version;
      return this;
    }

    /** The signature ({@code serving_default} by default). */
    public Builder signature(String key) {
      this.signature = key;
      return this;
    }

    /** For a single-input signature: the column that feeds it, whatever the input's key. */
    public Builder inputColumn(String column) {
      this.singleColumn = column;
      return this;
    }

    /** The column that feeds input {@code key} (default: the column named like the key). */
    public Builder inputColumn(String key, String column) {
      this.columns.put(key, column);
      return this;
    }

    /** The outputs to add, in this order (default: every output, in key order). */
    public Builder outputs(String... keys) {
      this.outputs = List.of(keys);
      return this;
    }

    /** The prefix of the output columns ({@code pred_} by default; may be empty). */
    public Builder prefix(String prefix) {
      this.prefix = prefix;
      return this;
    }

    /** Rows per TensorFlow call (1,000 by default); a partition's last batch may be smaller. */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /** What a bad row does ({@link OnInvalid#FAIL} by default). */
    public Builder onInvalid(OnInvalid onInvalid) {
      this.onInvalid = onInvalid;
      return this;
    }

    /**
     * Whether {@link #transform} reads Catalyst's rows directly (true, the default: arrays are copied in bulk) or
     * goes through {@code Dataset.mapPartitions} on {@code Row}s (false; also what a non-classic Dataset, e.g.
     * Spark Connect's, always gets). Both give the same rows, errors and bits; the Row path boxes every element.
     */
    public Builder catalystRows(boolean catalystRows) {
      this.catalystRows = catalystRows;
      return this;
    }

    /** Loads the model in this JVM (cached), reads the signature and checks the configuration against it. */
    public SparkPredictor build() throws IOException {
      if (singleColumn != null && !columns.isEmpty()) {
        throw new IllegalArgumentException("give either inputColumn(column) for a single-input signature or "
            + "inputColumn(key, column) per input, not both");
      }
      location = new ModelLocation(locationText, version);
      SavedModelPredictor p = ModelCache.get(location);
      return new SparkPredictor(this, p.signature(signature));
    }
  }

  /** The model location the executors resolve. */
  public ModelLocation model() {
    return model;
  }

  /** The signature key. */
  public String signature() {
    return signature;
  }

  /** The schema of {@link #transform}'s result: {@code in}'s columns, then one per output (then the error column). */
  public StructType outputSchema(StructType in) {
    List<String> names = Arrays.asList(in.fieldNames());
    for (In i : inputs) {
      if (!names.contains(i.column())) {
        throw new InvalidInputException("input '" + i.key() + "' needs column '" + i.column() + "', which the data "
            + "does not have (columns: " + names + "); map it with inputColumn(\"" + i.key() + "\", COLUMN)");
      }
      checkColumnType(i, in.apply(i.column()).dataType());
    }
    StructType out = in;
    for (Out o : outputs) {
      if (names.contains(o.column())) {
        throw new InvalidInputException("output column '" + o.column() + "' is already a column of the data; "
            + "choose another prefix");
      }
      DataType e = elementType(o.dtype(), o.key());
      out = out.add(new StructField(o.column(), o.rowShape().length == 0 ? e : DataTypes.createArrayType(e, false),
          true, org.apache.spark.sql.types.Metadata.empty()));
    }
    if (onInvalid == OnInvalid.NULL) {
      if (names.contains(errorColumn())) {
        throw new InvalidInputException("column '" + errorColumn() + "' is already a column of the data; choose "
            + "another prefix");
      }
      out = out.add(errorColumn(), DataTypes.StringType, true);
    }
    return out;
  }

  /** The column that says why a row got null predictions (with {@link OnInvalid#NULL}). */
  public String errorColumn() {
    return prefix + "error";
  }

  private static void checkColumnType(In i, DataType t) {
    DataType leaf = t;
    int depth = 0;
    while (leaf instanceof ArrayType a) {
      leaf = a.elementType();
      depth++;
    }
    DType d = DType.ofTfName(i.dtype());
    boolean numeric = leaf instanceof FloatType || leaf instanceof DoubleType || leaf instanceof IntegerType
        || leaf instanceof LongType || leaf instanceof ShortType || leaf instanceof ByteType;
    boolean ok = d == DType.STRING ? (leaf instanceof BinaryType || leaf instanceof StringType) && depth <= 2
        : d == DType.BOOL ? leaf instanceof BooleanType && depth <= 2
        : (numeric && depth <= 2) || (t instanceof BinaryType);
    if (!ok) {
      throw new InvalidInputException("column '" + i.column() + "' (input '" + i.key() + "') is " + t.simpleString()
          + "; rnnport-spark reads " + (d == DType.STRING ? "binary or string values (or arrays of them)"
          : d == DType.BOOL ? "boolean values (or arrays of them)"
          : "arrays of numbers (or arrays of them), binary, or a number") + " for a " + d.label() + " input");
    }
    boolean single = depth == 0 && !(t instanceof BinaryType && d != DType.STRING);
    if (single && !i.unknownRank() && Arrays.stream(i.rowShape()).reduce(1, (a, b) -> a * b) != 1) {
      throw new InvalidInputException("column '" + i.column() + "' (input '" + i.key() + "') is a single "
          + t.simpleString() + " per row, but the input takes " + i.shapeText() + " per row");
    }
  }

  /**
   * The data with one prediction column per output appended ({@link #outputSchema}); lazy, like any Spark
   * transformation. Rows keep their partition and their order within it.
   */
  public Dataset<Row> transform(Dataset<Row> data) {
    StructType schema = outputSchema(data.schema());
    int[] inputIndex = inputs.stream().mapToInt(i -> data.schema().fieldIndex(i.column())).toArray();
    if (catalystRows && data instanceof org.apache.spark.sql.classic.Dataset<Row> classic) {
      // Catalyst's rows: arrays copied in bulk, no boxed Row values (the classic, non-Connect Dataset)
      DataType[] types = inputs.stream().map(i -> data.schema().apply(i.column()).dataType()).toArray(DataType[]::new);
      InternalPartitionPredict fn = new InternalPartitionPredict(model, signature, inputs, inputIndex, types, outputs,
          batchSize, onInvalid);
      return classic.sparkSession().internalCreateDataFrame(
          classic.queryExecution().toRdd().toJavaRDD().mapPartitions(fn).rdd(), schema, false);
    }
    PartitionPredict fn = new PartitionPredict(model, signature, inputs, inputIndex, outputs, batchSize, onInvalid,
        data.schema().size());
    return data.mapPartitions(fn, Encoders.row(schema));
  }

  List<In> inputs() {
    return inputs;
  }

  List<Out> outputs() {
    return outputs;
  }

  static UncheckedIOException unchecked(IOException e) {
    return new UncheckedIOException(e.getMessage(), e);
  }
}
