package org.rnnport.fit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.rnnport.predict.Chunk;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RowReader;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.batch.Column;
import org.tensorflow.Tensor;

/**
 * Inputs read in file order from formats without random access (Parquet, TFRecord, CSV, JSON Lines, a compressed
 * npz), holding one reader chunk at a time: in file order ({@code --shuffle false}, and validation), or shuffled
 * through a bounded buffer ({@link ShuffleBufferBatches}). The rows were checked by the pass that built this
 * ({@link FitData#open}); labels and targets are in memory.
 */
final class StreamedRows extends FileRows {
  private static final int CHUNK = 256;
  private final List<String> formats;
  private final ReadOptions opts;
  private final String x;
  private final long buffer;
  private Cursor cursor;
  /** Cursors not closed yet (a shuffle buffer's, when training stops mid-epoch), closed by {@link #close()}. */
  private final java.util.Set<Cursor> open = new java.util.HashSet<>();

  StreamedRows(List<Path> files, List<String> formats, ReadOptions opts, String x, DType dtype, long[] rowShape,
      int[] labels, int classes, float[] targets, long buffer) {
    this(files, formats, opts, x, dtype, rowShape, 0, labels.length, labels, classes, targets, buffer);
  }

  private StreamedRows(List<Path> files, List<String> formats, ReadOptions opts, String x, DType dtype,
      long[] rowShape, long first, int rows, int[] labels, int classes, float[] targets, long buffer) {
    super(files, dtype, rowShape, first, rows, labels, classes, targets);
    this.formats = List.copyOf(formats);
    this.opts = opts;
    this.x = x;
    this.buffer = buffer;
  }

  /** The shuffle buffer's rows. */
  long buffer() {
    return buffer;
  }

  /** The rows from the first, in file order; close it. */
  Cursor cursor() {
    Cursor c = new Cursor();
    open.add(c);
    return c;
  }

  /** One pass over the rows in file order. */
  final class Cursor implements AutoCloseable {
    private int file = -1;
    private RowReader reader;
    private Column chunk;
    private int inChunk;
    /** The next row's index (within this range). */
    private long next = -first;

    /** The next row's input bytes (little-endian), or null after the last. */
    byte[] next() throws IOException {
      while (next < 0) {
        if (advance() == null) {
          return null;
        }
      }
      if (next >= rows) {
        return null;
      }
      return advance();
    }

    /** Index (within the range) of the row {@link #next()} returns next. */
    long position() {
      return Math.max(next, 0);
    }

    private byte[] advance() throws IOException {
      while (chunk == null || inChunk >= chunk.rows()) {
        Chunk c = reader == null ? null : reader.read(CHUNK);
        if (c == null) {
          if (reader != null) {
            reader.close();
            reader = null;
          }
          if (++file >= files.size()) {
            return null;
          }
          reader = org.rnnport.predict.Formats.open(files.get(file), formats.get(file), opts);
          continue;
        }
        try {
          chunk = c.inputs().get(x).onHeap();
        } finally {
          c.release();
        }
        inChunk = 0;
      }
      byte[] b = Arrays.copyOfRange(chunk.bytes(), inChunk * rowBytes, (inChunk + 1) * rowBytes);
      inChunk++;
      next++;
      return b;
    }

    @Override
    public void close() throws IOException {
      open.remove(this);
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
  }

  /** A batch tensor of rows' input bytes. */
  Tensor tensor(byte[][] rowsBytes, int n) {
    long[] dims = new long[rowShape.length + 1];
    dims[0] = n;
    System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
    byte[] all = new byte[n * rowBytes];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rowsBytes[i], 0, all, i * rowBytes, rowBytes);
    }
    return HostTensor.ofBytes("x", dtype, dims, all).toTensor();
  }

  @Override
  public Tensor x(int[] order, int from, int n) {
    try {
      int start = order == null ? from : order[from];
      if (cursor == null || cursor.position() != start) {
        if (cursor != null) {
          cursor.close();
        }
        cursor = cursor();
        for (long i = 0; i < start; i++) {
          cursor.next();
        }
      }
      byte[][] b = new byte[n][];
      for (int i = 0; i < n; i++) {
        if (order != null && order[from + i] != start + i) {
          throw new IllegalStateException("a streamed file is read in file order, not by index");
        }
        b[i] = cursor.next();
        if (b[i] == null) {
          throw new IllegalStateException("the file ended within the rows it held when checked");
        }
      }
      return tensor(b, n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public StreamedRows slice(int from, int n) {
    return new StreamedRows(files, formats, opts, x, dtype, rowShape, first + from, n, labels(from, n), classes,
        targets(from, n), buffer);
  }

  @Override
  public String access() {
    return "stream";
  }

  @Override
  public void close() throws IOException {
    for (Cursor c : List.copyOf(open)) {
      c.close();
    }
    cursor = null;
  }
}
