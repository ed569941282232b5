package org.rnnport.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.batch.RowBatcher;
import org.rnnport.tensorio.batch.ValueException;

/**
 * Gathers rows parsed one at a time (JSON Lines, CSV, TFRecord, Parquet) into a {@link Chunk}. All
 * rows of a chunk share each input's row shape; a row whose shape differs (possible only where
 * the signature leaves a dimension unknown) does not {@link #fits fit} and starts the next chunk.
 */
public final class RowAssembler {
  /** One parsed row: each input's values (a one-row column, shape resolved), and its label or null. */
  public record Row(Map<String, Column> values, Integer label) {}

  private final ReadOptions opts;
  private final RowBatcher batch;
  private final List<Integer> good = new ArrayList<>();
  private final List<Integer> labels = new ArrayList<>();
  private final List<Reject> rejects = new ArrayList<>();
  private int records;

  public RowAssembler(ReadOptions opts) {
    this.opts = opts;
    this.batch = new RowBatcher(opts.inputs().stream().map(b -> new RowBatcher.Input(b.key(), b.dtype(), b.rowShape()))
        .toList(), 64);
  }

  public int records() {
    return records;
  }

  public boolean fits(Row r) {
    return batch.fits(r.values());
  }

  /**
   * Adds a good row (its values converted exactly to the inputs' dtypes).
   *
   * @throws InputException naming the file, record and key for a value an input's dtype cannot hold
   */
  public void add(Row r, Path file, String where) {
    try {
      batch.add(records, r.values());
    } catch (ValueException e) {
      throw new InputException(file, where, e.key(), e.detail());
    }
    if (opts.labelColumn() != null) {
      labels.add(r.label());
    }
    good.add(records++);
  }

  public void reject(Reject r) {
    rejects.add(r);
    records++;
  }

  /** Parses a one-hot or integer label. */
  public static int label(Column c, Path file, String where, String column) {
    int n = c.rowSize();
    if (n == 1) {
      double v = c.getDouble(0);
      if (v != Math.rint(v) || v < 0) {
        throw new InputException(file, where, column, "label " + v + " is not a class index (a non-negative integer)");
      }
      return (int) v;
    }
    if (n == 0) {
      throw new InputException(file, where, column, "empty label");
    }
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (c.getDouble(i) > c.getDouble(best)) {
        best = i;
      }
    }
    return best;
  }

  public Chunk build(Path file, long firstRecord) {
    if (records == 0) {
      return null;
    }
    Map<String, Column> cols = batch.build();
    int[] g = null;
    if (good.size() != records) {
      g = good.stream().mapToInt(Integer::intValue).toArray();
    }
    int[] l = opts.labelColumn() == null ? null : labels.stream().mapToInt(Integer::intValue).toArray();
    return new Chunk(file, firstRecord, records, g, cols, l, List.copyOf(rejects));
  }
}
