package org.rnnport.tensorio.files;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rnnport.tensorio.DType;

/**
 * The header of an NPY array (numpy's {@code format.py}; each entry of an NPZ archive is one): the magic
 * {@code \x93NUMPY}, the version (1.0, 2.0 or 3.0), the header's length (uint16, or uint32 from 2.0), and a Python
 * dict literal with {@code descr}, {@code fortran_order} and {@code shape}; the data follows.
 *
 * <p>{@code descr} maps to a {@link DType} by {@link DType#ofNumpy}: every numpy dtype rnnport carries (float16,
 * float32, float64, int8..int64, uint8..uint64, bool). Refused by name: big-endian descrs ({@code >f4}), object
 * arrays ({@code |O}, unless read with {@link #readAllowingObjects}), structured arrays, Fortran order, and any
 * other descr (complex, fixed-width strings, datetimes).
 *
 * @param descr the descr as written ({@code <f4})
 * @param dtype its dtype, or null for an object array read with {@link #readAllowingObjects}
 * @param shape the array's shape ({@code []} for a 0-d array)
 * @param headerBytes the bytes from the magic to the first data byte
 */
public record NpyHeader(String descr, DType dtype, long[] shape, int headerBytes) {
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy's own limit on a header's length (format.py's {@code _MAX_HEADER_SIZE}, 10,000) with room to spare. */
  private static final int MAX_HEADER = 1 << 20;

  /**
   * A header (the shape is copied).
   *
   * @param descr the descr as written ({@code <f4})
   * @param dtype its dtype, or null for an object array read with {@link #readAllowingObjects}
   * @param shape the array's shape ({@code []} for a 0-d array)
   * @param headerBytes the bytes from the magic to the first data byte
   */
  public NpyHeader {
    shape = shape.clone();
  }

  /**
   * The shape (a copy).
   *
   * @return the shape (a copy)
   */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /**
   * The number of elements; the shape was checked not to overflow a long.
   *
   * @return the number of elements; the shape was checked not to overflow a long
   */
  public long count() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * The rows: the first dimension (1 for a 0-d array).
   *
   * @return the rows: the first dimension (1 for a 0-d array)
   */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /**
   * The shape of one row: all dimensions but the first.
   *
   * @return the shape of one row: all dimensions but the first
   */
  public long[] rowShape() {
    return shape.length == 0 ? new long[0] : Arrays.copyOfRange(shape, 1, shape.length);
  }

  /**
   * The data's size in bytes ({@code count() * dtype().bytes()}); -1 for an object array.
   *
   * @return the data's size in bytes (count * dtype.bytes); -1 for an object array
   */
  public long dataBytes() {
    return dtype == null ? -1 : count() * dtype.bytes();
  }

  /**
   * Reads a header of a numeric or bool array from {@code in}, leaving the stream at the first data byte.
   *
   * @param source the file (or {@code archive.npz/x.npy}) as errors name it
   * @throws FileFormatException naming the source: bad magic, truncation, an unknown version, an unreadable dict,
   *     or a refused descr (by name) or layout
   * @param in the stream, at its first byte
   * @return the header
   */
  public static NpyHeader read(InputStream in, String source) throws IOException {
    return read(in, source, false);
  }

  /**
   * As {@link #read}, but an object array ({@code |O}: pickled Python objects) is taken, with a null dtype.
   *
   * @param in the stream, at its first byte
   * @param source the file (or {@code archive.npz/x.npy}) as errors name it
   * @return the header (a null dtype for an object array)
   * @throws IOException if the file cannot be read, or is not what its format says (a FileFormatException naming it)
   */
  public static NpyHeader readAllowingObjects(InputStream in, String source) throws IOException {
    return read(in, source, true);
  }

  private static NpyHeader read(InputStream in, String source, boolean objects) throws IOException {
    byte[] pre = in.readNBytes(8);
    int m = Math.min(pre.length, 6);
    if (!Arrays.equals(pre, 0, m, MAGIC, 0, m) || pre.length == 0) {
      throw new FileFormatException(source, "header", "bad magic: not an NPY array", false);
    }
    if (pre.length < 8) {
      throw new FileFormatException(source, "header", "truncated: " + pre.length + " bytes, shorter than an NPY "
          + "header", false);
    }
    int major = pre[6];
    int lenBytes = switch (major) {
      case 1 -> 2;
      case 2, 3 -> 4;
      default -> throw new FileFormatException(source, "header", "unsupported NPY version " + major + "."
          + pre[7], false);
    };
    byte[] lb = in.readNBytes(lenBytes);
    if (lb.length < lenBytes) {
      throw new FileFormatException(source, "header", "truncated header length", false);
    }
    ByteBuffer bb = ByteBuffer.wrap(lb).order(ByteOrder.LITTLE_ENDIAN);
    long len = lenBytes == 2 ? bb.getShort() & 0xffff : bb.getInt() & 0xffffffffL;
    if (len > MAX_HEADER) {
      throw new FileFormatException(source, "header", "header length " + len + " is over " + MAX_HEADER
          + " bytes: corrupt", false);
    }
    byte[] h = in.readNBytes((int) len);
    if (h.length < len) {
      throw new FileFormatException(source, "header", "truncated: the header promises " + len + " bytes, "
          + h.length + " follow", false);
    }
    String dict = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    return parse(dict, source, 8 + lenBytes + (int) len, objects);
  }

  static NpyHeader parse(String dict, String source, int headerBytes, boolean objects) throws FileFormatException {
    Matcher d = DESCR.matcher(dict);
    Matcher f = FORTRAN.matcher(dict);
    Matcher s = SHAPE.matcher(dict);
    if (!d.find()) {
      if (dict.contains("'descr'") && dict.contains("[(")) {
        throw new FileFormatException(source, "descr", "structured (record) arrays are not supported: save one "
            + "plain array per input", false);
      }
      throw new FileFormatException(source, "header", "unreadable NPY header " + dict.trim(), false);
    }
    if (!f.find() || !s.find()) {
      throw new FileFormatException(source, "header", "unreadable NPY header " + dict.trim(), false);
    }
    String descr = d.group(1);
    DType dtype = null;
    boolean object = descr.equals("|O") || descr.equals("O") || descr.equals("<O") || descr.equals(">O");
    if (object) {
      if (!objects) {
        throw new FileFormatException(source, "descr", "object arrays (descr '" + descr + "', dtype=object: "
            + "Python objects, e.g. ragged lists) are not supported: save a rectangular array of numbers", false);
      }
    } else {
      dtype = dtypeOf(descr, source);
    }
    if (f.group(1).equals("True")) {
      throw new FileFormatException(source, "fortran_order", "Fortran-ordered arrays are not supported: save it "
          + "C-ordered (np.save(f, np.ascontiguousarray(a)))", false);
    }
    List<Long> dims = new ArrayList<>();
    long count = 1;
    for (String part : s.group(1).split(",")) {
      if (part.isBlank()) {
        continue;
      }
      long v;
      try {
        v = Long.parseLong(part.trim().replace("L", ""));
      } catch (NumberFormatException e) {
        throw new FileFormatException(source, "shape", "unreadable shape (" + s.group(1) + ")", false);
      }
      if (v < 0) {
        throw new FileFormatException(source, "shape", "negative dimension " + v + " in (" + s.group(1) + ")", false);
      }
      try {
        count = Math.multiplyExact(count, v);
        if (dtype != null) {
          Math.multiplyExact(count, (long) dtype.bytes());
        }
      } catch (ArithmeticException e) {
        throw new FileFormatException(source, "shape", "the shape (" + s.group(1) + ") overflows", false);
      }
      dims.add(v);
    }
    return new NpyHeader(descr, dtype, dims.stream().mapToLong(Long::longValue).toArray(), headerBytes);
  }

  /** The dtype of a descr, or a refusal naming it. */
  private static DType dtypeOf(String descr, String source) throws FileFormatException {
    String d = descr;
    if (d.length() == 3 && d.charAt(0) == '>' && d.charAt(2) == '1') {
      d = "|" + d.substring(1); // one byte has no byte order
    }
    if (d.startsWith(">")) {
      throw new FileFormatException(source, "descr", "big-endian dtype '" + descr + "' is not supported: save it "
          + "little-endian (a.astype('<" + descr.substring(1) + "'))", false);
    }
    DType t = DType.ofNumpy(d);
    if (t == null) {
      throw new FileFormatException(source, "descr", "dtype '" + descr + "' is not supported (rnnport carries "
          + "<f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1, little-endian)", false);
    }
    return t;
  }

  /**
   * The bytes of a version 1.0 header for a C-ordered little-endian array of {@code dtype} and {@code shape},
   * padded with spaces to a multiple of 64 bytes, or to exactly {@code size} bytes when {@code size > 0} (a streaming
   * writer reserves room for any row count, then rewrites the header with the real one).
   *
   * @throws IllegalArgumentException if numpy has no descr for {@code dtype} (bfloat16, string), or the header does
   *     not fit {@code size}
   * @param dtype the dtype (one numpy has a descr for)
   * @param shape the array's shape
   * @param size the header's size in bytes, or 0 for the smallest multiple of 64
   * @return the header's bytes
   */
  public static byte[] encode(DType dtype, long[] shape, int size) {
    if (dtype.numpy() == null) {
      throw new IllegalArgumentException("numpy has no dtype for " + dtype.label() + ": an .npy cannot hold it");
    }
    StringBuilder sh = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sh.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    sh.append(shape.length == 1 ? ",)" : ")");
    String h = "{'descr': '" + dtype.numpy() + "', 'fortran_order': False, 'shape': " + sh + ", }";
    int total = size > 0 ? size : ((10 + h.length() + 1 + 24 + 63) / 64) * 64; // room for a 20-digit count
    if (10 + h.length() + 1 > total || total - 10 > 0xffff) {
      throw new IllegalArgumentException("an NPY header of " + dtype.label() + " " + Arrays.toString(shape)
          + " does not fit " + total + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) (total - 10));
    b.put(h.getBytes(StandardCharsets.ISO_8859_1));
    while (b.position() < total - 1) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    return b.array();
  }
}
