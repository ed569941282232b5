package org.rnnport.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (LeCun's MNIST format), gzip-compressed or not: big-endian int32 magic
 * {@code 0x0000TTNN} (TT = 0x08 unsigned byte, NN = number of dimensions), the dimensions, then
 * the data. Every problem is reported with the file name.
 */
public final class IdxReader {
  private IdxReader() {}

  /** An IDX array of unsigned bytes. */
  public record IdxArray(int[] dims, byte[] data) {
    public int count() {
      return dims[0];
    }

    public int itemSize() {
      int s = 1;
      for (int i = 1; i < dims.length; i++) {
        s *= dims[i];
      }
      return s;
    }
  }

  /** Reads an IDX file of unsigned bytes with {@code expectedRank} dimensions. */
  public static IdxArray read(Path file, int expectedRank) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DataException(file, "file not found (run `rnnport data fetch`)");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      boolean gzip = b0 == 0x1f && b1 == 0x8b;
      InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
      return read(new DataInputStream(in), file, expectedRank);
    } catch (ZipException e) {
      throw new DataException(file, "corrupt gzip stream: " + e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new DataException(file, "file not found", e);
    } catch (EOFException e) {
      throw new DataException(file, "truncated: " + (e.getMessage() == null ? "unexpected end of file" : e.getMessage()), e);
    }
  }

  private static IdxArray read(DataInputStream in, Path file, int expectedRank) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new DataException(file, "truncated: shorter than the 4-byte IDX magic number");
    }
    int zeros = magic >>> 16;
    int type = (magic >>> 8) & 0xff;
    int rank = magic & 0xff;
    if (zeros != 0 || type != 0x08) {
      throw new DataException(file, String.format(
          "bad magic number 0x%08X: not an unsigned-byte IDX file (expected 0x%08X)", magic,
          0x0800 | expectedRank));
    }
    if (rank != expectedRank) {
      throw new DataException(file, String.format(
          "magic number 0x%08X says %d dimensions, expected %d", magic, rank, expectedRank));
    }
    int[] dims = new int[rank];
    long total = 1;
    for (int i = 0; i < rank; i++) {
      try {
        dims[i] = in.readInt();
      } catch (EOFException e) {
        throw new DataException(file, "truncated header: missing dimension " + i);
      }
      if (dims[i] < 0) {
        throw new DataException(file, "negative dimension " + i + ": " + dims[i]);
      }
      total *= dims[i];
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new DataException(file, "dimensions " + Arrays.toString(dims) + " are too large");
    }
    byte[] data = new byte[(int) total];
    int off = 0;
    while (off < data.length) {
      int n = in.read(data, off, data.length - off);
      if (n < 0) {
        throw new DataException(file, "truncated: header " + Arrays.toString(dims) + " promises " + total
            + " data bytes, file has " + off);
      }
      off += n;
    }
    if (in.read() >= 0) {
      throw new DataException(file, "trailing bytes after the " + total + " data bytes the header "
          + Arrays.toString(dims) + " promises");
    }
    return new IdxArray(dims, data);
  }
}
