package org.rnnport.predict.formats;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing: each record is a little-endian uint64 length, the masked CRC32C of those 8
 * bytes, the data, and the masked CRC32C of the data. A mask is
 * {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
 */
public final class TfRecords {
  private TfRecords() {}

  private static final int MASK_DELTA = 0xa282ead8;

  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  public static int crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  /** Writes one record. */
  public static void write(OutputStream out, byte[] data) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    h.putLong(data.length);
    h.putInt(mask(crc32c(h.array(), 0, 8)));
    out.write(h.array());
    out.write(data);
    ByteBuffer f = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    f.putInt(mask(crc32c(data, 0, data.length)));
    out.write(f.array());
  }

  /** A framing problem; {@code resumable} when the length was sound and the next record can be read. */
  public static final class FramingException extends IOException {
    final boolean resumable;

    FramingException(String m, boolean resumable) {
      super(m);
      this.resumable = resumable;
    }
  }

  /** Reads TFRecords one at a time, verifying both CRCs. */
  public static final class Reader implements AutoCloseable {
    private final DataInputStream in;
    private final byte[] header = new byte[12];
    private final byte[] footer = new byte[4];

    public Reader(InputStream in) {
      this.in = new DataInputStream(in);
    }

    /** The next record's data, or null at a clean end of file. */
    public byte[] next() throws IOException {
      int first = in.read();
      if (first < 0) {
        return null;
      }
      header[0] = (byte) first;
      try {
        in.readFully(header, 1, 11);
      } catch (EOFException e) {
        throw new FramingException("truncated record header", false);
      }
      ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
      long len = h.getLong();
      int crc = h.getInt();
      if (crc != mask(crc32c(header, 0, 8))) {
        throw new FramingException("corrupt record: the length's CRC32C does not match (not a TFRecord file, or "
            + "damaged)", false);
      }
      if (len < 0 || len > Integer.MAX_VALUE - 16) {
        throw new FramingException("record length " + len + " is too large", false);
      }
      byte[] data = new byte[(int) len];
      try {
        in.readFully(data);
        in.readFully(footer);
      } catch (EOFException e) {
        throw new FramingException("truncated record: " + len + " data bytes promised", false);
      }
      int dcrc = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (dcrc != mask(crc32c(data, 0, data.length))) {
        throw new FramingException("corrupt record: the data's CRC32C does not match", true);
      }
      return data;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
