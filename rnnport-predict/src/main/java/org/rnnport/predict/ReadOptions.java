package org.rnnport.predict;

import java.util.List;
import java.util.Map;
import org.rnnport.tensorio.batch.Column;

/**
 * What a reader needs to know: the signature's inputs, the label column (or null), whether bad
 * rows are rejected ({@code --skip-bad-rows}) rather than fatal, which table column feeds an
 * input whose column is not named like its key ({@code --input-column KEY=COLUMN}), and whether
 * the values may go straight into tensor memory ({@link Column.Native}) where the file's layout
 * is the tensor's: set by the pipeline's own runs, whose workers feed such columns as they are.
 */
public record ReadOptions(List<InputBinding> inputs, String labelColumn, boolean skipBadRows,
    Map<String, String> columns, boolean tensorMemory) {
  public ReadOptions {
    columns = Map.copyOf(columns);
  }

  public ReadOptions(List<InputBinding> inputs, String labelColumn, boolean skipBadRows,
      Map<String, String> columns) {
    this(inputs, labelColumn, skipBadRows, columns, false);
  }

  public ReadOptions(List<InputBinding> inputs, String labelColumn, boolean skipBadRows) {
    this(inputs, labelColumn, skipBadRows, Map.of());
  }

  /** The same options, with the values read into tensor memory where the layouts agree. */
  public ReadOptions withTensorMemory(boolean on) {
    return new ReadOptions(inputs, labelColumn, skipBadRows, columns, on);
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
