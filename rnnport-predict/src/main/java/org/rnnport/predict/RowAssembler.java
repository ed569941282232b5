package org.rnnport.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers rows parsed one at a time (JSON Lines, CSV, TFRecord, Parquet) into a {@link Chunk}. All
 * rows of a chunk share each input's row shape; a row whose shape differs (possible only where
 * the signature leaves a dimension unknown) does not {@link #fits fit} and starts the next chunk.
 */
public final class RowAssembler {
  /** One parsed row: each input's values (a one-row column, shape resolved), and its label or null. */
  public record Row(Map<String, Column> values, Integer label) {}

  private final ReadOptions opts;
  private final Map<String, Values> values = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final List<Integer> good = new ArrayList<>();
  private final List<Integer> labels = new ArrayList<>();
  private final List<Reject> rejects = new ArrayList<>();
  private int records;

  public RowAssembler(ReadOptions opts) {
    this.opts = opts;
  }

  public int records() {
    return records;
  }

  public boolean fits(Row r) {
    if (good.isEmpty()) {
      return true;
    }
    for (Map.Entry<String, Column> e : r.values().entrySet()) {
      if (!Arrays.equals(shapes.get(e.getKey()), e.getValue().rowShape())) {
        return false;
      }
    }
    return true;
  }

  public void add(Row r) {
    for (Map.Entry<String, Column> e : r.values().entrySet()) {
      Values v = values.computeIfAbsent(e.getKey(), k -> new Values(e.getValue().dtype(), 1024, null, null, k));
      shapes.putIfAbsent(e.getKey(), e.getValue().rowShape());
      v.addAll(e.getValue());
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
    Map<String, Column> cols = new LinkedHashMap<>();
    for (InputBinding b : opts.inputs()) {
      Values v = values.get(b.key());
      if (v != null) {
        cols.put(b.key(), v.toColumn(shapes.get(b.key()), good.size()));
      } else {
        cols.put(b.key(), new Column(b.dtype(), b.rowShape() == null ? new long[0] : new long[b.rowShape().length], 0,
            Column.newArray(b.dtype(), 0)));
      }
    }
    int[] g = null;
    if (good.size() != records) {
      g = good.stream().mapToInt(Integer::intValue).toArray();
    }
    int[] l = opts.labelColumn() == null ? null : labels.stream().mapToInt(Integer::intValue).toArray();
    return new Chunk(file, firstRecord, records, g, cols, l, List.copyOf(rejects));
  }
}
