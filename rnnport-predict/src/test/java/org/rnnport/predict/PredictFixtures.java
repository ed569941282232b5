package org.rnnport.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.rnnport.TestData;
import org.rnnport.data.ImageSet;
import org.rnnport.predict.formats.CsvWriter;
import org.rnnport.predict.formats.NpyWriter;
import org.rnnport.predict.formats.NpzWriter;
import org.rnnport.predict.formats.ParquetRowWriter;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.batch.ColumnBuilder;
import org.rnnport.tensorio.files.TfRecordOutput;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/** MNIST test images written in every input format, and readers of every output format, for the predict tests. */
final class PredictFixtures {
  private PredictFixtures() {}

  static final Path RNN = TestData.projectDir().resolve("savedmodels/mnist-rnn/1");
  static final Path REUTERS = TestData.projectDir().resolve("savedmodels/reuters-lstm/1");
  static final ObjectMapper JSON = new ObjectMapper();

  /** A mutable builder of {@link PredictJob.Options} with test defaults. */
  static final class Opts {
    Path model = RNN;
    String signature = "serving_default";
    List<Path> inputs = new ArrayList<>();
    String format;
    Path output;
    String outputFormat;
    List<String> outputKeys;
    int batchSize = 100;
    int workers = 2;
    double scale = 1;
    Path labels;
    String labelColumn;
    boolean skip;
    Path rejects;
    Path report;
    Map<String, String> inputColumns;

    Opts(Path output, Path... inputs) {
      this.output = output;
      this.inputs.addAll(List.of(inputs));
    }

    PredictJob.Options build() {
      return new PredictJob.Options(model, "serve", signature, inputs, format, output, outputFormat, outputKeys,
          batchSize, workers, scale, labels, null, labelColumn, 0, skip, rejects, report, inputColumns);
    }

    PredictJob.Summary run() throws IOException {
      return PredictJob.run(build());
    }
  }

  static ImageSet mnist() {
    return TestData.mnistTest();
  }

  static Column images(int n, long... rowShape) {
    float[] px = java.util.Arrays.copyOf(mnist().pixels(), n * 784);
    return Column.ofArray(DType.FLOAT32, rowShape.length == 0 ? new long[] {784} : rowShape, n, px);
  }

  /** Row ids 1000, 1001, ... (a column no input takes). */
  static Column ids(int n) {
    long[] l = new long[n];
    for (int i = 0; i < n; i++) {
      l[i] = 1000 + i;
    }
    return Column.ofArray(DType.INT64, new long[0], n, l);
  }

  static Column labels(int n) {
    long[] l = new long[n];
    for (int i = 0; i < n; i++) {
      l[i] = mnist().labels()[i];
    }
    return Column.ofArray(DType.INT64, new long[0], n, l);
  }

  static void npy(Path file, Column c) throws IOException {
    try (NpyWriter w = new NpyWriter(file, "a")) {
      w.write(Map.of("a", c), c.rows());
      w.finish();
    }
  }

  static void npz(Path file, Map<String, Column> arrays) throws IOException {
    try (NpzWriter w = new NpzWriter(file)) {
      w.write(arrays, arrays.values().iterator().next().rows());
      w.finish();
    }
  }

  static void parquet(Path file, Map<String, Column> columns) throws IOException {
    try (ParquetRowWriter w = new ParquetRowWriter(file)) {
      w.write(columns, columns.values().iterator().next().rows());
      w.finish();
    }
  }

  static void csv(Path file, Map<String, Column> columns) throws IOException {
    try (CsvWriter w = new CsvWriter(file)) {
      w.write(columns, columns.values().iterator().next().rows());
      w.finish();
    }
  }

  /** IDX bytes of the first n images (unsigned bytes, as the MNIST files store them). */
  static byte[] idx(int n) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(0x0803);
    d.writeInt(n);
    d.writeInt(28);
    d.writeInt(28);
    float[] px = mnist().pixels();
    for (int i = 0; i < n * 784; i++) {
      d.writeByte(Math.round(px[i] * 255f));
    }
    return b.toByteArray();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      g.write(raw);
    }
    return b.toByteArray();
  }

  static String floats(float[] a, int from, int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append(a[from + i]);
    }
    return sb.append(']').toString();
  }

  /** JSON Lines: bare flat lists (one per image), or objects {"input_X": [[row]...], "label": L}. */
  static void jsonl(Path file, int n, boolean objects) throws IOException {
    float[] px = mnist().pixels();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (objects) {
        sb.append("{\"label\": ").append(mnist().labels()[i]).append(", \"input_X\": [");
        for (int r = 0; r < 28; r++) {
          sb.append(r == 0 ? "" : ",").append(floats(px, i * 784 + r * 28, 28));
        }
        sb.append("]}\n");
      } else {
        sb.append(floats(px, i * 784, 784)).append('\n');
      }
    }
    Files.writeString(file, sb);
  }

  static byte[] example(int i, String pixelsFeature) {
    float[] px = mnist().pixels();
    FloatList.Builder f = FloatList.newBuilder();
    for (int k = 0; k < 784; k++) {
      f.addValue(px[i * 784 + k]);
    }
    return Example.newBuilder().setFeatures(Features.newBuilder()
        .putFeature(pixelsFeature, Feature.newBuilder().setFloatList(f).build())
        .putFeature("label", Feature.newBuilder().setInt64List(Int64List.newBuilder()
            .addValue(mnist().labels()[i])).build())).build().toByteArray();
  }

  static void tfrecord(Path file, int n, boolean gz) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        TfRecordOutput out = new TfRecordOutput(gz ? new GZIPOutputStream(raw) : raw)) {
      for (int i = 0; i < n; i++) {
        out.write(example(i, "pixels"));
      }
    }
  }

  // ---- reading outputs back ----

  /** The {@code classes} column of any output file, as predict wrote it. */
  static long[] classes(Path out) throws IOException {
    String name = out.getFileName().toString();
    if (name.endsWith(".jsonl")) {
      List<String> lines = Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
      long[] c = new long[lines.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = JSON.readTree(lines.get(i)).get("classes").asLong();
      }
      return c;
    } else if (name.endsWith(".npz")) {
      return org.rnnport.data.Npz.read(out).get("classes").int64(out);
    } else if (name.endsWith(".npy")) {
      NpyArray a = npyRead(out);
      long[] c = new long[(int) a.shape()[0]];
      ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(c);
      return c;
    } else if (name.endsWith(".csv")) {
      List<String> lines = Files.readAllLines(out);
      int col = List.of(lines.get(0).split(",")).indexOf("classes");
      return lines.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[col])).toArray();
    } else if (name.endsWith(".parquet")) {
      Column c = readAll(out, "parquet", new InputBinding("classes", DType.INT64, null));
      return c.toHost("t").longs();
    }
    throw new IllegalArgumentException(name);
  }

  /** Every row of one column/array of a file, read with predict's own readers. */
  static Column readAll(Path file, String format, InputBinding b) throws IOException {
    try (RowReader r = Formats.open(file, format, new ReadOptions(List.of(b), null, false))) {
      ColumnBuilder v = new ColumnBuilder(b.dtype(), 1024);
      long[] shape = null;
      int rows = 0;
      Chunk c;
      while ((c = r.read(1000)) != null) {
        Column col = c.inputs().get(b.key());
        shape = col.rowShape();
        rows += col.rows();
        v.addAll(col);
      }
      return v.toColumn(shape, rows);
    }
  }

  record NpyArray(String descr, long[] shape, byte[] data) {}

  static NpyArray npyRead(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int len = (b[8] & 0xff) | ((b[9] & 0xff) << 8);
    String h = new String(b, 10, len, StandardCharsets.ISO_8859_1);
    String descr = h.replaceAll("(?s).*'descr': '([^']*)'.*", "$1");
    String[] dims = h.replaceAll("(?s).*'shape': \\(([^)]*)\\).*", "$1").split(",");
    long[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong)
        .toArray();
    return new NpyArray(descr, shape, java.util.Arrays.copyOfRange(b, 10 + len, b.length));
  }

  static Map<String, Column> map(Object... kv) {
    Map<String, Column> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Column) kv[i + 1]);
    }
    return m;
  }

  static JsonNode json(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

}
