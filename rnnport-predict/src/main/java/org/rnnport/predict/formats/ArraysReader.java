package org.rnnport.predict.formats;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.rnnport.predict.Chunk;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RowAssembler;
import org.rnnport.predict.RowReader;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.files.FileFormatException;
import org.rnnport.tensorio.files.IdxHeader;
import org.rnnport.tensorio.files.NpyHeader;

/**
 * Dense arrays streamed row by row, one per input: {@code .npy} (one array, single-input
 * signatures), {@code .npz} (arrays named after the input keys; a single-input signature takes
 * the only array) and IDX (gzipped or raw, big-endian). Shapes and dtypes are checked against the
 * signature before the first row is read.
 */
public final class ArraysReader implements RowReader {
  private final Path file;
  private final ReadOptions opts;
  private final Map<String, ArrayStream> streams;
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final ArrayStream labels;
  private final List<AutoCloseable> closers;
  private final long rows;
  private long read;

  private ArraysReader(Path file, ReadOptions opts, Map<String, ArrayStream> streams, ArrayStream labels,
      List<AutoCloseable> closers) {
    this.file = file;
    this.opts = opts;
    this.streams = streams;
    this.labels = labels;
    this.closers = closers;
    long n = -1;
    String first = null;
    for (Map.Entry<String, ArrayStream> e : streams.entrySet()) {
      if (n >= 0 && e.getValue().rows() != n) {
        throw new InputException(file, null, e.getKey(), "the arrays disagree on the number of rows: " + n + " for '"
            + first + "', " + e.getValue().rows() + " for '" + e.getKey() + "'");
      }
      n = e.getValue().rows();
      first = e.getKey();
      InputBinding b = opts.input(e.getKey());
      long[] shape = b.resolveRowShape(e.getValue().rowShape(), file, null);
      shapes.put(e.getKey(), shape);
      if (opts.tensorMemory() && e.getValue().dtype() == b.dtype()) {
        e.getValue().intoTensors(shape);
      }
    }
    if (labels != null && labels.rows() != n) {
      throw new InputException(file, null, opts.labelColumn(), labels.rows() + " labels for " + n + " rows");
    }
    this.rows = n;
  }

  private static ArraysReader guarded(Path file, ReadOptions opts, Map<String, ArrayStream> streams, ArrayStream labels,
      List<AutoCloseable> closers) throws IOException {
    try {
      return new ArraysReader(file, opts, streams, labels, closers);
    } catch (RuntimeException e) {
      closeAll(closers);
      throw e;
    }
  }

  /**
   * Checks dtypes up front: an input of a dtype numpy has no descr for (bfloat16, string) is refused by name, and
   * float data never feeds an integer input.
   */
  private static void checkDtype(Path file, InputBinding b, DType data, String what) {
    if (b.dtype().numpy() == null) {
      throw new InputException(file, what, b.key(), "the signature's input is " + b.dtype().label() + ", which an "
          + "array file cannot hold (numpy has no " + b.dtype().label() + " dtype): feed it from JSON Lines"
          + (b.dtype() == DType.STRING ? " or Parquet" : ""));
    }
    if ((b.dtype().integral() || b.dtype() == DType.BOOL) && data.floating()) {
      throw new InputException(file, what, b.key(), "dtype mismatch: the array is " + data.label()
          + ", the signature expects " + b.dtype().tfName() + " (" + (b.dtype() == DType.BOOL ? "bools" : "integers")
          + ")");
    }
  }

  /** An NPY header, its errors as input errors naming the file (and entry). */
  private static NpyHeader header(InputStream in, Path file, String what) throws IOException {
    try {
      return NpyHeader.read(in, what == null ? file.toString() : file + "/" + what);
    } catch (FileFormatException e) {
      throw new InputException(file, what, null, (e.where() == null ? "" : e.where() + ": ") + e.detail());
    }
  }

  /** A {@code .npy} file: one array for a single-input signature. */
  public static ArraysReader npy(Path file, ReadOptions opts) throws IOException {
    if (!opts.singleInput()) {
      throw new InputException(file, null, null, "an .npy file holds one array, this signature takes " + opts.keys()
          + ": use an .npz with one array per input key");
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      // the header through an unbuffered stream, so the channel stands at the body's first byte
      NpyHeader h = header(Channels.newInputStream(ch), file, null);
      InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
      InputBinding b = opts.inputs().get(0);
      checkDtype(file, b, h.dtype(), null);
      ArrayStream s = new ArrayStream(in, ch, h.dtype(), ByteOrder.LITTLE_ENDIAN, h.shape(), file, null);
      if (opts.labelColumn() != null) {
        throw new InputException(file, null, opts.labelColumn(), "an .npy file has no label column: use --labels FILE");
      }
      return guarded(file, opts, new LinkedHashMap<>(Map.of(b.key(), s)), null, List.of(s));
    } catch (RuntimeException | IOException e) {
      ch.close();
      throw e;
    }
  }

  /** An {@code .npz} archive: arrays named after the input keys (and the label column). */
  public static ArraysReader npz(Path file, ReadOptions opts) throws IOException {
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new InputException(file, null, null, "not a valid .npz (zip) archive: " + e.getMessage());
    }
    List<AutoCloseable> closers = new ArrayList<>();
    closers.add(zip);
    try {
      Map<String, ZipEntry> entries = new LinkedHashMap<>();
      zip.stream().filter(e -> e.getName().endsWith(".npy"))
          .forEach(e -> entries.put(e.getName().substring(0, e.getName().length() - 4), e));
      if (entries.isEmpty()) {
        throw new InputException(file, null, null, "no .npy arrays in the archive");
      }
      Map<String, ArrayStream> streams = new LinkedHashMap<>();
      for (InputBinding b : opts.inputs()) {
        String name = b.key();
        if (!entries.containsKey(name) && opts.singleInput()) {
          List<String> others = entries.keySet().stream().filter(k -> !k.equals(opts.labelColumn())).toList();
          if (others.size() == 1) {
            name = others.get(0);
          }
        }
        ZipEntry e = entries.get(name);
        if (e == null) {
          throw new InputException(file, null, b.key(), "no array '" + b.key() + "' in the archive (it has "
              + entries.keySet() + "); the signature takes " + opts.keys());
        }
        streams.put(b.key(), open(zip, e, file, name + ".npy", b, closers));
      }
      ArrayStream labels = null;
      if (opts.labelColumn() != null) {
        ZipEntry e = entries.get(opts.labelColumn());
        if (e == null) {
          throw new InputException(file, null, opts.labelColumn(), "no label array '" + opts.labelColumn()
              + "' in the archive (it has " + entries.keySet() + ")");
        }
        labels = open(zip, e, file, opts.labelColumn() + ".npy", null, closers);
      }
      return guarded(file, opts, streams, labels, closers);
    } catch (RuntimeException | IOException e) {
      closeAll(closers);
      throw e;
    }
  }

  private static ArrayStream open(ZipFile zip, ZipEntry e, Path file, String what, InputBinding b,
      List<AutoCloseable> closers) throws IOException {
    InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16);
    closers.add(in);
    NpyHeader h = header(in, file, what);
    if (b != null) {
      checkDtype(file, b, h.dtype(), what);
    }
    return new ArrayStream(in, h.dtype(), ByteOrder.LITTLE_ENDIAN, h.shape(), file, what);
  }

  /** An IDX file (LeCun's MNIST format), gzipped or raw: one array for a single-input signature. */
  public static ArraysReader idx(Path file, ReadOptions opts) throws IOException {
    if (!opts.singleInput()) {
      throw new InputException(file, null, null, "an IDX file holds one array, this signature takes " + opts.keys());
    }
    ArrayStream s = idxStream(file);
    InputBinding b = opts.inputs().get(0);
    try {
      checkDtype(file, b, s.dtype(), null);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return guarded(file, opts, new LinkedHashMap<>(Map.of(b.key(), s)), null, List.of(s));
  }

  static ArrayStream idxStream(Path file) throws IOException {
    IdxHeader.Opened idx;
    try {
      idx = IdxHeader.open(file);
    } catch (FileFormatException e) {
      throw new InputException(file, null, null, (e.where() == null ? "" : e.where() + ": ") + e.detail());
    }
    try {
      IdxHeader h = idx.header();
      if (h.shape().length == 0) {
        throw new InputException(file, null, null, String.format("bad magic number 0x%08X: an IDX file of no "
            + "dimensions", h.magic()));
      }
      return new ArrayStream(idx.body(), h.dtype(), ByteOrder.BIG_ENDIAN, h.shape(), file, null);
    } catch (RuntimeException e) {
      idx.close();
      throw e;
    }
  }

  @Override
  public Chunk read(int maxRecords) throws IOException {
    if (read >= rows) {
      for (ArrayStream s : streams.values()) {
        s.checkEnd();
      }
      return null;
    }
    Map<String, Column> cols = new LinkedHashMap<>();
    int n = 0;
    try {
      for (Map.Entry<String, ArrayStream> e : streams.entrySet()) {
        Column c = e.getValue().next(maxRecords);
        n = c.rows();
        cols.put(e.getKey(), new Column(c.dtype(), shapes.get(e.getKey()), c.rows(), c.data()));
      }
    } catch (java.util.zip.ZipException e) {
      throw new InputException(file, "rows " + read + "..", null, "corrupt compressed data: " + e.getMessage());
    }
    int[] l = null;
    if (labels != null) {
      Column c = labels.next(maxRecords);
      l = new int[c.rows()];
      for (int i = 0; i < l.length; i++) {
        l[i] = RowAssembler.label(c.slice(i, 1), file, "row " + (read + i), opts.labelColumn());
      }
    }
    long first = read;
    read += n;
    return new Chunk(file, first, n, null, cols, l, List.of());
  }

  @Override
  public long knownRecords() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    closeAll(closers);
  }

  private static void closeAll(List<AutoCloseable> cs) throws IOException {
    IOException err = null;
    for (AutoCloseable c : cs) {
      try {
        c.close();
      } catch (Exception e) {
        err = err != null ? err : e instanceof IOException io ? io : new IOException(e);
      }
    }
    if (err != null) {
      throw err;
    }
  }
}
