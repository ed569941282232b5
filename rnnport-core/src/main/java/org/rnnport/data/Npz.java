package org.rnnport.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.rnnport.tensorio.files.FileFormatException;
import org.rnnport.tensorio.files.NpyHeader;

/**
 * Reads {@code .npz} archives ({@code np.savez[_compressed]}): a zip of {@code .npy} files, each an
 * NPY header (parsed by tensor I/O's {@link NpyHeader}; object arrays are taken, their data a pickle
 * stream) and the data.
 */
public final class Npz {
  private Npz() {}

  /** One array: its dtype descr, shape and raw data bytes (after the header). */
  public record Array(String name, String descr, long[] shape, byte[] data) {
    public long count() {
      long c = 1;
      for (long d : shape) {
        c *= d;
      }
      return c;
    }

    /** The data as int64 values ({@code descr '<i8'}). */
    public long[] int64(Path file) throws DataException {
      if (!descr.equals("<i8")) {
        throw new DataException(file, name + ": dtype " + descr + ", expected <i8");
      }
      if (data.length != count() * 8) {
        throw new DataException(file, name + ": " + data.length + " data bytes for " + count() + " int64 values");
      }
      long[] out = new long[(int) count()];
      ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
      return out;
    }
  }

  /** Every array in the archive, by name without {@code .npy}. */
  public static Map<String, Array> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DataException(file, "file not found (run `rnnport data fetch reuters`)");
    }
    Map<String, Array> out = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        if (!e.getName().endsWith(".npy")) {
          continue;
        }
        String name = e.getName().substring(0, e.getName().length() - 4);
        out.put(name, parse(file, name, zip.readAllBytes()));
      }
    } catch (ZipException e) {
      throw new DataException(file, "not a valid npz (zip) archive: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new DataException(file, "no .npy entries: not an npz archive");
    }
    return out;
  }

  static Array parse(Path file, String name, byte[] b) throws DataException {
    NpyHeader h;
    try {
      h = NpyHeader.readAllowingObjects(new ByteArrayInputStream(b), name + ".npy");
    } catch (FileFormatException e) {
      throw new DataException(file, e.getMessage(), e);
    } catch (IOException e) {
      throw new DataException(file, name + ".npy: " + e.getMessage(), e);
    }
    byte[] data = java.util.Arrays.copyOfRange(b, h.headerBytes(), b.length);
    return new Array(name, h.descr(), h.shape(), data);
  }

  /** The data of an object array ({@code descr '|O'}) is a pickle stream. */
  public static InputStream pickleStream(Array a) {
    return new ByteArrayInputStream(a.data());
  }
}
