package org.rnnport.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import org.rnnport.spark.SparkPredictor.In;
import org.rnnport.spark.SparkPredictor.OnInvalid;
import org.rnnport.spark.SparkPredictor.Out;
import org.rnnport.tensorio.batch.ColumnBuilder;

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
    return new PartitionBatches<>(rows, model, signature, inputs, outputs, batchSize, onInvalid) {
      @Override
      InternalRow keep(InternalRow row) {
        return row.copy(); // the scan reuses its row object
      }

      @Override
      String fill(ColumnBuilder b, In in, int input, InternalRow row) {
        return PartitionPredict.Cells.fillInternal(b, in, row, inputIndex[input], inputTypes[input]);
      }

      @Override
      InternalRow emit(InternalRow row, Object[] values, String error, boolean withError) {
        Object[] v = new Object[values.length + (withError ? 1 : 0)];
        for (int o = 0; o < values.length; o++) {
          v[o] = internal(outputs.get(o), values[o]);
        }
        if (withError && error != null) {
          v[v.length - 1] = UTF8String.fromString(error);
        }
        return new JoinedRow(row, new GenericInternalRow(v));
      }
    };
  }

  /** Catalyst's form of an output value: arrays as UnsafeArrayData or GenericArrayData, scalars as they are. */
  private static Object internal(Out o, Object v) {
    if (o.rowShape().length == 0) {
      return v; // a boxed number or bool, or a string's byte[] (binary)
    } else if (v instanceof float[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof double[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof long[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof int[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof short[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof byte[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof boolean[] a) {
      return UnsafeArrayData.fromPrimitiveArray(a);
    } else if (v instanceof byte[][] a) {
      return new GenericArrayData(a);
    }
    return v;
  }
}
