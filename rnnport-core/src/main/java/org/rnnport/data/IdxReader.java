package org.rnnport.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.files.FileFormatException;
import org.rnnport.tensorio.files.IdxHeader;

/**
 * Reads IDX files of unsigned bytes (MNIST's images and labels), gzip-compressed or not, whole: the
 * header through tensor I/O's {@link IdxHeader}, then the data, checked against it (no fewer bytes,
 * no trailing ones). Every problem is reported with the file name.
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
    try (IdxHeader.Opened idx = IdxHeader.open(file)) {
      IdxHeader h = idx.header();
      long[] shape = h.shape();
      int magic = h.magic();
      if (h.dtype() != DType.UINT8) {
        throw new DataException(file, String.format("bad magic number 0x%08X: not an unsigned-byte IDX file "
            + "(expected 0x%08X)", magic, 0x0800 | expectedRank));
      }
      if (shape.length != expectedRank) {
        throw new DataException(file, String.format("magic number 0x%08X says %d dimensions, expected %d", magic,
            shape.length, expectedRank));
      }
      long total = h.count();
      if (total > Integer.MAX_VALUE - 16) {
        throw new DataException(file, "dimensions " + Arrays.toString(shape) + " are too large");
      }
      return new IdxArray(Arrays.stream(shape).mapToInt(d -> (int) d).toArray(), body(idx.body(), file, shape, total));
    } catch (FileFormatException e) {
      throw new DataException(file, (e.where() == null ? "" : e.where() + ": ") + e.detail(), e);
    } catch (java.util.zip.ZipException e) {
      throw new DataException(file, "corrupt gzip stream: " + e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new DataException(file, "file not found", e);
    } catch (java.io.EOFException e) {
      throw new DataException(file, "truncated: " + (e.getMessage() == null ? "unexpected end of file" : e.getMessage()), e);
    }
  }

  private static byte[] body(InputStream in, Path file, long[] shape, long total) throws IOException {
    byte[] data = in.readNBytes((int) total);
    if (data.length < total) {
      throw new DataException(file, "truncated: header " + Arrays.toString(shape) + " promises " + total
          + " data bytes, file has " + data.length);
    }
    if (in.read() >= 0) {
      throw new DataException(file, "trailing bytes after the " + total + " data bytes the header "
          + Arrays.toString(shape) + " promises");
    }
    return data;
  }
}
