package org.rnnport.predict.formats;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.rnnport.predict.InputException;
import org.rnnport.predict.TensorMemory;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;

/**
 * The rows of a dense array read sequentially from a stream: an NPY body (little-endian) or an
 * IDX body (big-endian). Memory is one batch, whatever the file's size.
 *
 * <p>Batches are the file's bytes as they are (little-endian; an IDX body's big-endian elements
 * swapped). Once {@link #intoTensors} is set, and where the file's dtype has a TF Java tensor
 * class (little-endian on a little-endian host), each batch is read straight into
 * the memory of a new tensor: from the file's channel when there is one (an {@code .npy}: the
 * kernel copies the bytes into the tensor, no Java array on the way), else through a small buffer.
 */
final class ArrayStream implements AutoCloseable {
  private final DataInputStream in;
  private final FileChannel channel;
  private final DType dtype;
  private final ByteOrder order;
  private final long[] rowShape;
  private final long rows;
  private final int rowSize;
  private final Path file;
  private final String what;
  private long read;
  private byte[] buf = new byte[0];
  private long[] tensorRowShape;

  ArrayStream(InputStream in, DType dtype, ByteOrder order, long[] shape, Path file, String what) {
    this(in, null, dtype, order, shape, file, what);
  }

  /**
   * @param in the body from its first byte
   * @param channel the file's channel, positioned where {@code in} is and read only through one of
   *     the two at a time (the direct reads when {@code in} has buffered nothing), or null
   */
  ArrayStream(InputStream in, FileChannel channel, DType dtype, ByteOrder order, long[] shape, Path file,
      String what) {
    this.in = new DataInputStream(in);
    this.channel = channel;
    this.dtype = dtype;
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

  DType dtype() {
    return dtype;
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

  /**
   * From now on, batches go straight into tensors of rows {@code tensorRowShape} (the signature's
   * layout of this array's rows) if the file's element is the tensor's; else nothing changes.
   */
  void intoTensors(long[] tensorRowShape) {
    boolean same = dtype.tensorType() != null && dtype != DType.STRING;
    if (same && order == ByteOrder.LITTLE_ENDIAN && TensorMemory.LITTLE_ENDIAN_HOST
        && Column.size(tensorRowShape) == rowSize) {
      this.tensorRowShape = tensorRowShape.clone();
    }
  }

  private InputException truncated(int k) {
    return new InputException(file, what, null, "truncated: the header promises " + rows + " rows of "
        + Arrays.toString(rowShape) + ", the data ends within rows " + read + ".." + (read + k - 1));
  }

  /** The next up to {@code n} rows, or null at the end. */
  Column next(int n) throws IOException {
    int k = (int) Math.min(n, rows - read);
    if (k <= 0) {
      return null;
    }
    if ((long) k * rowSize * dtype.bytes() > Integer.MAX_VALUE - 8) {
      throw new InputException(file, what, null, "a batch of " + k + " rows of " + Arrays.toString(rowShape)
          + " is over 2 GiB: give a smaller --batch-size");
    }
    int values = k * rowSize;
    int bytes = values * dtype.bytes();
    if (tensorRowShape != null) {
      return nextTensor(k);
    }
    byte[] data = new byte[bytes];
    try {
      in.readFully(data, 0, bytes);
    } catch (EOFException e) {
      throw truncated(k);
    }
    if (order == ByteOrder.BIG_ENDIAN && dtype.bytes() > 1) {
      swap(data, dtype.bytes());
    }
    read += k;
    return new Column(dtype, rowShape, k, data);
  }

  /** Big-endian elements (IDX) to little-endian, in place. */
  private static void swap(byte[] b, int w) {
    for (int i = 0; i < b.length; i += w) {
      for (int a = i, z = i + w - 1; a < z; a++, z--) {
        byte t = b[a];
        b[a] = b[z];
        b[z] = t;
      }
    }
  }

  private Column nextTensor(int k) throws IOException {
    long[] full = new long[tensorRowShape.length + 1];
    full[0] = k;
    System.arraycopy(tensorRowShape, 0, full, 1, tensorRowShape.length);
    Tensor t = TensorMemory.allocate(dtype, Shape.of(full));
    boolean done = false;
    try {
      ByteBuffer view = TensorMemory.view(t);
      if (view == null) {
        throw new IllegalStateException("no view of the tensor's memory (TF Java keeps it outside native memory)");
      }
      if (channel != null) {
        while (view.hasRemaining()) {
          if (channel.read(view) < 0) {
            throw truncated(k);
          }
        }
      } else {
        if (buf.length < 1 << 16) {
          buf = new byte[1 << 16];
        }
        while (view.hasRemaining()) {
          int m = Math.min(buf.length, view.remaining());
          try {
            in.readFully(buf, 0, m);
          } catch (EOFException e) {
            throw truncated(k);
          }
          view.put(buf, 0, m);
        }
      }
      read += k;
      done = true;
      return new Column(dtype, tensorRowShape, k, new Column.Native(t));
    } finally {
      if (!done) {
        t.close();
      }
    }
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
