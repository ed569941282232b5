package org.rnnport.predict.formats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;

/**
 * Which table columns (CSV or Parquet) feed which input: a column named like the key (or as
 * {@code --input-column KEY=COLUMN} names it), or the flattened columns {@code name_0 .. name_N-1};
 * a single-input signature with neither takes every column but the label column, in order.
 */
record ColumnMapping(Map<String, int[]> inputs, Map<String, Boolean> scalar, int label) {
  static ColumnMapping of(List<String> names, ReadOptions opts, Path file, String kind) {
    Map<String, int[]> out = new LinkedHashMap<>();
    Map<String, Boolean> scalar = new LinkedHashMap<>();
    int label = -1;
    if (opts.labelColumn() != null) {
      label = names.indexOf(opts.labelColumn());
      if (label < 0) {
        throw new InputException(file, null, opts.labelColumn(), "no label column '" + opts.labelColumn() + "' among the "
            + kind + " columns " + abbreviate(names));
      }
    }
    for (InputBinding b : opts.inputs()) {
      String name = opts.column(b.key());
      int exact = names.indexOf(name);
      if (exact >= 0) {
        out.put(b.key(), new int[] {exact});
        scalar.put(b.key(), true);
        continue;
      }
      Pattern pat = Pattern.compile(Pattern.quote(name) + "_(\\d+)");
      TreeMap<Integer, Integer> idx = new TreeMap<>();
      for (int i = 0; i < names.size(); i++) {
        Matcher m = pat.matcher(names.get(i));
        if (m.matches()) {
          idx.put(Integer.parseInt(m.group(1)), i);
        }
      }
      if (!idx.isEmpty()) {
        if (idx.firstKey() != 0 || idx.lastKey() != idx.size() - 1) {
          throw new InputException(file, null, b.key(), "columns " + name + "_0.." + name + "_" + idx.lastKey()
              + " have gaps (" + idx.size() + " present)");
        }
        out.put(b.key(), idx.values().stream().mapToInt(Integer::intValue).toArray());
        scalar.put(b.key(), false);
      }
    }
    if (out.isEmpty() && opts.singleInput() && opts.columns().isEmpty()) {
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        if (i != label) {
          all.add(i);
        }
      }
      out.put(opts.inputs().get(0).key(), all.stream().mapToInt(Integer::intValue).toArray());
      scalar.put(opts.inputs().get(0).key(), false);
    }
    for (InputBinding b : opts.inputs()) {
      if (!out.containsKey(b.key())) {
        String name = opts.column(b.key());
        throw new InputException(file, null, b.key(), "no " + kind + " column '" + name + "' or '" + name + "_0', '"
            + name + "_1', ... for this input" + (name.equals(b.key()) ? "" : " (--input-column " + b.key() + "=" + name
            + ")") + "; the columns are " + abbreviate(names));
      }
    }
    return new ColumnMapping(out, scalar, label);
  }

  static String abbreviate(List<String> names) {
    if (names.size() <= 12) {
      return names.toString();
    }
    return names.subList(0, 10) + " and " + (names.size() - 10) + " more";
  }
}
