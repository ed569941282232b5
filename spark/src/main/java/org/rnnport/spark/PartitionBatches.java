package org.rnnport.spark;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.rnnport.predictor.InvalidInputException;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.spark.SparkPredictor.In;
import org.rnnport.spark.SparkPredictor.OnInvalid;
import org.rnnport.spark.SparkPredictor.Out;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.ColumnBuilder;
import org.rnnport.tensorio.batch.RowBatcher;
import org.rnnport.tensorio.batch.ValueException;

/**
 * A partition's rows in, the same rows with the model's outputs out, one batch at a time: collects up to
 * {@code batchSize} rows, adds their cells to tensor I/O's {@link RowBatcher} (one exact column per input; a ragged
 * or out-of-range row is taken back and reported), runs the signature once on the good rows of the batch on this JVM's cached model, and hands each row on with its outputs (or with nulls and
 * the reason, under {@link OnInvalid#NULL}). The row type's two forms, Spark's {@code Row} and Catalyst's
 * {@code InternalRow}, differ only in how a cell is read ({@link #fill}) and how a result row is made
 * ({@link #emit}). An empty partition loads nothing and yields nothing.
 */
abstract class PartitionBatches<R> implements Iterator<R> {
  private final Iterator<R> rows;
  private final ModelLocation model;
  private final String signature;
  private final List<In> inputs;
  private final List<Out> outputs;
  private final int batchSize;
  private final OnInvalid onInvalid;
  private final int partition;
  private final ArrayDeque<R> ready = new ArrayDeque<>();
  private final Object[] rowsOf;
  private long rowNumber; // within the partition, 0-based
  private SavedModelPredictor predictor;
  private SignatureSpec sig;

  PartitionBatches(Iterator<R> rows, ModelLocation model, String signature, List<In> inputs, List<Out> outputs,
      int batchSize, OnInvalid onInvalid) {
    this.rows = rows;
    this.model = model;
    this.signature = signature;
    this.inputs = inputs;
    this.outputs = outputs;
    this.batchSize = batchSize;
    this.onInvalid = onInvalid;
    TaskContext tc = TaskContext.get();
    this.partition = tc == null ? -1 : tc.partitionId();
    this.rowsOf = new Object[batchSize];
  }

  /** The row to keep for the batch (a scan may reuse its row object: copy it then). */
  R keep(R row) {
    return row;
  }

  /** Adds input {@code input}'s cell of {@code row} to {@code b}; returns why it cannot, or null. */
  abstract String fill(ColumnBuilder b, In in, int input, R row);

  /**
   * The result row: {@code row}, then {@code values} (one per output; all null for an invalid row), then under
   * {@link OnInvalid#NULL} the error ({@code null} for a good row).
   */
  abstract R emit(R row, Object[] values, String error, boolean withError);

  @Override
  public boolean hasNext() {
    if (ready.isEmpty() && rows.hasNext()) {
      int n = 0;
      while (n < batchSize && rows.hasNext()) {
        rowsOf[n++] = keep(rows.next());
      }
      predictBatch(n);
    }
    return !ready.isEmpty();
  }

  @Override
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  @SuppressWarnings("unchecked")
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
    RowBatcher batch = new RowBatcher(inputs.stream().map(i -> new RowBatcher.Input(i.key(), DType.ofTfName(i.dtype()),
        i.unknownRank() ? null : i.rowShape())).toList(), n);
    String[] errors = new String[n];
    int[] slot = new int[n];
    for (int r = 0; r < n; r++) {
      String err = null;
      for (int i = 0; i < inputs.size() && err == null; i++) {
        err = fill(batch.values(i), inputs.get(i), i, (R) rowsOf[r]);
      }
      if (err == null) {
        try {
          batch.endRow(first + r);
        } catch (ValueException e) {
          In in = inputs.stream().filter(x -> x.key().equals(e.key())).findFirst().orElseThrow();
          err = PartitionPredict.Cells.where(in) + ": " + e.detail();
        }
      } else {
        batch.abortRow();
      }
      if (err != null) {
        String msg = "partition " + partition + ", row " + (first + r) + " (0-based, within the partition): " + err;
        if (onInvalid == OnInvalid.FAIL) {
          throw new InvalidInputException("rnnport-spark: " + msg);
        }
        errors[r] = msg;
        slot[r] = -1;
      } else {
        slot[r] = batch.rows() - 1;
      }
    }
    Object[][] values = PartitionPredict.runBatch(predictor, sig, batch, outputs);
    for (int r = 0; r < n; r++) {
      Object[] v = new Object[outputs.size()];
      for (int o = 0; o < v.length; o++) {
        v[o] = slot[r] < 0 ? null : values[o][slot[r]];
      }
      ready.add(emit((R) rowsOf[r], v, errors[r], onInvalid == OnInvalid.NULL));
      rowsOf[r] = null;
    }
  }
}
