package org.rnnport.predict;

import java.util.List;

/**
 * What a reader needs to know: the signature's inputs, the label column (or null) and whether bad
 * rows are rejected ({@code --skip-bad-rows}) rather than fatal.
 */
public record ReadOptions(List<InputBinding> inputs, String labelColumn, boolean skipBadRows) {
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
