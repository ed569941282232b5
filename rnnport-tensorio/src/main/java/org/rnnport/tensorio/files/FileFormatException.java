package org.rnnport.tensorio.files;

import java.io.IOException;

/**
 * A file that is not what its format says: a bad checksum, a truncated record or header, a header that cannot be
 * read or a dtype the format layer refuses. The message is {@code "<source>: <where>: <detail>"} (where there is a
 * where), so it names the file and the record or field on its own; callers with their own error types take
 * {@link #where()} and {@link #detail()} apart.
 */
public final class FileFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file (or archive entry) the bytes come from, as the user named it. */
  private final String source;
  /** The record or header part, or null for the whole file. */
  private final String where;
  /** What is wrong, without the source and the where. */
  private final String detail;
  /** Whether the stream is still positioned at the next record. */
  private final boolean resumable;

  /**
   * A format error.
   *
   * @param source the file (or archive entry) the bytes come from, as the user named it
   * @param where the record or header part ({@code "record 3"}, {@code "header"}), or null for the whole file
   * @param detail what is wrong
   * @param resumable whether the stream is still positioned at the next record (a TFRecord whose data checksum
   *     failed: its length was sound), so that a reader that skips bad records may go on
   */
  public FileFormatException(String source, String where, String detail, boolean resumable) {
    super(source + ": " + (where == null ? "" : where + ": ") + detail);
    this.source = source;
    this.where = where;
    this.detail = detail;
    this.resumable = resumable;
  }

  /**
   * The file (or entry) as named by the caller.
   *
   * @return the file (or entry) as named by the caller
   */
  public String source() {
    return source;
  }

  /**
   * The record or header part, or null for the whole file.
   *
   * @return the record or header part, or null for the whole file
   */
  public String where() {
    return where;
  }

  /**
   * What is wrong, without the source and the where.
   *
   * @return what is wrong, without the source and the where
   */
  public String detail() {
    return detail;
  }

  /**
   * Whether the next record can still be read (see the constructor).
   *
   * @return whether the next record can still be read (see the constructor)
   */
  public boolean resumable() {
    return resumable;
  }
}
