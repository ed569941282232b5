package org.rnnport.tensorio.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes TFRecords as {@code tf.io.TFRecordWriter} does: per record the length as a little-endian uint64, the
 * masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data (uncompressed; wrap the stream in a
 * {@code GZIPOutputStream} for TensorFlow's {@code GZIP} option). Streams: nothing is kept but the current frame.
 * Not thread-safe. Closing closes the stream.
 */
public final class TfRecordOutput implements AutoCloseable {
  private final OutputStream out;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long records;

  /**
   * A writer onto {@code out} (buffer it: each record is three writes).
   *
   * @param out the stream the records go to
   */
  public TfRecordOutput(OutputStream out) {
    this.out = out;
  }

  /**
   * Appends one record holding all of {@code data}.
   *
   * @param data the record's bytes
   * @throws IOException if the stream cannot be written
   */
  public void write(byte[] data) throws IOException {
    write(data, 0, data.length);
  }

  /**
   * Appends one record holding {@code len} bytes of {@code data} from {@code off}.
   *
   * @param data the record's bytes
   * @param off the offset of its first byte
   * @param len how many bytes
   * @throws IOException if the stream cannot be written
   */
  public void write(byte[] data, int off, int len) throws IOException {
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    h.putLong(0, len);
    h.putInt(8, MaskedCrc32c.of(header, 0, 8));
    out.write(header);
    out.write(data, off, len);
    ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).putInt(0, MaskedCrc32c.of(data, off, len));
    out.write(footer);
    records++;
  }

  /**
   * How many records were written.
   *
   * @return how many records were written
   */
  public long records() {
    return records;
  }

  /**
   * Flushes the stream.
   *
   * @throws IOException if the stream cannot be written
   */
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
