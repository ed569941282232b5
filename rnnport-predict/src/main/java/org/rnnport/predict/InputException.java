package org.rnnport.predict;

import java.nio.file.Path;

/**
 * Bad input: a shape or dtype mismatch, a corrupt file, a malformed line. The message names the
 * file, the row or line, and the input key where they are known.
 */
public class InputException extends RuntimeException {
  private final transient Path file;
  private final String where;
  private final String key;
  private final String problem;

  /**
   * @param where e.g. {@code line 12} or {@code row 3}, or null for the whole file
   * @param key the signature input key, or null
   */
  public InputException(Path file, String where, String key, String problem) {
    this(file, where, key, problem, null);
  }

  public InputException(Path file, String where, String key, String problem, Throwable cause) {
    super(format(file, where, key, problem), cause);
    this.file = file;
    this.where = where;
    this.key = key;
    this.problem = problem;
  }

  static String format(Path file, String where, String key, String problem) {
    StringBuilder sb = new StringBuilder();
    sb.append(file == null ? "<input>" : file.toString());
    if (where != null) {
      sb.append(' ').append(where);
    }
    if (key != null) {
      sb.append(", input '").append(key).append('\'');
    }
    return sb.append(": ").append(problem).toString();
  }

  public Path file() {
    return file;
  }

  public String where() {
    return where;
  }

  public String key() {
    return key;
  }

  public String problem() {
    return problem;
  }
}
