package org.rnnport.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.unsafe.types.UTF8String;
import org.rnnport.predictor.InvalidInputException;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.spark.SparkPredictor.In;
import org.rnnport.spark.SparkPredictor.OnInvalid;
import org.rnnport.spark.SparkPredictor.Out;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.TensorIoException;
import org.rnnport.tensorio.batch.BatchTensors;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.batch.ColumnBuilder;
import org.rnnport.tensorio.batch.RowBatcher;
import org.rnnport.tensorio.batch.ValueException;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * The task side of {@link SparkPredictor#transform} on Spark's {@code Row}s: {@link PartitionBatches} with cells
 * read through {@code Row.get} and the outputs appended to each row. Also home of what both row forms share: the
 * cell readers ({@link Cells}, into tensor I/O's row batcher), {@link #runBatch} and {@link #perRow}.
 */
final class PartitionPredict implements MapPartitionsFunction<Row, Row> {
  // (the Catalyst-row twin of this function is InternalPartitionPredict)
  private static final long serialVersionUID = 1L;

  private final ModelLocation model;
  private final String signature;
  private final List<In> inputs;
  private final int[] inputIndex;
  private final List<Out> outputs;
  private final int batchSize;
  private final OnInvalid onInvalid;
  private final int width;

  PartitionPredict(ModelLocation model, String signature, List<In> inputs, int[] inputIndex, List<Out> outputs,
      int batchSize, OnInvalid onInvalid, int width) {
    this.model = model;
    this.signature = signature;
    this.inputs = inputs;
    this.inputIndex = inputIndex;
    this.outputs = outputs;
    this.batchSize = batchSize;
    this.onInvalid = onInvalid;
    this.width = width;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new PartitionBatches<>(rows, model, signature, inputs, outputs, batchSize, onInvalid) {
      @Override
      String fill(ColumnBuilder b, In in, int input, Row row) {
        return Cells.fill(b, in, row.get(inputIndex[input]));
      }

      @Override
      Row emit(Row row, Object[] values, String error, boolean withError) {
        Object[] v = new Object[width + values.length + (withError ? 1 : 0)];
        for (int c = 0; c < width; c++) {
          v[c] = row.get(c);
        }
        System.arraycopy(values, 0, v, width, values.length);
        if (withError) {
          v[v.length - 1] = error;
        }
        return RowFactory.create(v);
      }
    };
  }

  /** Runs the signature on the batch's good rows: per output, each row's value ({@link #perRow}). */
  static Object[][] runBatch(SavedModelPredictor predictor, SignatureSpec sig, RowBatcher batch, List<Out> outputs) {
    int valid = batch.rows();
    Object[][] values = new Object[outputs.size()][];
    if (valid > 0) {
      try (NamedTensors in = new NamedTensors()) {
        for (Map.Entry<String, Column> e : batch.build().entrySet()) {
          in.put(e.getKey(), BatchTensors.tensor(e.getValue(), e.getKey()));
        }
        try (Result res = predictor.run(sig, in.asMap())) {
          for (int o = 0; o < outputs.size(); o++) {
            Out out = outputs.get(o);
            Tensor t = res.get(out.key()).orElseThrow(() -> new IllegalStateException("no output " + out.key()));
            values[o] = perRow(out, t, valid);
          }
        }
      } catch (TensorIoException e) {
        throw new InvalidInputException("rnnport-spark: " + e.getMessage());
      }
    }
    return values;
  }

  /**
   * Each row's value of an output, in the Java form of its Spark type ({@link SparkPredictor#elementType}): a boxed
   * scalar, or a flat primitive array of the per-row shape's size ({@code byte[][]} for string arrays).
   */
  static Object[] perRow(Out out, Tensor t, int rows) {
    long[] shape = t.shape().asArray();
    if (shape.length == 0 || shape[0] != rows) {
      throw new IllegalStateException("output '" + out.key() + "' has shape " + Arrays.toString(shape) + " for a batch "
          + "of " + rows + " rows: not one row per input row");
    }
    Column c = BatchTensors.column(t, out.key(), rows);
    int per = c.rowSize();
    boolean scalar = out.rowShape().length == 0;
    if (scalar && per != 1) {
      throw new IllegalStateException("output '" + out.key() + "' is declared per-row scalar but has shape "
          + Arrays.toString(shape));
    }
    Object[] v = new Object[rows];
    for (int r = 0; r < rows; r++) {
      v[r] = scalar ? element(c, r) : row(c, r * per, per);
    }
    return v;
  }

  private static Object element(Column c, int i) {
    return switch (c.dtype()) {
      case FLOAT32 -> c.getFloat(i);
      case FLOAT64 -> c.getDouble(i);
      case INT8 -> (byte) c.getLong(i);
      case INT16, UINT8 -> (short) c.getLong(i);
      case INT32, UINT16 -> (int) c.getLong(i);
      case BOOL -> c.getLong(i) != 0;
      case STRING -> c.strings()[i];
      default -> c.getLong(i); // int64, uint32
    };
  }

  private static Object row(Column c, int from, int n) {
    switch (c.dtype()) {
      case FLOAT32 -> {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = c.getFloat(from + i);
        }
        return a;
      }
      case FLOAT64 -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = c.getDouble(from + i);
        }
        return a;
      }
      case INT8 -> {
        return Arrays.copyOfRange(c.bytes(), from, from + n);
      }
      case INT16, UINT8 -> {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
          a[i] = (short) c.getLong(from + i);
        }
        return a;
      }
      case INT32, UINT16 -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = (int) c.getLong(from + i);
        }
        return a;
      }
      case BOOL -> {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          a[i] = c.getLong(from + i) != 0;
        }
        return a;
      }
      case STRING -> {
        return Arrays.copyOfRange(c.strings(), from, from + n);
      }
      default -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = c.getLong(from + i);
        }
        return a;
      }
    }
  }

  /**
   * Spark's cells into tensor I/O's row batcher: each cell's values go to its input's {@link ColumnBuilder}, which
   * checks each one against the input's dtype (exactly: nothing rounds or wraps); {@link RowBatcher#endRow} checks
   * the row's length. A {@code binary} cell is one string for a string input, unsigned bytes for a numeric one.
   */
  static final class Cells {
    private Cells() {}

    static String where(In in) {
      return "column '" + in.column() + "' (input '" + in.key() + "')";
    }

    /** Adds a {@code Row} cell's values; returns why it cannot, or null. */
    static String fill(ColumnBuilder b, In in, Object cell) {
      if (cell == null) {
        return where(in) + " is null";
      }
      int[] pos = {0};
      try {
        return add(b, in, cell, pos, 0);
      } catch (ValueException e) {
        return where(in) + ": element " + pos[0] + ": " + e.detail();
      }
    }

    private static String add(ColumnBuilder b, In in, Object e, int[] pos, int depth) {
      if (e instanceof scala.collection.Seq<?> s) {
        if (depth > 1) {
          return where(in) + " nests arrays more than two deep";
        }
        for (scala.collection.Iterator<?> it = s.iterator(); it.hasNext(); ) {
          String err = add(b, in, it.next(), pos, depth + 1);
          if (err != null) {
            return err;
          }
        }
        return null;
      }
      if (e instanceof java.util.List<?> l) {
        for (Object x : l) {
          String err = add(b, in, x, pos, depth + 1);
          if (err != null) {
            return err;
          }
        }
        return null;
      }
      if (e == null) {
        return depth <= 1 ? where(in) + " has a null " + (depth == 0 ? "value" : "inner array or element " + pos[0])
            : where(in) + ": element " + pos[0] + " is null";
      }
      if (e instanceof byte[] bytes && b.dtype() != DType.STRING) {
        for (byte x : bytes) {
          b.addLong(x & 0xff);
          pos[0]++;
        }
        return null;
      }
      scalar(b, e);
      pos[0]++;
      return null;
    }

    /** One value of a Spark cell, by its Java type. */
    static void scalar(ColumnBuilder b, Object e) {
      if (e instanceof Float x) {
        b.addFloat(x);
      } else if (e instanceof Double x) {
        b.addDouble(x);
      } else if (e instanceof Long || e instanceof Integer || e instanceof Short || e instanceof Byte) {
        b.addLong(((Number) e).longValue());
      } else if (e instanceof Boolean x) {
        b.addBool(x);
      } else if (e instanceof byte[] x) {
        b.addBytes(x);
      } else if (e instanceof String x) {
        b.addText(x);
      } else if (e instanceof UTF8String x) {
        b.addBytes(x.getBytes());
      } else {
        throw new ValueException("a " + e.getClass().getSimpleName() + " " + e + " (the dtype is " + b.dtype().label()
            + ")");
      }
    }

    /**
     * Adds cell {@code ord} of a Catalyst row: arrays in bulk ({@code toFloatArray} and the like) where the element
     * type is the input's own, element by element otherwise. Returns why it cannot, or null.
     */
    static String fillInternal(ColumnBuilder b, In in, InternalRow row, int ord, DataType type) {
      if (row.isNullAt(ord)) {
        return where(in) + " is null";
      }
      int[] pos = {0};
      try {
        if (type instanceof ArrayType at) {
          ArrayData ad = row.getArray(ord);
          if (at.elementType() instanceof ArrayType inner) {
            for (int j = 0; j < ad.numElements(); j++) {
              if (ad.isNullAt(j)) {
                return where(in) + " has a null inner array";
              }
            }
            for (int j = 0; j < ad.numElements(); j++) {
              String err = array(b, in, ad.getArray(j), inner.elementType(), inner.containsNull(), pos);
              if (err != null) {
                return err;
              }
            }
            return null;
          }
          return array(b, in, ad, at.elementType(), at.containsNull(), pos);
        }
        if (type instanceof BinaryType && b.dtype() != DType.STRING) {
          for (byte x : row.getBinary(ord)) {
            b.addLong(x & 0xff);
            pos[0]++;
          }
          return null;
        }
        scalar(b, type instanceof BinaryType ? row.getBinary(ord) : row.get(ord, type));
        return null;
      } catch (ValueException e) {
        return where(in) + ": element " + pos[0] + ": " + e.detail();
      }
    }

    private static String array(ColumnBuilder b, In in, ArrayData a, DataType et, boolean containsNull, int[] pos) {
      int n = a.numElements();
      if (containsNull) {
        for (int j = 0; j < n; j++) {
          if (a.isNullAt(j)) {
            return where(in) + ": element " + (pos[0] + j) + " is null";
          }
        }
      }
      if (et instanceof FloatType) {
        b.addFloats(a.toFloatArray());
      } else if (et instanceof DoubleType) {
        b.addDoubles(a.toDoubleArray());
      } else if (et instanceof IntegerType) {
        b.addInts(a.toIntArray());
      } else if (et instanceof LongType) {
        b.addLongs(a.toLongArray());
      } else {
        for (int j = 0; j < n; j++) {
          scalar(b, et instanceof BinaryType ? a.getBinary(j) : a.get(j, et));
          pos[0]++;
        }
        return null;
      }
      pos[0] += n;
      return null;
    }
  }
}
