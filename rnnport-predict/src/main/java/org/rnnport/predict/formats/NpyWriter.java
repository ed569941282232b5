package org.rnnport.predict.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.rnnport.predict.Column;
import org.rnnport.predict.DType;
import org.rnnport.predict.OutputWriter;

/**
 * One output as an {@code .npy} array (version 1.0, C order, little-endian), streamed: the header
 * is written with room for any row count and rewritten with the real one at the end.
 */
public final class NpyWriter implements OutputWriter {
  private final FileChannel ch;
  private final String key;
  private DType dtype;
  private long[] rowShape;
  private long rows;
  private int headerBytes;
  private ByteBuffer buf = ByteBuffer.allocate(0);

  /** Writes output {@code key} (or the only output when null). */
  public NpyWriter(Path file, String key) throws IOException {
    this.ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.key = key;
  }

  static String header(DType dtype, long rows, long[] rowShape, int pad) {
    StringBuilder shape = new StringBuilder("(").append(rows);
    if (rowShape.length == 0) {
      shape.append(",)");
    } else {
      for (long d : rowShape) {
        shape.append(", ").append(d);
      }
      shape.append(')');
    }
    String h = "{'descr': '" + dtype.numpy() + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int total = pad > 0 ? pad : ((10 + h.length() + 1 + 24 + 63) / 64) * 64; // room for a 20-digit count
    StringBuilder sb = new StringBuilder(h);
    while (10 + sb.length() + 1 < total) {
      sb.append(' ');
    }
    return sb.append('\n').toString();
  }

  private void writeHeader(long n, int pad) throws IOException {
    String h = header(dtype, n, rowShape, pad);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) h.length());
    b.put(h.getBytes(StandardCharsets.ISO_8859_1));
    b.flip();
    if (pad > 0 && b.remaining() != pad) {
      throw new IOException("npy header grew past its reserved size");
    }
    headerBytes = b.remaining();
    ch.write(b, 0);
  }

  @Override
  public void write(Map<String, Column> outputs, int n) throws IOException {
    Column c = key == null ? outputs.values().iterator().next() : outputs.get(key);
    if (dtype == null) {
      dtype = c.dtype();
      rowShape = c.rowShape();
      writeHeader(0, 0);
      ch.position(headerBytes);
    } else if (!Arrays.equals(rowShape, c.rowShape())) {
      throw new IOException("output '" + (key == null ? outputs.keySet().iterator().next() : key)
          + "' changed its row shape from " + Arrays.toString(rowShape) + " to " + Arrays.toString(c.rowShape())
          + ": an .npy array needs one (write JSON Lines or Parquet instead)");
    }
    int values = n * c.rowSize();
    int bytes = values * dtype.bytes();
    if (buf.capacity() < bytes) {
      buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    buf.clear();
    switch (dtype) {
      case FLOAT32 -> buf.asFloatBuffer().put((float[]) c.data(), 0, values);
      case FLOAT64 -> buf.asDoubleBuffer().put((double[]) c.data(), 0, values);
      case INT32 -> buf.asIntBuffer().put((int[]) c.data(), 0, values);
      case INT64 -> buf.asLongBuffer().put((long[]) c.data(), 0, values);
      case UINT8 -> buf.put((byte[]) c.data(), 0, values);
    }
    buf.position(0).limit(bytes);
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    rows += n;
  }

  @Override
  public void finish() throws IOException {
    if (dtype == null) {
      throw new IOException("no rows to write");
    }
    writeHeader(rows, headerBytes);
    ch.force(false);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
