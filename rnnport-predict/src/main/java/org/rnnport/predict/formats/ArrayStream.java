package org.rnnport.predict.formats;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.rnnport.predict.Column;
import org.rnnport.predict.InputException;

/**
 * The rows of a dense array read sequentially from a stream: an NPY body (little-endian) or an
 * IDX body (big-endian). Memory is one batch, whatever the file's size.
 */
final class ArrayStream implements AutoCloseable {
  private final DataInputStream in;
  private final NpyHeader.Element element;
  private final ByteOrder order;
  private final long[] rowShape;
  private final long rows;
  private final int rowSize;
  private final Path file;
  private final String what;
  private long read;
  private byte[] buf = new byte[0];

  ArrayStream(InputStream in, NpyHeader.Element element, ByteOrder order, long[] shape, Path file, String what) {
    this.in = new DataInputStream(in);
    this.element = element;
    this.order = order;
    if (shape.length == 0) {
      throw new InputException(file, what, null, "a 0-d array (a scalar) has no rows to predict");
    }
    this.rows = shape[0];
    this.rowShape = Arrays.copyOfRange(shape, 1, shape.length);
    long rs = Column.size(rowShape);
    if (rs > Integer.MAX_VALUE / 8) {
      throw new InputException(file, what, null, "rows of " + rs + " values are too large");
    }
    this.rowSize = (int) rs;
    this.file = file;
    this.what = what;
  }

  NpyHeader.Element element() {
    return element;
  }

  long rows() {
    return rows;
  }

  long[] rowShape() {
    return rowShape;
  }

  long position() {
    return read;
  }

  /** The next up to {@code n} rows, or null at the end. */
  Column next(int n) throws IOException {
    int k = (int) Math.min(n, rows - read);
    if (k <= 0) {
      return null;
    }
    int values = k * rowSize;
    int bytes = values * element.bytes;
    if (buf.length < bytes) {
      buf = new byte[bytes];
    }
    try {
      in.readFully(buf, 0, bytes);
    } catch (EOFException e) {
      throw new InputException(file, what, null, "truncated: the header promises " + rows + " rows of "
          + Arrays.toString(rowShape) + ", the data ends within rows " + read + ".." + (read + k - 1));
    }
    ByteBuffer bb = ByteBuffer.wrap(buf, 0, bytes).order(order);
    Object data;
    switch (element) {
      case U1 -> data = Arrays.copyOf(buf, values);
      case I1 -> {
        int[] a = new int[values];
        for (int i = 0; i < values; i++) {
          a[i] = buf[i];
        }
        data = a;
      }
      case I2 -> {
        int[] a = new int[values];
        for (int i = 0; i < values; i++) {
          a[i] = bb.getShort();
        }
        data = a;
      }
      case I4 -> {
        int[] a = new int[values];
        bb.asIntBuffer().get(a);
        data = a;
      }
      case I8 -> {
        long[] a = new long[values];
        bb.asLongBuffer().get(a);
        data = a;
      }
      case F4 -> {
        float[] a = new float[values];
        bb.asFloatBuffer().get(a);
        data = a;
      }
      default -> {
        double[] a = new double[values];
        bb.asDoubleBuffer().get(a);
        data = a;
      }
    }
    read += k;
    return new Column(element.dtype(), rowShape, k, data);
  }

  /** After the last row: trailing bytes mean a header that lies about the shape. */
  void checkEnd() throws IOException {
    if (in.read() >= 0) {
      throw new InputException(file, what, null, "trailing bytes after the " + rows + " rows the header promises");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
