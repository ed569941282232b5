package org.rnnport.predict;

import java.util.List;
import java.util.Map;

/**
 * What a reader needs to know: the signature's inputs, the label column (or null), whether bad
 * rows are rejected ({@code --skip-bad-rows}) rather than fatal, and which table column feeds an
 * input whose column is not named like its key ({@code --input-column KEY=COLUMN}).
 */
public record ReadOptions(List<InputBinding> inputs, String labelColumn, boolean skipBadRows,
    Map<String, String> columns) {
  public ReadOptions {
    columns = Map.copyOf(columns);
  }

  public ReadOptions(List<InputBinding> inputs, String labelColumn, boolean skipBadRows) {
    this(inputs, labelColumn, skipBadRows, Map.of());
  }

  /** The table column that feeds input {@code key}: the one given for it, or the one named like it. */
  public String column(String key) {
    return columns.getOrDefault(key, key);
  }

  public boolean singleInput() {
    return inputs.size() == 1;
  }

  public InputBinding input(String key) {
    for (InputBinding b : inputs) {
      if (b.key().equals(key)) {
        return b;
      }
    }
    return null;
  }

  public List<String> keys() {
    return inputs.stream().map(InputBinding::key).toList();
  }
}
