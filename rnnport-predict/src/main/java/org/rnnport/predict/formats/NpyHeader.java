package org.rnnport.predict.formats;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rnnport.predict.DType;
import org.rnnport.predict.InputException;

/**
 * An NPY header: magic {@code \x93NUMPY}, version, little-endian header length, then a Python dict
 * with {@code descr}, {@code fortran_order} and {@code shape}. Only C-order numeric arrays are
 * accepted (float32/64, int8/16/32/64, uint8); Fortran order and object arrays are refused.
 */
public record NpyHeader(String descr, long[] shape, int headerBytes) {
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  public long[] rowShape() {
    return shape.length == 0 ? new long[0] : Arrays.copyOfRange(shape, 1, shape.length);
  }

  /** Reads and checks the header; {@code what} names the array in errors (e.g. {@code x.npy}). */
  public static NpyHeader read(InputStream raw, Path file, String what) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    byte[] pre = new byte[8];
    try {
      in.readFully(pre);
    } catch (EOFException e) {
      throw new InputException(file, what, null, "truncated: shorter than an NPY header");
    }
    if ((pre[0] & 0xff) != 0x93 || !new String(pre, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new InputException(file, what, null, "not an NPY array (bad magic)");
    }
    int major = pre[6];
    int len;
    int pre2;
    try {
      if (major == 1) {
        byte[] b = new byte[2];
        in.readFully(b);
        len = (b[0] & 0xff) | ((b[1] & 0xff) << 8);
        pre2 = 10;
      } else if (major == 2 || major == 3) {
        byte[] b = new byte[4];
        in.readFully(b);
        len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
        pre2 = 12;
      } else {
        throw new InputException(file, what, null, "unsupported NPY version " + major);
      }
      if (len < 0 || len > 1 << 20) {
        throw new InputException(file, what, null, "corrupt NPY header length " + len);
      }
      byte[] h = new byte[len];
      in.readFully(h);
      String header = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      return parse(header, file, what, pre2 + len);
    } catch (EOFException e) {
      throw new InputException(file, what, null, "truncated NPY header");
    }
  }

  static NpyHeader parse(String header, Path file, String what, int bytes) {
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      if (header.contains("'descr'") && header.contains("[(")) {
        throw new InputException(file, what, null, "structured (record) arrays are not supported: save a plain "
            + "numeric array per input");
      }
      throw new InputException(file, what, null, "unreadable NPY header " + header.trim());
    }
    String descr = d.group(1);
    if (descr.equals("|O") || descr.equals("O") || descr.equals("<O")) {
      throw new InputException(file, what, null, "object arrays (dtype=object, e.g. ragged lists) are not supported: "
          + "save a rectangular numeric array (float32/64, int32/64 or uint8)");
    }
    if (f.group(1).equals("True")) {
      throw new InputException(file, what, null, "Fortran-ordered arrays are not supported: save it C-ordered "
          + "(np.save(f, np.ascontiguousarray(a)))");
    }
    if (Element.of(descr) == null) {
      throw new InputException(file, what, null, "dtype '" + descr + "' is not supported (float32/64, int8/16/32/64, "
          + "uint8, little-endian)");
    }
    List<Long> dims = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      if (!part.isBlank()) {
        try {
          dims.add(Long.parseLong(part.trim().replace("L", "")));
        } catch (NumberFormatException e) {
          throw new InputException(file, what, null, "unreadable shape (" + s.group(1) + ")");
        }
      }
    }
    return new NpyHeader(descr, dims.stream().mapToLong(Long::longValue).toArray(), bytes);
  }

  /** How one stored element is decoded. */
  public enum Element {
    U1(1, DType.UINT8), I1(1, DType.INT32), I2(2, DType.INT32), I4(4, DType.INT32), I8(8, DType.INT64),
    F4(4, DType.FLOAT32), F8(8, DType.FLOAT64);

    final int bytes;
    final DType dtype;

    Element(int bytes, DType dtype) {
      this.bytes = bytes;
      this.dtype = dtype;
    }

    public DType dtype() {
      return dtype;
    }

    static Element of(String descr) {
      return switch (descr.replace('=', '<')) {
        case "|u1", "<u1", "u1", "|b1" -> U1; // numpy bools are bytes 0/1
        case "|i1", "<i1", "i1" -> I1;
        case "<i2" -> I2;
        case "<i4" -> I4;
        case "<i8" -> I8;
        case "<f4" -> F4;
        case "<f8" -> F8;
        default -> null;
      };
    }
  }

  public Element element() {
    return Element.of(descr);
  }
}
