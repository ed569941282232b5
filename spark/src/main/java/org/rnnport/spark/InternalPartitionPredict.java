package org.rnnport.spark;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import org.rnnport.predictor.InvalidInputException;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.spark.PartitionPredict.Buffers;
import org.rnnport.spark.SparkPredictor.In;
import org.rnnport.spark.SparkPredictor.OnInvalid;
import org.rnnport.spark.SparkPredictor.Out;

/**
 * {@link PartitionPredict} on Catalyst's own rows (the classic, non-Connect Dataset): array cells are copied into
 * the batch buffers in bulk ({@code UnsafeArrayData.toFloatArray}) instead of through boxed {@code Row} values,
 * and the input row is passed on as it is (a copy of its bytes) beside the outputs. Same batches, same errors,
 * same results as the Row path.
 */
final class InternalPartitionPredict implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final ModelLocation model;
  private final String signature;
  private final List<In> inputs;
  private final int[] inputIndex;
  private final DataType[] inputTypes;
  private final List<Out> outputs;
  private final int batchSize;
  private final OnInvalid onInvalid;

  InternalPartitionPredict(ModelLocation model, String signature, List<In> inputs, int[] inputIndex,
      DataType[] inputTypes, List<Out> outputs, int batchSize, OnInvalid onInvalid) {
    this.model = model;
    this.signature = signature;
    this.inputs = inputs;
    this.inputIndex = inputIndex;
    this.inputTypes = inputTypes;
    this.outputs = outputs;
    this.batchSize = batchSize;
    this.onInvalid = onInvalid;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    TaskContext tc = TaskContext.get();
    int partition = tc == null ? -1 : tc.partitionId();
    return new Iterator<>() {
      private final ArrayDeque<InternalRow> ready = new ArrayDeque<>();
      private final InternalRow[] batch = new InternalRow[batchSize];
      private long rowNumber;
      private SavedModelPredictor predictor;
      private SignatureSpec sig;

      @Override
      public boolean hasNext() {
        if (ready.isEmpty() && rows.hasNext()) {
          int n = 0;
          while (n < batchSize && rows.hasNext()) {
            batch[n++] = rows.next().copy(); // the scan reuses its row object
          }
          predictBatch(n);
        }
        return !ready.isEmpty();
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }

      private void predictBatch(int n) {
        if (predictor == null) {
          try {
            predictor = ModelCache.get(model);
          } catch (IOException e) {
            throw SparkPredictor.unchecked(e);
          }
          sig = predictor.signature(signature);
        }
        long first = rowNumber;
        rowNumber += n;
        Buffers[] buf = new Buffers[inputs.size()];
        for (int i = 0; i < buf.length; i++) {
          buf[i] = new Buffers(inputs.get(i), n);
        }
        String[] errors = new String[n];
        int[] slot = new int[n];
        int valid = 0;
        for (int r = 0; r < n; r++) {
          String err = null;
          for (int i = 0; i < buf.length && err == null; i++) {
            err = buf[i].fillInternal(batch[r], inputIndex[i], inputTypes[i], valid);
          }
          if (err != null) {
            String msg = "partition " + partition + ", row " + (first + r) + " (0-based, within the partition): " + err;
            if (onInvalid == OnInvalid.FAIL) {
              throw new InvalidInputException("rnnport-spark: " + msg);
            }
            errors[r] = msg;
            slot[r] = -1;
          } else {
            slot[r] = valid++;
          }
        }
        Object[][] values = PartitionPredict.runBatch(predictor, sig, buf, valid, outputs);
        int extra = onInvalid == OnInvalid.NULL ? 1 : 0;
        for (int r = 0; r < n; r++) {
          Object[] v = new Object[outputs.size() + extra];
          for (int o = 0; o < outputs.size(); o++) {
            v[o] = slot[r] < 0 ? null : internal(values[o][slot[r]]);
          }
          if (extra == 1 && errors[r] != null) {
            v[v.length - 1] = UTF8String.fromString(errors[r]);
          }
          ready.add(new JoinedRow(batch[r], new GenericInternalRow(v)));
          batch[r] = null;
        }
      }
    };
  }

  /** Catalyst's form of an output value: arrays as UnsafeArrayData, boxed scalars as they are. */
  private static Object internal(Object v) {
    if (v instanceof float[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof double[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof long[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof int[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    }
    return v;
  }
}
