package org.rnnport.fit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.rnnport.predict.InputException;
import org.rnnport.predict.TensorMemory;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.files.FileFormatException;
import org.rnnport.tensorio.files.NpyHeader;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;

/**
 * Inputs read by index, the file never held in memory: each batch gathers its rows (the epoch order's picks) from an
 * {@code .npy} by positioned reads on its channel, or from an {@code .npz} member stored uncompressed
 * ({@code np.savez}) through the JDK's {@link ZipFile}, whose stream of a stored entry skips in constant time, straight
 * into the batch tensor's memory. The header is tensor I/O's {@link NpyHeader}; the rows were checked by the pass
 * that built this ({@link FitData#open}). A deflated member ({@code np.savez_compressed}) cannot be read by index
 * (a deflate stream has no random access): such a file is streamed instead.
 */
final class IndexedRows extends FileRows {
  /** One file's array: its rows' bytes start at {@code offset} of the file (npy) or of the stored member (npz). */
  private record Segment(Path file, FileChannel channel, ZipFile zip, ZipEntry entry, long offset, long first,
      long rows) {}

  private final List<Segment> segments;
  private final boolean owner;

  private IndexedRows(List<Segment> segments, List<Path> files, DType dtype, long[] rowShape, long first, int rows,
      int[] labels, int classes, float[] targets, boolean owner) {
    super(files, dtype, rowShape, first, rows, labels, classes, targets);
    this.segments = segments;
    this.owner = owner;
  }

  /** Whether {@code x} of {@code f} can be read by index: an npy, or an npz whose {@code x} member is stored. */
  static boolean randomAccess(Path f, String fmt, String x) throws IOException {
    if (fmt.equals("npy")) {
      return !f.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gz");
    }
    if (!fmt.equals("npz") || !java.nio.file.Files.isRegularFile(f)) {
      return false;
    }
    try (ZipFile z = new ZipFile(f.toFile())) {
      ZipEntry e = z.getEntry(x + ".npy");
      return e != null && e.getMethod() == ZipEntry.STORED;
    } catch (java.util.zip.ZipException e) {
      return false; // the reader names the broken archive
    }
  }

  /** Opens the files (checked already) for reads by index. */
  static IndexedRows open(List<Path> files, List<String> formats, String x, DType dtype, long[] rowShape,
      int[] labels, int classes, float[] targets) throws IOException {
    List<Segment> segs = new ArrayList<>();
    long rowBytes = org.rnnport.tensorio.batch.Column.size(rowShape) * dtype.bytes();
    long at = 0;
    try {
      for (int i = 0; i < files.size(); i++) {
        Path f = files.get(i);
        NpyHeader h;
        Segment s;
        if (formats.get(i).equals("npy")) {
          FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
          try {
            h = header(java.nio.channels.Channels.newInputStream(ch.position(0)), f.toString());
          } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
          }
          s = new Segment(f, ch, null, null, h.headerBytes(), at, h.rows());
        } else {
          ZipFile z = new ZipFile(f.toFile());
          ZipEntry e = z.getEntry(x + ".npy");
          try (InputStream in = z.getInputStream(e)) {
            h = header(in, f + "/" + x + ".npy");
          } catch (IOException | RuntimeException ex) {
            z.close();
            throw ex;
          }
          s = new Segment(f, null, z, e, h.headerBytes(), at, h.rows());
        }
        segs.add(s);
        if (h.dtype() != dtype || h.rows() * rowBytes != h.dataBytes()) {
          throw new InputException(f, null, x, "the array is " + h.descr() + " " + Arrays.toString(h.shape())
              + ", the checked rows were " + dtype + " " + Arrays.toString(rowShape));
        }
        at += h.rows();
      }
      if (at != labels.length) {
        throw new IllegalStateException(at + " rows by index, " + labels.length + " checked");
      }
      return new IndexedRows(segs, List.copyOf(files), dtype, rowShape.clone(), 0, labels.length, labels, classes,
          targets, true);
    } catch (IOException | RuntimeException e) {
      closeAll(segs);
      throw e;
    }
  }

  private static NpyHeader header(InputStream in, String source) throws IOException {
    try {
      return NpyHeader.read(in, source);
    } catch (FileFormatException e) {
      throw new InputException(Path.of(source), null, null, e.getMessage());
    }
  }

  @Override
  public Tensor x(int[] order, int from, int n) {
    long[] dims = new long[rowShape.length + 1];
    dims[0] = n;
    System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
    Tensor t = TensorMemory.allocate(dtype, Shape.of(dims));
    boolean done = false;
    try {
      ByteBuffer view = TensorMemory.view(t);
      byte[] heap = null;
      if (view == null || !TensorMemory.LITTLE_ENDIAN_HOST) {
        heap = new byte[n * rowBytes];
        view = ByteBuffer.wrap(heap);
      }
      // runs of consecutive rows are read at once (file order: the whole batch in one read)
      for (int i = 0; i < n; ) {
        long r = first + (order == null ? from + i : order[from + i]);
        Segment s = segment(r);
        int k = 1;
        while (i + k < n && first + (order == null ? from + i + k : order[from + i + k]) == r + k
            && r + k < s.first() + s.rows()) {
          k++;
        }
        read(s, r - s.first(), view.slice(i * rowBytes, k * rowBytes));
        i += k;
      }
      Tensor out = t;
      if (heap != null) {
        t.close();
        out = HostTensor.ofBytes("x", dtype, dims, heap).toTensor();
      }
      done = true;
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (!done) {
        t.close();
      }
    }
  }

  private Segment segment(long r) {
    for (Segment s : segments) {
      if (r < s.first() + s.rows()) {
        return s;
      }
    }
    throw new IndexOutOfBoundsException("row " + r);
  }

  private void read(Segment s, long row, ByteBuffer dst) throws IOException {
    long pos = s.offset() + row * rowBytes;
    if (s.channel() != null) {
      while (dst.hasRemaining()) {
        if (s.channel().read(dst, pos + dst.position()) < 0) {
          throw new InputException(s.file(), "row " + row, null, "the file ended within the rows it held when checked");
        }
      }
      return;
    }
    try (InputStream in = s.zip().getInputStream(s.entry())) {
      in.skipNBytes(pos);
      byte[] b = in.readNBytes(dst.remaining());
      if (b.length < dst.remaining()) {
        throw new InputException(s.file(), "row " + row, null, "the member ended within the rows it held when checked");
      }
      dst.put(b);
    }
  }

  @Override
  public IndexedRows slice(int from, int n) {
    return new IndexedRows(segments, files, dtype, rowShape, first + from, n, labels(from, n), classes,
        targets(from, n), false);
  }

  @Override
  public String access() {
    return "index";
  }

  @Override
  public void close() throws IOException {
    if (owner) {
      closeAll(segments);
    }
  }

  private static void closeAll(List<Segment> segs) throws IOException {
    IOException err = null;
    for (Segment s : segs) {
      try {
        if (s.channel() != null) {
          s.channel().close();
        } else {
          s.zip().close();
        }
      } catch (IOException e) {
        err = err == null ? e : err;
      }
    }
    if (err != null) {
      throw err;
    }
  }
}
