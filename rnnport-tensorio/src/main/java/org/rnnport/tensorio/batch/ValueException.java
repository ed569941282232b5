package org.rnnport.tensorio.batch;

/**
 * A value that its dtype cannot carry exactly (out of range, not an integer, not a number), or a row that does not
 * fit its batch (ragged). {@link #detail()} says what and names the dtype; where the batcher knows them, the row's
 * index ({@link #row()}) and the input key ({@link #key()}) lead the message ({@code "row 7, input 'x': ..."}).
 * Front ends add the file, partition or request of their own.
 */
public final class ValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** What is wrong, naming the dtype, without the row and key. */
  private final String detail;
  /** The input key, or null when the caller does not know it. */
  private final String key;
  /** The row's index (0-based) within what the caller feeds, or -1. */
  private final long row;

  /**
   * A value problem with no row or key known here.
   *
   * @param detail what is wrong, naming the dtype
   */
  public ValueException(String detail) {
    this(detail, null, -1);
  }

  /**
   * A value problem.
   *
   * @param detail what is wrong, naming the dtype
   * @param key the input key, or null
   * @param row the row's index (0-based) within what the caller feeds, or -1
   */
  public ValueException(String detail, String key, long row) {
    super(message(detail, key, row));
    this.detail = detail;
    this.key = key;
    this.row = row;
  }

  private static String message(String detail, String key, long row) {
    StringBuilder sb = new StringBuilder();
    if (row >= 0) {
      sb.append("row ").append(row);
    }
    if (key != null) {
      sb.append(sb.length() > 0 ? ", " : "").append("input '").append(key).append('\'');
    }
    return sb.length() == 0 ? detail : sb.append(": ").append(detail).toString();
  }

  /**
   * What is wrong, without the row and key.
   *
   * @return what is wrong, without the row and key
   */
  public String detail() {
    return detail;
  }

  /**
   * The input key, or null.
   *
   * @return the input key, or null
   */
  public String key() {
    return key;
  }

  /**
   * The row's index, or -1.
   *
   * @return the row's index, or -1
   */
  public long row() {
    return row;
  }
}
