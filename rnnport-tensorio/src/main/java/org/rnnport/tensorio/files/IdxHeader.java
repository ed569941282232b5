package org.rnnport.tensorio.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.rnnport.tensorio.DType;

/**
 * The header of an IDX file (LeCun's MNIST format): a big-endian int32 magic {@code 0x0000TTNN} (TT the element
 * type, NN the number of dimensions), NN big-endian int32 dimensions, then the data, big-endian, C order. Element
 * types: {@code 0x08} uint8, {@code 0x09} int8, {@code 0x0B} int16, {@code 0x0C} int32, {@code 0x0D} float32,
 * {@code 0x0E} float64.
 *
 * @param dtype the element type
 * @param shape the dimensions
 */
public record IdxHeader(DType dtype, long[] shape) {
  /**
   * A header (the shape is copied).
   *
   * @param dtype the element type
   * @param shape the dimensions
   */
  public IdxHeader {
    shape = shape.clone();
  }

  /**
   * The dimensions (a copy).
   *
   * @return the dimensions (a copy)
   */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /**
   * The magic number as the file has it ({@code 0x00000803} for MNIST's images).
   *
   * @return the magic number as the file has it (0x00000803 for MNIST's images)
   */
  public int magic() {
    int type = switch (dtype) {
      case UINT8 -> 0x08;
      case INT8 -> 0x09;
      case INT16 -> 0x0B;
      case INT32 -> 0x0C;
      case FLOAT32 -> 0x0D;
      default -> 0x0E;
    };
    return type << 8 | shape.length;
  }

  /**
   * The bytes from the magic to the first data byte.
   *
   * @return the bytes from the magic to the first data byte
   */
  public int headerBytes() {
    return 4 + 4 * shape.length;
  }

  /**
   * The number of elements.
   *
   * @return the number of elements
   */
  public long count() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * The data's size in bytes.
   *
   * @return the data's size in bytes
   */
  public long dataBytes() {
    return count() * dtype.bytes();
  }

  /** An open IDX file: its header and its body, positioned at the first data byte (gunzipped if need be). */
  public record Opened(IdxHeader header, InputStream body) implements AutoCloseable {
    /** Closes the body (and the file). */
    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  /**
   * Opens {@code file}, raw or gzipped (by its magic bytes), and reads its header.
   *
   * @throws FileFormatException naming the file: a bad magic number, an unknown element type, a truncated header,
   *     or dimensions whose byte count overflows
   * @param file the file
   * @return the header and the body, at its first data byte
   */
  public static Opened open(Path file) throws IOException {
    InputStream in = Gzip.open(file);
    try {
      return new Opened(read(in, file.toString()), in);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * Reads a header from {@code in}, leaving it at the first data byte; {@code source} names it in errors.
   *
   * @param in the stream, at its first byte
   * @param source the file (or archive entry) as errors name it
   * @return the header
   * @throws IOException if the file cannot be read, or is not what its format says (a FileFormatException naming it)
   */
  public static IdxHeader read(InputStream in, String source) throws IOException {
    byte[] m = readOrEof(in, 4, source, "truncated: shorter than the 4-byte IDX magic number");
    int magic = ByteBuffer.wrap(m).getInt();
    int type = (magic >>> 8) & 0xff;
    int rank = magic & 0xff;
    DType dtype = switch (type) {
      case 0x08 -> DType.UINT8;
      case 0x09 -> DType.INT8;
      case 0x0B -> DType.INT16;
      case 0x0C -> DType.INT32;
      case 0x0D -> DType.FLOAT32;
      case 0x0E -> DType.FLOAT64;
      default -> null;
    };
    if (magic >>> 16 != 0 || dtype == null) {
      throw new FileFormatException(source, "magic", String.format("bad magic number 0x%08X: not an IDX file", magic),
          false);
    }
    long[] dims = new long[rank];
    long bytes = dtype.bytes();
    byte[] b = readOrEof(in, 4 * rank, source, "truncated header: fewer than the " + rank + " dimensions the magic "
        + String.format("0x%08X", magic) + " promises");
    ByteBuffer bb = ByteBuffer.wrap(b);
    for (int i = 0; i < rank; i++) {
      dims[i] = bb.getInt();
      if (dims[i] < 0) {
        throw new FileFormatException(source, "dimension " + i, "negative: " + dims[i], false);
      }
      try {
        bytes = Math.multiplyExact(bytes, dims[i]);
      } catch (ArithmeticException e) {
        throw new FileFormatException(source, "dimensions", Arrays.toString(dims) + " overflow", false);
      }
    }
    return new IdxHeader(dtype, dims);
  }

  private static byte[] readOrEof(InputStream in, int n, String source, String what) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new FileFormatException(source, "header", what, false);
    }
    return b;
  }
}
