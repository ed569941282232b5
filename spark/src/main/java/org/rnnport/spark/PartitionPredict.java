package org.rnnport.spark;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
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
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.spark.SparkPredictor.In;
import org.rnnport.spark.SparkPredictor.OnInvalid;
import org.rnnport.spark.SparkPredictor.Out;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The task side of {@link SparkPredictor#transform} on Spark's {@code Row}s: {@link PartitionBatches} with cells
 * read through {@code Row.get} and the outputs appended to each row. Also home of what both row forms share: the
 * batch {@link Buffers}, {@link #runBatch} and {@link #perRow}.
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
      String fill(Buffers b, int input, Row row, int slot) {
        return b.fill(row.get(inputIndex[input]), slot);
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

  /** Runs the signature on the batch's {@code valid} good rows: per output, each row's value ({@link #perRow}). */
  static Object[][] runBatch(SavedModelPredictor predictor, SignatureSpec sig, Buffers[] buf, int valid,
      List<Out> outputs) {
    Object[][] values = new Object[outputs.size()][];
    if (valid > 0) {
      try (NamedTensors in = new NamedTensors()) {
        for (Buffers b : buf) {
          in.put(b.in.key(), b.tensor(valid));
        }
        try (Result res = predictor.run(sig, in.asMap())) {
          for (int o = 0; o < outputs.size(); o++) {
            Out out = outputs.get(o);
            Tensor t = res.get(out.key()).orElseThrow(() -> new IllegalStateException("no output " + out.key()));
            values[o] = perRow(out, t, valid);
          }
        }
      }
    }
    return values;
  }

  /** Each row's value of an output: a boxed scalar, or a flat primitive array of the per-row shape's size. */
  static Object[] perRow(Out out, Tensor t, int rows) {
    long[] shape = t.shape().asArray();
    if (shape.length == 0 || shape[0] != rows) {
      throw new IllegalStateException("output '" + out.key() + "' has shape " + Arrays.toString(shape) + " for a batch "
          + "of " + rows + " rows: not one row per input row");
    }
    long total = t.shape().size();
    int per = (int) (total / rows);
    boolean scalar = out.rowShape().length == 0;
    if (scalar && per != 1) {
      throw new IllegalStateException("output '" + out.key() + "' is declared per-row scalar but has shape "
          + Arrays.toString(shape));
    }
    Object[] v = new Object[rows];
    if (t instanceof TFloat32 f) {
      float[] all = new float[(int) total];
      f.copyTo(DataBuffers.of(all, false, false));
      for (int r = 0; r < rows; r++) {
        v[r] = scalar ? (Object) all[r] : Arrays.copyOfRange(all, r * per, (r + 1) * per);
      }
    } else if (t instanceof TFloat64 d) {
      double[] all = new double[(int) total];
      d.copyTo(DataBuffers.of(all, false, false));
      for (int r = 0; r < rows; r++) {
        v[r] = scalar ? (Object) all[r] : Arrays.copyOfRange(all, r * per, (r + 1) * per);
      }
    } else if (t instanceof TInt64 l) {
      long[] all = new long[(int) total];
      l.copyTo(DataBuffers.of(all, false, false));
      for (int r = 0; r < rows; r++) {
        v[r] = scalar ? (Object) all[r] : Arrays.copyOfRange(all, r * per, (r + 1) * per);
      }
    } else if (t instanceof TInt32 i) {
      int[] all = new int[(int) total];
      i.copyTo(DataBuffers.of(all, false, false));
      for (int r = 0; r < rows; r++) {
        v[r] = scalar ? (Object) all[r] : Arrays.copyOfRange(all, r * per, (r + 1) * per);
      }
    } else {
      throw new IllegalStateException("output '" + out.key() + "' is " + t.dataType());
    }
    return v;
  }

  /** One input's batch buffer, of the input's dtype, filled row by row at the row's slot. */
  static final class Buffers {
    final In in;
    final int capacity;
    long[] rowShape; // resolved: inferred dimension filled in from the first good row
    int rowSize = -1;
    float[] f;
    double[] d;
    int[] i32;
    long[] i64;

    Buffers(In in, int capacity) {
      this.in = in;
      this.capacity = capacity;
      if (!in.unknownRank() && Arrays.stream(in.rowShape()).allMatch(x -> x >= 0)) {
        rowShape = in.rowShape();
        rowSize = (int) Arrays.stream(rowShape).reduce(1, (a, b) -> a * b);
        allocate();
      }
    }

    private void allocate() {
      int size = Math.multiplyExact(capacity, rowSize);
      switch (in.dtype()) {
        case "DT_FLOAT" -> f = new float[size];
        case "DT_DOUBLE" -> d = new double[size];
        case "DT_INT32" -> i32 = new int[size];
        default -> i64 = new long[size];
      }
    }

    private String where() {
      return "column '" + in.column() + "' (input '" + in.key() + "')";
    }

    /** Writes one cell at {@code slot}; returns why it cannot, or null. */
    String fill(Object cell, int slot) {
      if (cell == null) {
        return where() + " is null";
      }
      int n = length(cell);
      if (n < 0) {
        return where() + " has a null inner array";
      }
      String err = checkLength(n);
      return err != null ? err : write(cell, slot * rowSize);
    }

    /** Checks a row's value count against the per-row shape (the first good row fixes an inferred dimension). */
    String checkLength(int n) {
      if (rowSize < 0) {
        if (in.unknownRank()) {
          rowShape = new long[] {n};
          rowSize = n;
        } else {
          long known = Arrays.stream(in.rowShape()).filter(x -> x >= 0).reduce(1, (a, b) -> a * b);
          if (n == 0 || n % known != 0) {
            return where() + ": " + n + " values cannot fill per-row shape " + in.shapeText();
          }
          rowShape = Arrays.stream(in.rowShape()).map(x -> x < 0 ? n / known : x).toArray();
          rowSize = n;
        }
        allocate();
      }
      if (n != rowSize) {
        return where() + ": " + n + " values, the input takes " + rowSize + " per row (per-row shape "
            + Arrays.toString(rowShape) + (in.unknownRank() || Arrays.equals(rowShape, in.rowShape()) ? ""
            : ", inferred from this batch's first row") + ")";
      }
      return null;
    }

    /**
     * Writes cell {@code ord} of a Catalyst row at {@code slot}: arrays are copied in bulk ({@code toFloatArray}
     * and the like) when the element type is the input's own, converted element by element otherwise.
     */
    String fillInternal(InternalRow row, int ord, DataType type, int slot) {
      if (row.isNullAt(ord)) {
        return where() + " is null";
      }
      if (type instanceof ArrayType at) {
        ArrayData ad = row.getArray(ord);
        if (at.elementType() instanceof ArrayType inner) {
          int k = ad.numElements();
          int total = 0;
          for (int j = 0; j < k; j++) {
            if (ad.isNullAt(j)) {
              return where() + " has a null inner array";
            }
            total += ad.getArray(j).numElements();
          }
          String err = checkLength(total);
          int at0 = slot * rowSize;
          int pos = at0;
          for (int j = 0; j < k && err == null; j++) {
            ArrayData a = ad.getArray(j);
            err = writeArray(a, inner.elementType(), inner.containsNull(), pos, at0);
            pos += a.numElements();
          }
          return err;
        }
        String err = checkLength(ad.numElements());
        return err != null ? err : writeArray(ad, at.elementType(), at.containsNull(), slot * rowSize, slot * rowSize);
      }
      if (type instanceof BinaryType) {
        byte[] b = row.getBinary(ord);
        String err = checkLength(b.length);
        return err != null ? err : write(b, slot * rowSize);
      }
      String err = checkLength(1);
      return err != null ? err : put((Number) row.get(ord, type), new int[] {slot * rowSize}, slot * rowSize);
    }

    private String writeArray(ArrayData a, DataType et, boolean containsNull, int at, int rowStart) {
      int n = a.numElements();
      if (containsNull) {
        for (int j = 0; j < n; j++) {
          if (a.isNullAt(j)) {
            return where() + ": element " + (at - rowStart + j) + " is null";
          }
        }
      }
      if (f != null && et instanceof FloatType) {
        System.arraycopy(a.toFloatArray(), 0, f, at, n);
      } else if (d != null && et instanceof DoubleType) {
        System.arraycopy(a.toDoubleArray(), 0, d, at, n);
      } else if (i32 != null && et instanceof IntegerType) {
        System.arraycopy(a.toIntArray(), 0, i32, at, n);
      } else if (i64 != null && et instanceof LongType) {
        System.arraycopy(a.toLongArray(), 0, i64, at, n);
      } else {
        int[] pos = {at};
        for (int j = 0; j < n; j++) {
          String err = put((Number) a.get(j, et), pos, rowStart);
          if (err != null) {
            return err;
          }
        }
      }
      return null;
    }

    private static int length(Object cell) {
      if (cell instanceof scala.collection.Seq<?> s) {
        int n = s.length();
        if (n > 0 && s.head() instanceof scala.collection.Seq<?>) {
          int total = 0;
          for (scala.collection.Iterator<?> it = s.iterator(); it.hasNext(); ) {
            Object inner = it.next();
            if (!(inner instanceof scala.collection.Seq<?> is)) {
              return -1;
            }
            total += is.length();
          }
          return total;
        }
        return n;
      }
      if (cell instanceof byte[] b) {
        return b.length;
      }
      if (cell instanceof java.util.List<?> l) {
        return l.size();
      }
      return 1; // a number
    }

    private String write(Object cell, int at) {
      int[] pos = {at};
      String err;
      if (cell instanceof scala.collection.Seq<?> s) {
        err = null;
        for (scala.collection.Iterator<?> it = s.iterator(); it.hasNext() && err == null; ) {
          Object e = it.next();
          if (e instanceof scala.collection.Seq<?> inner) {
            for (scala.collection.Iterator<?> jt = inner.iterator(); jt.hasNext() && err == null; ) {
              err = put(jt.next(), pos, at);
            }
          } else {
            err = put(e, pos, at);
          }
        }
      } else if (cell instanceof byte[] b) {
        err = null;
        for (byte x : b) {
          put(x & 0xff, pos, at);
        }
      } else if (cell instanceof java.util.List<?> l) {
        err = null;
        for (Object e : l) {
          if ((err = put(e, pos, at)) != null) {
            break;
          }
        }
      } else {
        err = put(cell, pos, at);
      }
      return err;
    }

    private String put(Object e, int[] pos, int start) {
      int p = pos[0]++;
      if (f != null) {
        if (e instanceof Float x) {
          f[p] = x;
          return null;
        }
        if (e instanceof Number x) {
          f[p] = x.floatValue();
          return null;
        }
      } else if (d != null) {
        if (e instanceof Number x) {
          d[p] = x.doubleValue();
          return null;
        }
      } else if (e instanceof Number x) {
        boolean integral = x instanceof Long || x instanceof Integer || x instanceof Short || x instanceof Byte;
        double v = x.doubleValue();
        if (!integral && v != Math.rint(v)) {
          return where() + ": element " + (p - start) + " is " + x + ", not an integer (" + in.dtype() + ")";
        }
        long l = integral ? x.longValue() : (long) v;
        if (i32 != null) {
          if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE || (!integral && Math.abs(v) > Integer.MAX_VALUE)) {
            return where() + ": element " + (p - start) + " is " + x + ", out of DT_INT32's range";
          }
          i32[p] = (int) l;
        } else {
          i64[p] = l;
        }
        return null;
      }
      return where() + ": element " + (p - start) + " is " + (e == null ? "null" : e.getClass().getSimpleName() + " " + e);
    }

    Tensor tensor(int rows) {
      long[] shape = new long[rowShape.length + 1];
      shape[0] = rows;
      System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
      Shape s = Shape.of(shape);
      int size = rows * rowSize;
      if (f != null) {
        return TFloat32.tensorOf(s, DataBuffers.of(f, true, false).narrow(size));
      } else if (d != null) {
        return TFloat64.tensorOf(s, DataBuffers.of(d, true, false).narrow(size));
      } else if (i32 != null) {
        return TInt32.tensorOf(s, DataBuffers.of(i32, true, false).narrow(size));
      }
      return TInt64.tensorOf(s, DataBuffers.of(i64, true, false).narrow(size));
    }
  }
}
