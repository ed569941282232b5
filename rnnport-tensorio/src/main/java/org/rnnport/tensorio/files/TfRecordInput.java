package org.rnnport.tensorio.files;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Reads TFRecords one at a time, checking both masked CRC-32Cs of every record (TensorFlow's
 * {@code io::RecordReader}). A clean end of file between records ends the stream; anything else is a
 * {@link FileFormatException} naming the source and the record (1-based): a truncated header or data, a length
 * whose checksum fails (the file is not TFRecords, or is damaged: nothing after it can be trusted), or data whose
 * checksum fails ({@link FileFormatException#resumable()}: the next record can still be read). Streams: memory is
 * one record. Not thread-safe. Closing closes the stream.
 */
public final class TfRecordInput implements AutoCloseable {
  /** The largest record this reader takes (a Java array's limit). */
  public static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;

  private final InputStream in;
  private final String source;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long records;

  /**
   * A reader of {@code in} from its first byte.
   *
   * @param in the records (buffered by the caller)
   * @param source the file as errors name it
   */
  public TfRecordInput(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /**
   * Opens {@code file}, raw or gzipped (TensorFlow's {@code GZIP} compression, found by its magic bytes).
   *
   * @param file the file
   * @return the reader, at the first record
   * @throws IOException if the file cannot be read, or is not what its format says (a FileFormatException naming it)
   */
  public static TfRecordInput open(Path file) throws IOException {
    return new TfRecordInput(Gzip.open(file), file.toString());
  }

  /**
   * A reader of {@code in}, raw or gzipped (by its magic bytes); {@code source} names it in errors.
   *
   * @param in the records (buffered by the caller)
   * @param source the file as errors name it
   * @return the reader, at the first record
   * @throws IOException if the file cannot be read, or is not what its format says (a FileFormatException naming it)
   */
  public static TfRecordInput open(InputStream in, String source) throws IOException {
    return new TfRecordInput(Gzip.maybeGunzip(new BufferedInputStream(in, 1 << 16), source), source);
  }

  /**
   * How many records were read whole (the number of the last one returned).
   *
   * @return how many records were read whole (the number of the last one returned)
   */
  public long records() {
    return records;
  }

  private FileFormatException error(String detail, boolean resumable) {
    return new FileFormatException(source, "record " + (records + 1), detail, resumable);
  }

  /**
   * The next record's data, or null at a clean end of the file.
   *
   * @return the next record's data, or null at a clean end of the file
   * @throws IOException if the file cannot be read, or is not what its format says (a FileFormatException naming it)
   */
  public byte[] next() throws IOException {
    int got;
    try {
      got = in.readNBytes(header, 0, 12);
    } catch (ZipException e) {
      throw error("corrupt gzip stream: " + e.getMessage(), false);
    }
    if (got == 0) {
      return null;
    }
    if (got < 12) {
      throw error("truncated: " + got + " of the 12 header bytes", false);
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long len = h.getLong(0);
    if (h.getInt(8) != MaskedCrc32c.of(header, 0, 8)) {
      throw error("corrupt: the length's masked CRC32C does not match (not a TFRecord file, or damaged)", false);
    }
    if (len < 0 || len > MAX_RECORD_BYTES) {
      throw error("the length " + Long.toUnsignedString(len) + " is over " + MAX_RECORD_BYTES + " bytes", false);
    }
    byte[] data;
    try {
      data = in.readNBytes((int) len);
      if (data.length < len) {
        throw error("truncated: " + data.length + " of the " + len + " data bytes", false);
      }
      if (in.readNBytes(footer, 0, 4) < 4) {
        throw error("truncated: the data's checksum is missing", false);
      }
    } catch (ZipException | EOFException e) {
      throw error("corrupt gzip stream: " + e.getMessage(), false);
    }
    records++;
    if (ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt(0) != MaskedCrc32c.of(data)) {
      throw new FileFormatException(source, "record " + records, "corrupt: the data's masked CRC32C does not match",
          true);
    }
    return data;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
