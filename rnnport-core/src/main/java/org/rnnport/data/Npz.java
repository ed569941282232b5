package org.rnnport.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads {@code .npz} archives ({@code np.savez[_compressed]}): a zip of {@code .npy} files, each a
 * magic {@code \x93NUMPY}, a version, a little-endian header length and a Python-dict header
 * ({@code descr}, {@code fortran_order}, {@code shape}), then the data.
 */
public final class Npz {
  private Npz() {}

  /** One array: its dtype descr, shape and raw data bytes (after the header). */
  public record Array(String name, String descr, boolean fortranOrder, long[] shape, byte[] data) {
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

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

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
    if (b.length < 10 || (b[0] & 0xff) != 0x93 || !new String(b, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new DataException(file, name + ".npy: bad magic, not an NPY array");
    }
    int major = b[6];
    int headerLen;
    int start;
    if (major == 1) {
      headerLen = (b[8] & 0xff) | ((b[9] & 0xff) << 8);
      start = 10;
    } else if (major == 2 || major == 3) {
      headerLen = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      start = 12;
    } else {
      throw new DataException(file, name + ".npy: unsupported NPY version " + major);
    }
    if (start + headerLen > b.length) {
      throw new DataException(file, name + ".npy: truncated header");
    }
    String header = new String(b, start, headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new DataException(file, name + ".npy: unreadable header " + header.trim());
    }
    List<Long> dims = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      if (!part.isBlank()) {
        dims.add(Long.parseLong(part.trim()));
      }
    }
    byte[] data = java.util.Arrays.copyOfRange(b, start + headerLen, b.length);
    return new Array(name, d.group(1), f.group(1).equals("True"), dims.stream().mapToLong(Long::longValue).toArray(), data);
  }

  /** The data of an object array ({@code descr '|O'}) is a pickle stream. */
  public static InputStream pickleStream(Array a) {
    return new ByteArrayInputStream(a.data());
  }
}
