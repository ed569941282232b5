package org.rnnport.fit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.rnnport.predict.Chunk;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.DType;
import org.rnnport.predict.Formats;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RowReader;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Examples read whole from the user's files into memory: each row's input ({@code int32 [time]} token ids or
 * {@code float32 [time, features]}, as the model's input says) and its integer class. Read with predict's readers
 * (npy/npz, Parquet, TFRecord Example, CSV, JSON Lines): {@code x} names the array, column or feature of the
 * inputs, {@code y} the labels' (an integer class or a one-hot row). Every row is checked before training starts:
 * a row of another shape or dtype fails with the file, row and name (the reader's {@link InputException}), and so
 * does a label outside {@code [0, classes)}.
 *
 * <p>{@link #open} is that checking pass for every source: it streams the files, keeps only the labels, and returns
 * the rows as {@link FitRows} (this record when they are held in memory, else {@link IndexedRows} or
 * {@link StreamedRows}). {@link #labels} is the one place a block's labels are read and checked.
 *
 * @param files the files read, in order
 * @param dtype INT32 or FLOAT32
 * @param rowShape one example's shape
 * @param rows number of examples
 * @param values {@code int[]} or {@code float[]}, row-major
 * @param labels one class per row
 * @param classes the model's output classes (its output units)
 * @param targets for a regression loss (mse, mae): {@code float32 [rows, classes]} targets, row-major, read as
 *     {@code y}'s float32 values of the output's shape (and {@code labels} all -1); null for a class loss
 */
public record FitData(List<Path> files, DType dtype, long[] rowShape, int rows, Object values, int[] labels,
    int classes, float[] targets) implements FitRows {

  /** Reads {@code files} (format by extension, or {@code format}), {@code y} as integer classes. */
  public static FitData read(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes) throws IOException {
    return read(files, format, x, y, dtype, rowShape, classes, true);
  }

  /**
   * Reads {@code files} whole into memory; {@code y} as integer classes in {@code [0, classes)} when
   * {@code classLabels}, else as float32 targets of shape {@code [classes]} (the output's), checked like an input.
   */
  public static FitData read(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes, boolean classLabels) throws IOException {
    return (FitData) open(files, format, x, y, dtype, rowShape, classes, classLabels, 0, Long.MAX_VALUE, false);
  }

  /**
   * Checks every row of {@code files} in one streaming pass (shape, dtype, labels, token ids below
   * {@code tokenLimit} when it is positive), keeping only the labels, then returns the rows as they are best read:
   * by index from the file ({@link IndexedRows}) when every file is an npy or an npz whose {@code x} member is stored
   * uncompressed and {@code byIndex}; else in memory ({@link FitData}) when all of them number at most
   * {@code keepRows}; else streamed in file order ({@link StreamedRows}, shuffled through a buffer of
   * {@code keepRows} rows).
   */
  static FitRows open(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes, boolean classLabels, int tokenLimit, long keepRows, boolean byIndex) throws IOException {
    return open(files, format, x, y, dtype, rowShape, classes, classLabels, tokenLimit, keepRows, byIndex, 0);
  }

  /**
   * As {@link #open(List, String, String, String, DType, long[], int, boolean, int, long, boolean)}; with
   * {@code steps > 0} (a per-timestep output {@code [time, classes]}) {@code y} holds one label per step:
   * {@code [time]} int64 classes in {@code [0, classes)} for a class loss (made one-hot), float32
   * {@code [time, classes]} targets for mse/mae. Either way they are kept as {@code targets}, {@code time * classes}
   * floats a row: the rows' {@code classes} is that row size, their {@code labels} all -1.
   */
  static FitRows open(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes, boolean classLabels, int tokenLimit, long keepRows, boolean byIndex, long steps)
      throws IOException {
    return open(files, format, x, y, dtype, rowShape, classes, classLabels, tokenLimit, keepRows, byIndex, steps,
        false);
  }

  /**
   * As {@link #open(List, String, String, String, DType, long[], int, boolean, int, long, boolean, long)}; with
   * {@code binary} (binary_crossentropy) the targets of the output's shape are floats or integers, each in
   * {@code [0, 1]} (integers 0 and 1 are read as the floats 0 and 1, exactly; anything else is refused with the file,
   * row and name).
   */
  static FitRows open(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes, boolean classLabels, int tokenLimit, long keepRows, boolean byIndex, long steps, boolean binary)
      throws IOException {
    int perStep = classes;
    boolean stepClasses = steps > 0 && classLabels;
    if (steps > 0) {
      classes = (int) (steps * classes);
      classLabels = false;
    }
    long[] shape = new long[rowShape.length + 1];
    shape[0] = -1;
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    InputBinding binding = new InputBinding(x, dtype, shape);
    InputBinding target = classLabels ? null : stepClasses ? new InputBinding(y, DType.INT64, new long[] {-1, steps})
        : steps > 0 ? new InputBinding(y, DType.FLOAT32, new long[] {-1, steps, perStep})
        : new InputBinding(y, DType.FLOAT32, new long[] {-1, classes});
    ReadOptions opts = classLabels ? new ReadOptions(List.of(binding), y, false, Map.of())
        : new ReadOptions(List.of(binding, target), null, false, Map.of());
    int rowSize = (int) Column.size(rowShape);
    List<String> formats = new ArrayList<>();
    boolean indexed = byIndex;
    for (Path f : files) {
      String fmt = Formats.inputFormat(f, format);
      formats.add(fmt);
      if (fmt.equals("npz")) {
        requireArrays(f, x, y);
      }
      indexed &= IndexedRows.randomAccess(f, fmt, x);
    }
    boolean keep = !indexed;
    List<Object> blocks = new ArrayList<>();
    List<Labels> labelBlocks = new ArrayList<>();
    long total = 0;
    for (int fi = 0; fi < files.size(); fi++) {
      Path f = files.get(fi);
      try (RowReader r = reader(f, formats.get(fi), opts, y, classLabels, target)) {
        long first = 0;
        for (Chunk c = r.read(1024); c != null; c = r.read(1024)) {
          try {
            Column col = c.inputs().get(x);
            if (col == null) {
              throw new InputException(f, null, x, "the file has no input named '" + x + "'");
            }
            Column heap = col.onHeap();
            if (heap.dtype() != dtype || heap.rowSize() != rowSize) {
              throw new InputException(f, "row " + first, x, "rows of " + heap.dtype() + " "
                  + Arrays.toString(heap.rowShape()) + ", the model takes " + dtype + " " + Arrays.toString(rowShape));
            }
            if (tokenLimit > 0) {
              checkTokens(heap, tokenLimit, f, first, x);
            }
            // an .npy's labels are its sibling <y>.npy: errors name that file
            labelBlocks.add(labels(c, formats.get(fi).equals("npy") ? f.resolveSibling(y + ".npy") : f, first, y,
                classLabels, classes, stepClasses ? (int) steps : 0, perStep, binary));
            keep &= total + c.rows() <= keepRows;
            if (keep) {
              blocks.add(heap.data());
            } else {
              blocks.clear();
            }
            first += c.rows();
            total += c.rows();
          } finally {
            c.release();
          }
        }
      }
    }
    if (total == 0) {
      throw new InputException(files.get(0), null, x, "no rows");
    }
    if (total > Integer.MAX_VALUE - 8 || keep && total * rowSize > Integer.MAX_VALUE - 8) {
      throw new InputException(files.get(0), null, x, total + " rows of " + rowSize + " values do not fit one Java "
          + "array; rnnport fit holds the labels in memory (and the inputs, within --shuffle-buffer)");
    }
    int n = (int) total;
    int[] labels = new int[n];
    float[] targets = classLabels ? null : new float[n * classes];
    int at = 0;
    for (Labels b : labelBlocks) {
      System.arraycopy(b.classes(), 0, labels, at, b.classes().length);
      if (targets != null) {
        ByteBuffer.wrap(b.targets()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .get(targets, at * classes, b.classes().length * classes);
      }
      at += b.classes().length;
    }
    if (indexed) {
      return IndexedRows.open(files, formats, x, dtype, rowShape, labels, classes, targets);
    }
    if (!keep) {
      return new StreamedRows(files, formats, new ReadOptions(List.of(binding), null, false, Map.of()), x, dtype,
          rowShape, labels, classes, targets, keepRows);
    }
    Object values = dtype == DType.INT32 ? new int[n * rowSize] : new float[n * rowSize];
    at = 0;
    for (Object block : blocks) {
      // tensor I/O's columns hold numbers as little-endian bytes: read them as the dtype's own values
      ByteBuffer le = ByteBuffer.wrap((byte[]) block).order(ByteOrder.LITTLE_ENDIAN);
      int k = le.remaining() / dtype.bytes();
      if (dtype == DType.INT32) {
        le.asIntBuffer().get((int[]) values, at, k);
      } else {
        le.asFloatBuffer().get((float[]) values, at, k);
      }
      at += k;
    }
    return new FitData(List.copyOf(files), dtype, rowShape.clone(), n, values, labels, classes, targets);
  }

  /**
   * One block's labels, the one place they are read: for a class loss the integer class of every row (the reader's
   * {@code --y} column: a class or a one-hot row), checked to be in {@code [0, classes)}; for a regression loss
   * {@code y}'s float32 values of the output's shape (little-endian bytes) and the classes all -1.
   *
   * @param classes one class per row, -1 for a regression loss
   * @param targets the float32 targets' little-endian bytes, or null for a class loss
   */
  record Labels(int[] classes, byte[] targets) {}

  static Labels labels(Chunk c, Path f, long first, String y, boolean classLabels, int classes) {
    return labels(c, f, first, y, classLabels, classes, 0, classes, false);
  }

  /**
   * With {@code stepClasses > 0}: {@code y} holds {@code [stepClasses]} int64 classes a row in
   * {@code [0, perStep)}, kept one-hot as the targets (a per-timestep output's labels).
   */
  static Labels labels(Chunk c, Path f, long first, String y, boolean classLabels, int classes, int stepClasses,
      int perStep, boolean binary) {
    if (!classLabels) {
      Column tc = c.inputs().get(y);
      if (tc == null) {
        throw new InputException(f, null, y, "the file has no targets named '" + y + "'");
      }
      Column th = tc.onHeap();
      if (stepClasses > 0) {
        float[] oneHot = stepLabels(th, f, first, y, stepClasses, perStep);
        ByteBuffer b = ByteBuffer.allocate(oneHot.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(oneHot);
        int[] l = new int[c.rows()];
        Arrays.fill(l, -1);
        return new Labels(l, b.array());
      }
      if (binary) {
        th = binaryTargets(th, f, first, y, classes);
      }
      if (th.dtype() != DType.FLOAT32 || th.rowSize() != classes) {
        throw new InputException(f, "row " + first, y, "targets of " + th.dtype() + " "
            + Arrays.toString(th.rowShape()) + ", the model's output is FLOAT32 [" + classes + "]");
      }
      int[] l = new int[c.rows()];
      Arrays.fill(l, -1);
      return new Labels(l, th.bytes());
    }
    int[] l = c.labels();
    if (l == null) {
      throw new InputException(f, null, y, "no labels read from '" + y + "'");
    }
    for (int i = 0; i < l.length; i++) {
      if (l[i] < 0 || l[i] >= classes) {
        throw new InputException(f, "row " + (first + i), y, "label " + l[i] + " is outside the model's "
            + classes + " output classes [0, " + classes + ")");
      }
    }
    return new Labels(l, null);
  }

  /** A per-timestep output's class labels: {@code [steps]} int64 a row, checked, made one-hot. */
  private static float[] stepLabels(Column th, Path f, long first, String y, int steps, int classes) {
    if (th.dtype() != DType.INT64 || th.rowSize() != steps) {
      throw new InputException(f, "row " + first, y, "labels of " + th.dtype() + " " + Arrays.toString(th.rowShape())
          + ", the model's per-timestep output takes [" + steps + "] integer classes");
    }
    java.nio.LongBuffer ids = ByteBuffer.wrap((byte[]) th.data()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
    float[] oneHot = new float[ids.remaining() * classes];
    for (int i = 0; ids.hasRemaining(); i++) {
      long id = ids.get();
      if (id < 0 || id >= classes) {
        throw new InputException(f, "row " + (first + i / steps), y, "label " + id + " at step " + (i % steps)
            + " is outside the model's " + classes + " output classes [0, " + classes + ")");
      }
      oneHot[i * classes + (int) id] = 1f;
    }
    return oneHot;
  }

  /**
   * The reader of one file for the checking pass. An {@code .npy} holds one array, the inputs; its labels (or
   * targets) are the sibling file named after {@code y} ({@code DIR/<y>.npy}, as {@code unzip} leaves an npz), read
   * alongside it row for row.
   */
  static RowReader reader(Path f, String fmt, ReadOptions opts, String y, boolean classLabels, InputBinding target)
      throws IOException {
    if (!fmt.equals("npy")) {
      return Formats.open(f, fmt, opts);
    }
    Path yf = f.resolveSibling(y + ".npy");
    if (!java.nio.file.Files.isRegularFile(yf)) {
      throw new InputException(f, null, y, "an .npy holds the inputs only: the labels are the array '" + y
          + "' in " + yf.getFileName() + " next to it, which does not exist");
    }
    RowReader xs = Formats.open(f, "npy", new ReadOptions(List.of(opts.inputs().get(0)), null, false, Map.of()));
    RowReader ys;
    try {
      ys = Formats.open(yf, "npy", new ReadOptions(List.of(classLabels ? new InputBinding(y, DType.FLOAT64, null)
          : target), null, false, Map.of()));
    } catch (RuntimeException | IOException e) {
      xs.close();
      throw e;
    }
    if (xs.knownRecords() != ys.knownRecords()) {
      long nx = xs.knownRecords();
      long ny = ys.knownRecords();
      xs.close();
      ys.close();
      throw new InputException(yf, null, y, ny + " labels for the " + nx + " rows of " + f.getFileName());
    }
    return new RowReader() {
      @Override
      public Chunk read(int max) throws IOException {
        Chunk a = xs.read(max);
        Chunk b = ys.read(max);
        if (a == null || b == null) {
          return null;
        }
        Map<String, Column> cols = new java.util.LinkedHashMap<>(a.inputs());
        Column yc = b.inputs().get(y);
        int[] l = null;
        if (classLabels) {
          l = new int[yc.rows()];
          for (int i = 0; i < l.length; i++) {
            l[i] = org.rnnport.predict.RowAssembler.label(yc.slice(i, 1), yf, "row " + (b.firstRecord() + i), y);
          }
        } else {
          cols.put(y, yc);
        }
        return new Chunk(f, a.firstRecord(), a.records(), null, cols, l, List.of());
      }

      @Override
      public long knownRecords() {
        return xs.knownRecords();
      }

      @Override
      public void close() throws IOException {
        try {
          xs.close();
        } finally {
          ys.close();
        }
      }
    };
  }

  private static void checkTokens(Column ids, int inputDim, Path f, long first, String x) {
    int rs = ids.rowSize();
    for (int i = 0; i < ids.size(); i++) {
      long v = ids.getLong(i);
      if (v < 0 || v >= inputDim) {
        throw new InputException(f, "row " + (first + i / rs), x, "token id " + v
            + " is outside the Embedding's input_dim [0, " + inputDim + ")");
      }
    }
  }

  /**
   * binary_crossentropy's targets: float32 values in {@code [0, 1]}, or integer (or bool) values 0 and 1 turned into
   * the float32 values 0 and 1 (the only integers it takes, so nothing is rounded); a value outside {@code [0, 1]} (or
   * NaN) is refused with the file, row and name.
   */
  static Column binaryTargets(Column th, Path f, long first, String y, int classes) {
    if (th.rowSize() != classes) {
      throw new InputException(f, "row " + first, y, "targets of " + th.dtype() + " " + Arrays.toString(th.rowShape())
          + ", the model's output is [" + classes + "] (binary_crossentropy: 0/1 or floats in [0, 1])");
    }
    java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap((byte[]) th.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int n = th.rows() * classes;
    float[] v = new float[n];
    switch (th.dtype()) {
      case FLOAT32 -> le.asFloatBuffer().get(v);
      case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL -> {
        for (int i = 0; i < n; i++) {
          long w = switch (th.dtype().bytes()) {
            case 1 -> th.dtype() == DType.INT8 ? le.get(i) : le.get(i) & 0xff;
            case 2 -> th.dtype() == DType.INT16 ? le.getShort(2 * i) : le.getShort(2 * i) & 0xffff;
            case 4 -> th.dtype() == DType.INT32 ? le.getInt(4 * i) : le.getInt(4 * i) & 0xffffffffL;
            default -> le.getLong(8 * i);
          };
          if (w != 0 && w != 1) {
            throw new InputException(f, "row " + (first + i / classes), y, "target "
                + (th.dtype() == DType.UINT64 ? Long.toUnsignedString(w) : Long.toString(w))
                + " is not 0 or 1 (binary_crossentropy's integer targets)");
          }
          v[i] = w;
        }
      }
      default -> throw new InputException(f, "row " + first, y, "targets of " + th.dtype() + "; binary_crossentropy "
          + "takes 0/1 integers or float32 values in [0, 1]");
    }
    for (int i = 0; i < n; i++) {
      if (!(v[i] >= 0f && v[i] <= 1f)) {
        throw new InputException(f, "row " + (first + i / classes), y, "target " + v[i] + " is outside [0, 1] "
            + "(binary_crossentropy)");
      }
    }
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(v);
    return new Column(DType.FLOAT32, th.rowShape(), th.rows(), out.array());
  }

  /**
   * {@code --x} and {@code --y} must name arrays of an npz: predict's reader feeds a lone array to a one-input
   * signature whatever its name, which would train on the wrong array.
   */
  static void requireArrays(Path f, String... names) throws IOException {
    if (!java.nio.file.Files.isRegularFile(f)) {
      throw new InputException(f, null, null, "no such file");
    }
    List<String> held = new ArrayList<>();
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
      z.stream().forEach(e -> held.add(e.getName().replaceFirst("\\.npy$", "")));
    }
    for (String n : names) {
      if (!held.contains(n)) {
        throw new InputException(f, null, n, "no array '" + n + "' in the archive; it holds " + held);
      }
    }
  }

  /** Checks token ids against the Embedding's {@code input_dim} (Keras' gather would fail mid-training). */
  public FitData checkTokens(int inputDim, String x) {
    if (values instanceof int[] ids) {
      int rs = (int) Column.size(rowShape);
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] < 0 || ids[i] >= inputDim) {
          throw new InputException(files.size() == 1 ? files.get(0) : null, "row " + (i / rs), x, "token id "
              + ids[i] + " is outside the Embedding's input_dim [0, " + inputDim + ")");
        }
      }
    }
    return this;
  }

  /** Rows {@code [from, from + n)} (Keras' validation_split takes the last ones). */
  @Override
  public FitData slice(int from, int n) {
    int rs = (int) Column.size(rowShape);
    Object v = dtype == DType.INT32 ? new int[n * rs] : new float[n * rs];
    System.arraycopy(values, from * rs, v, 0, n * rs);
    return new FitData(files, dtype, rowShape, n, v, Arrays.copyOfRange(labels, from, from + n), classes,
        targets == null ? null : Arrays.copyOfRange(targets, from * classes, (from + n) * classes));
  }

  /** Values of one row. */
  @Override
  public int rowSize() {
    return (int) Column.size(rowShape);
  }

  @Override
  public String access() {
    return "memory";
  }

  @Override
  public Tensor x(int[] order, int from, int n) {
    int rs = rowSize();
    long[] dims = new long[rowShape.length + 1];
    dims[0] = n;
    System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
    if (dtype == DType.INT32) {
      int[] src = (int[]) values;
      int[] buf = new int[n * rs];
      for (int i = 0; i < n; i++) {
        System.arraycopy(src, (order == null ? from + i : order[from + i]) * rs, buf, i * rs, rs);
      }
      return TInt32.tensorOf(Shape.of(dims), DataBuffers.of(buf, true, false));
    }
    float[] src = (float[]) values;
    float[] buf = new float[n * rs];
    for (int i = 0; i < n; i++) {
      System.arraycopy(src, (order == null ? from + i : order[from + i]) * rs, buf, i * rs, rs);
    }
    return TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(buf, true, false));
  }
}
