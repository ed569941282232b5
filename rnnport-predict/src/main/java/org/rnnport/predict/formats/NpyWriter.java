package org.rnnport.predict.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.rnnport.predict.OutputWriter;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.files.NpyHeader;

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

  /** Writes output {@code key} (or the only output when null). */
  public NpyWriter(Path file, String key) throws IOException {
    this.ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.key = key;
  }

  private void writeHeader(long n, int pad) throws IOException {
    long[] shape = new long[rowShape.length + 1];
    shape[0] = n;
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    ByteBuffer b;
    try {
      b = ByteBuffer.wrap(NpyHeader.encode(dtype, shape, pad));
    } catch (IllegalArgumentException e) {
      throw new IOException("npy header grew past its reserved size: " + e.getMessage());
    }
    headerBytes = b.remaining();
    while (b.hasRemaining()) {
      ch.write(b, headerBytes - b.remaining());
    }
  }

  @Override
  public void write(Map<String, Column> outputs, int n) throws IOException {
    Column c = key == null ? outputs.values().iterator().next() : outputs.get(key);
    if (dtype == null) {
      if (c.dtype().numpy() == null) {
        throw new IOException("output '" + (key == null ? outputs.keySet().iterator().next() : key) + "' is "
            + c.dtype().label() + ", which numpy has no dtype for: write JSON Lines"
            + (c.dtype() == DType.STRING ? " or Parquet" : "") + " instead");
      }
      dtype = c.dtype();
      rowShape = c.rowShape();
      writeHeader(0, 0);
      ch.position(headerBytes);
    } else if (!Arrays.equals(rowShape, c.rowShape())) {
      throw new IOException("output '" + (key == null ? outputs.keySet().iterator().next() : key)
          + "' changed its row shape from " + Arrays.toString(rowShape) + " to " + Arrays.toString(c.rowShape())
          + ": an .npy array needs one (write JSON Lines or Parquet instead)");
    }
    byte[] bytes = c.onHeap().bytes();
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, n * c.rowSize() * dtype.bytes());
    while (b.hasRemaining()) {
      ch.write(b);
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
