package org.rnnport.fit;

import java.io.IOException;
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

/**
 * Examples read whole from the user's files into memory: each row's input ({@code int32 [time]} token ids or
 * {@code float32 [time, features]}, as the model's input says) and its integer class. Read with predict's readers
 * (npy/npz, Parquet, TFRecord Example, CSV, JSON Lines): {@code x} names the array, column or feature of the
 * inputs, {@code y} the labels' (an integer class or a one-hot row). Every row is checked before training starts:
 * a row of another shape or dtype fails with the file, row and name (the reader's {@link InputException}), and so
 * does a label outside {@code [0, classes)}.
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
    int classes, float[] targets) {

  /** Reads {@code files} (format by extension, or {@code format}), {@code y} as integer classes. */
  public static FitData read(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes) throws IOException {
    return read(files, format, x, y, dtype, rowShape, classes, true);
  }

  /**
   * Reads {@code files}; {@code y} as integer classes in {@code [0, classes)} when {@code classLabels}, else as
   * float32 targets of shape {@code [classes]} (the output's), checked like an input.
   */
  public static FitData read(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes, boolean classLabels) throws IOException {
    return read(files, format, x, y, dtype, rowShape, classes, classLabels, false);
  }

  /**
   * As {@link #read(List, String, String, String, DType, long[], int, boolean)}; with {@code binary}
   * (binary_crossentropy) the targets of the output's shape are floats or integers, each in {@code [0, 1]}
   * (integers 0 and 1 are read as the floats 0 and 1, exactly; anything else is refused with the file, row and name).
   */
  public static FitData read(List<Path> files, String format, String x, String y, DType dtype, long[] rowShape,
      int classes, boolean classLabels, boolean binary) throws IOException {
    long[] shape = new long[rowShape.length + 1];
    shape[0] = -1;
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    InputBinding binding = new InputBinding(x, dtype, shape);
    InputBinding target = classLabels ? null : new InputBinding(y, DType.FLOAT32, new long[] {-1, classes});
    int rowSize = (int) Column.size(rowShape);
    List<Object> blocks = new ArrayList<>();
    List<Object> targetBlocks = new ArrayList<>();
    List<int[]> labelBlocks = new ArrayList<>();
    long total = 0;
    for (Path f : files) {
      String fmt = Formats.inputFormat(f, format);
      if (fmt.equals("npz")) {
        requireArrays(f, x, y);
      }
      try (RowReader r = Formats.open(f, fmt, classLabels
          ? new ReadOptions(List.of(binding), y, false, Map.of())
          : new ReadOptions(List.of(binding, target), null, false, Map.of()))) {
        long first = 0;
        for (Chunk c = r.read(4096); c != null; c = r.read(4096)) {
          Column col = c.inputs().get(x);
          try {
            if (col == null) {
              throw new InputException(f, null, x, "the file has no input named '" + x + "'");
            }
            Column heap = col.onHeap();
            if (heap.dtype() != dtype || heap.rowSize() != rowSize) {
              throw new InputException(f, "row " + first, x, "rows of " + heap.dtype() + " "
                  + Arrays.toString(heap.rowShape()) + ", the model takes " + dtype + " " + Arrays.toString(rowShape));
            }
            int[] l;
            if (!classLabels) {
              Column tc = c.inputs().get(y);
              if (tc == null) {
                throw new InputException(f, null, y, "the file has no targets named '" + y + "'");
              }
              Column th = tc.onHeap();
              if (binary) {
                th = binaryTargets(th, f, first, y, classes);
              }
              if (th.dtype() != DType.FLOAT32 || th.rowSize() != classes) {
                throw new InputException(f, "row " + first, y, "targets of " + th.dtype() + " "
                    + Arrays.toString(th.rowShape()) + ", the model's output is FLOAT32 [" + classes + "]");
              }
              targetBlocks.add(th.data());
              l = new int[c.rows()];
              Arrays.fill(l, -1);
            } else {
              l = c.labels();
            }
            if (l == null) {
              throw new InputException(f, null, y, "no labels read from '" + y + "'");
            }
            for (int i = 0; classLabels && i < l.length; i++) {
              if (l[i] < 0 || l[i] >= classes) {
                throw new InputException(f, "row " + (first + i), y, "label " + l[i] + " is outside the model's "
                    + classes + " output classes [0, " + classes + ")");
              }
            }
            blocks.add(heap.data());
            labelBlocks.add(l);
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
    if (total * rowSize > Integer.MAX_VALUE - 8) {
      throw new InputException(files.get(0), null, x, total + " rows of " + rowSize + " values do not fit one Java "
          + "array; rnnport fit holds the training data in memory");
    }
    int n = (int) total;
    Object values = dtype == DType.INT32 ? new int[n * rowSize] : new float[n * rowSize];
    int[] labels = new int[n];
    float[] targets = classLabels ? null : new float[n * classes];
    int at = 0;
    for (int b = 0; b < blocks.size(); b++) {
      // tensor I/O's columns hold numbers as little-endian bytes: read them as the dtype's own values
      java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap((byte[]) blocks.get(b)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      if (dtype == DType.INT32) {
        le.asIntBuffer().get((int[]) values, at * rowSize, le.remaining() / Integer.BYTES);
      } else {
        le.asFloatBuffer().get((float[]) values, at * rowSize, le.remaining() / Float.BYTES);
      }
      if (targets != null) {
        java.nio.ByteBuffer.wrap((byte[]) targetBlocks.get(b)).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .get(targets, at * classes, labelBlocks.get(b).length * classes);
      }
      System.arraycopy(labelBlocks.get(b), 0, labels, at, labelBlocks.get(b).length);
      at += labelBlocks.get(b).length;
    }
    return new FitData(List.copyOf(files), dtype, rowShape.clone(), n, values, labels, classes, targets);
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
  public FitData slice(int from, int n) {
    int rs = (int) Column.size(rowShape);
    Object v = dtype == DType.INT32 ? new int[n * rs] : new float[n * rs];
    System.arraycopy(values, from * rs, v, 0, n * rs);
    return new FitData(files, dtype, rowShape, n, v, Arrays.copyOfRange(labels, from, from + n), classes,
        targets == null ? null : Arrays.copyOfRange(targets, from * classes, (from + n) * classes));
  }

  /** Values of one row. */
  public int rowSize() {
    return (int) Column.size(rowShape);
  }
}
