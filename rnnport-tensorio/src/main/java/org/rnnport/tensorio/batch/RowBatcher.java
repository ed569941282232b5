package org.rnnport.tensorio.batch;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.tensorio.DType;

/**
 * Rows gathered into one batch {@link Column} per input key. Each input has a dtype and a declared row shape (a
 * signature's shape without its batch dimension: {@code -1} for an unknown dimension, null for an unknown rank). A
 * row's values are added to each input's {@link ColumnBuilder} ({@link #values}), then {@link #endRow} checks them:
 * the first row fixes an unknown dimension (its value count divided by the known ones), and every later row must have
 * that many values. A ragged row is refused with a {@link ValueException} naming the row's index and the input key,
 * and taken back whole, so the batch stays good and the caller may skip it. Rows that come already shaped (one-row
 * columns) are added with {@link #add}. Not thread-safe.
 */
public final class RowBatcher {
  /**
   * One input of the batch.
   *
   * @param key the input key
   * @param dtype its dtype
   * @param rowShape its declared row shape ({@code -1}: unknown dimension), or null for an unknown rank
   */
  public record Input(String key, DType dtype, long[] rowShape) {}

  private final List<Input> inputs;
  private final ColumnBuilder[] values;
  private final long[][] shapes;
  private final int[] marks;
  private int rows;

  /**
   * An empty batch.
   *
   * @param inputs the inputs, in feed order
   * @param capacity rows to make room for before growing
   */
  public RowBatcher(List<Input> inputs, int capacity) {
    this.inputs = List.copyOf(inputs);
    this.values = new ColumnBuilder[inputs.size()];
    this.shapes = new long[inputs.size()][];
    this.marks = new int[inputs.size()];
    for (int i = 0; i < values.length; i++) {
      Input in = inputs.get(i);
      long fixed = in.rowShape() == null ? -1 : Column.size(in.rowShape());
      values[i] = new ColumnBuilder(in.dtype(), (int) Math.min(1 << 20, Math.max(1, capacity * Math.max(1, fixed))));
      if (in.rowShape() != null && Arrays.stream(in.rowShape()).allMatch(d -> d >= 0)) {
        shapes[i] = in.rowShape().clone();
      }
    }
  }

  /**
   * The inputs.
   *
   * @return the inputs
   */
  public List<Input> inputs() {
    return inputs;
  }

  /**
   * The rows so far.
   *
   * @return the rows so far
   */
  public int rows() {
    return rows;
  }

  /**
   * The builder that takes input {@code i}'s values of the current row.
   *
   * @param i the input's index, in the order given
   * @return the builder that takes input i's values of the current row
   */
  public ColumnBuilder values(int i) {
    return values[i];
  }

  /**
   * The row shape input {@code i} has in this batch, or null before a row fixed it.
   *
   * @param i the input's index, in the order given
   * @return the row shape input i has in this batch, or null before a row fixed it
   */
  public long[] rowShape(int i) {
    return shapes[i] == null ? null : shapes[i].clone();
  }

  /**
   * Ends the current row: checks each input's values against the batch's row shape (fixing it on the first row).
   *
   * @param rowIndex the row's index as the caller counts rows, for the error
   * @throws ValueException naming the row and the input key for a ragged row, which is taken back
   */
  public void endRow(long rowIndex) {
    for (int i = 0; i < values.length; i++) {
      int n = values[i].size() - marks[i];
      String err = check(i, n);
      if (err != null) {
        abortRow();
        throw new ValueException(err, inputs.get(i).key(), rowIndex);
      }
    }
    for (int i = 0; i < values.length; i++) {
      marks[i] = values[i].size();
    }
    rows++;
  }

  /** Takes back the values added since the last complete row. */
  public void abortRow() {
    for (int i = 0; i < values.length; i++) {
      values[i].truncate(marks[i]);
    }
  }

  private String check(int i, int n) {
    long[] declared = inputs.get(i).rowShape();
    if (shapes[i] == null) {
      if (declared == null) {
        shapes[i] = new long[] {n};
        return null;
      }
      long known = 1;
      int unknown = 0;
      for (long d : declared) {
        if (d < 0) {
          unknown++;
        } else {
          known *= d;
        }
      }
      if (unknown > 1 && n > 0 || known == 0 || n % known != 0 || n == 0 && unknown > 0) {
        return n + " values cannot fill the row shape " + Arrays.toString(declared);
      }
      long fill = unknown > 1 ? 0 : n / known;
      shapes[i] = Arrays.stream(declared).map(d -> d < 0 ? fill : d).toArray();
      return null;
    }
    long want = Column.size(shapes[i]);
    if (n != want) {
      return n + " values, the input takes " + want + " per row (per-row shape " + Arrays.toString(shapes[i])
          + (Arrays.equals(shapes[i], declared) ? "" : ", inferred from this batch's first row") + "): a ragged row";
    }
    return null;
  }

  /**
   * Whether a row of already-shaped values has each input's row shape of this batch (always, for the first row).
   *
   * @param row one one-row column per input key
   * @return whether a row of already-shaped values has each input's row shape of this batch (always, for the first row)
   */
  public boolean fits(Map<String, Column> row) {
    if (rows == 0) {
      return true;
    }
    for (int i = 0; i < values.length; i++) {
      Column c = row.get(inputs.get(i).key());
      if (c != null && !Arrays.equals(shapes[i], c.rowShape())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds a row of already-shaped values (a one-row column per input key; a column of another dtype is converted
   * exactly, as {@link ColumnBuilder#addAll}).
   *
   * @param rowIndex the row's index, for the error
   * @throws ValueException naming the row and key for a missing input, a value the input's dtype cannot hold, or
   *     a row shape other than the batch's (ragged: see {@link #fits}); the row is taken back
   * @param row one one-row column per input key
   */
  public void add(long rowIndex, Map<String, Column> row) {
    for (int i = 0; i < values.length; i++) {
      String key = inputs.get(i).key();
      Column c = row.get(key);
      try {
        if (c == null) {
          throw new ValueException("no value");
        }
        if (rows > 0 && !Arrays.equals(shapes[i], c.rowShape())) {
          throw new ValueException("ragged: a row of " + Arrays.toString(c.rowShape()) + ", the batch's rows are "
              + Arrays.toString(shapes[i]));
        }
        values[i].addAll(c);
      } catch (ValueException e) {
        abortRow();
        throw new ValueException(e.detail(), key, rowIndex);
      }
    }
    for (int i = 0; i < values.length; i++) {
      if (rows == 0) {
        shapes[i] = row.get(inputs.get(i).key()).rowShape().clone();
      }
      marks[i] = values[i].size();
    }
    rows++;
  }

  /**
   * The batch: one column per input key, of {@link #rows()} rows (an input no row fixed the shape of gets its
   * declared one with unknown dimensions as 0).
   * @return the batch: one column per input key, of rows rows (an input no row fixed the shape of gets its declared one with unknown dimensions as 0)
   */
  public Map<String, Column> build() {
    Map<String, Column> out = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      long[] s = shapes[i];
      if (s == null) {
        long[] d = inputs.get(i).rowShape();
        s = d == null ? new long[] {0} : Arrays.stream(d).map(x -> Math.max(x, 0)).toArray();
      }
      out.put(inputs.get(i).key(), values[i].toColumn(s, rows));
    }
    return out;
  }

  /** Empties the batch (the row shapes fixed by its rows are forgotten). */
  public void clear() {
    for (int i = 0; i < values.length; i++) {
      values[i].truncate(0);
      marks[i] = 0;
      long[] d = inputs.get(i).rowShape();
      shapes[i] = d != null && Arrays.stream(d).allMatch(x -> x >= 0) ? d.clone() : null;
    }
    rows = 0;
  }
}
