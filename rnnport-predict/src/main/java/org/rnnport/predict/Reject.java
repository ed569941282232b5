package org.rnnport.predict;

/** A row that could not be scored, as {@code --skip-bad-rows} records it in the rejects file. */
public record Reject(String file, long record, String where, String key, String error, String input) {
  public static Reject of(InputException e, long record, String input) {
    return new Reject(e.file() == null ? null : e.file().toString(), record, e.where(), e.key(), e.problem(), input);
  }
}
