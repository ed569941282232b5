package org.rnnport.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rnnport.predict.PredictFixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.Mnist;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceSet;
import org.rnnport.eval.ClassificationReport;
import org.rnnport.eval.Evaluator;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;

/** rnnport predict on real MNIST/Reuters test data and the committed SavedModels, every format. */
class PredictTest {
  static final int N = 300;
  static long[] expected;

  @TempDir
  Path tmp;

  @BeforeAll
  static void evalPredictions() throws IOException {
    Path data = TestData.ensure(Mnist.DATASET);
    expected = Evaluator.predictions(RNN, data, N).stream().mapToLong(Evaluator.Prediction::predicted).toArray();
  }

  private Path file(String name) {
    return tmp.resolve(name);
  }

  /** Nothing in the folder but the inputs: no output, no temp file. */
  private void assertNoOutput(Path out) throws IOException {
    assertThat(out).doesNotExist();
    try (Stream<Path> s = Files.list(out.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void everyInputFormatGivesEvalsPredictions() throws IOException {
    List<Opts> runs = new ArrayList<>();
    npy(file("flat.npy"), images(N));
    runs.add(new Opts(file("o1.npz"), file("flat.npy")));
    npy(file("rows.npy"), images(N, 28, 28));
    runs.add(new Opts(file("o2.npz"), file("rows.npy")));
    npz(file("in.npz"), map("input_X", images(N), "y", labels(N)));
    Opts npz = new Opts(file("o3.npz"), file("in.npz"));
    npz.labelColumn = "y";
    runs.add(npz);
    Files.write(file("images-ubyte"), idx(N));
    Opts idx = new Opts(file("o4.npz"), file("images-ubyte"));
    idx.scale = Mnist.SCALE;
    runs.add(idx);
    Files.write(file("images.idx.gz"), gzip(idx(N)));
    Opts idxGz = new Opts(file("o5.npz"), file("images.idx.gz"));
    idxGz.scale = 1.0 / 255.0;
    runs.add(idxGz);
    jsonl(file("bare.jsonl"), N, false);
    runs.add(new Opts(file("o6.npz"), file("bare.jsonl")));
    jsonl(file("objects.jsonl"), N, true);
    Opts obj = new Opts(file("o7.npz"), file("objects.jsonl"));
    obj.labelColumn = "label";
    runs.add(obj);
    csv(file("noheader.csv"), map("x", images(N)));
    Files.writeString(file("noheader.csv"), Files.readString(file("noheader.csv")).replaceFirst("^[^\n]*\n", ""));
    runs.add(new Opts(file("o8.csv.npz"), file("noheader.csv")));
    csv(file("x.csv"), map("x", images(N), "label", labels(N)));
    Opts csv = new Opts(file("o9.npz"), file("x.csv"));
    csv.labelColumn = "label";
    runs.add(csv);
    csv(file("keyed.csv"), map("input_X", images(N)));
    runs.add(new Opts(file("o10.npz"), file("keyed.csv")));
    tfrecord(file("in.tfrecord"), N, false);
    Opts tfr = new Opts(file("o11.npz"), file("in.tfrecord"));
    tfr.labelColumn = "label";
    runs.add(tfr);
    tfrecord(file("in.tfrecord.gz"), N, true);
    Opts tfrGz = new Opts(file("o12.npz"), file("in.tfrecord.gz"));
    tfrGz.labelColumn = "label";
    runs.add(tfrGz);
    parquet(file("in.parquet"), map("image", images(N), "label", labels(N)));
    Opts pq = new Opts(file("o13.npz"), file("in.parquet"));
    pq.labelColumn = "label";
    runs.add(pq);
    // a table whose image column is not named like the input (Spark's bench data: id, label, pixels)
    parquet(file("spark.parquet"), map("id", ids(N), "label", labels(N), "pixels", images(N)));
    Opts unnamed = new Opts(file("o14.npz"), file("spark.parquet"));
    unnamed.labelColumn = "label";
    assertThatThrownBy(unnamed::run).as("id and pixels both taken as the image").hasMessageContaining("spark.parquet");
    unnamed.inputColumns = Map.of("input_X", "pixels");
    runs.add(unnamed);
    // npy bodies of other dtypes feeding the float32 input: uint8 pixels (flat.npy's header, its descr
    // patched, over the IDX pixel bytes) and float64
    byte[] flat = Files.readAllBytes(file("flat.npy"));
    byte[] header = patchHeader(Arrays.copyOf(flat, flat.length - N * 784 * 4), "'<f4'", "'|u1'");
    byte[] u8Bytes = Arrays.copyOf(header, header.length + N * 784);
    System.arraycopy(idx(N), 16, u8Bytes, header.length, N * 784);
    Files.write(file("u8.npy"), u8Bytes);
    Opts u8 = new Opts(file("o15.npz"), file("u8.npy"));
    u8.scale = Mnist.SCALE;
    runs.add(u8);
    float[] px = images(N).toHost("t").floats();
    double[] wide = new double[px.length];
    for (int i = 0; i < px.length; i++) {
      wide[i] = px[i];
    }
    npy(file("f8.npy"), Column.ofArray(DType.FLOAT64, new long[] {784}, N, wide));
    runs.add(new Opts(file("o16.npz"), file("f8.npy")));
    for (Opts o : runs) {
      PredictJob.Summary s = o.run();
      assertThat(classes(o.output)).as(o.inputs.toString()).containsExactly(expected);
      assertThat(s.outcome().rows()).isEqualTo(N);
      if (o.labelColumn != null) {
        assertThat(s.report().total()).isEqualTo(N);
        assertThat(s.report().accuracy()).as(o.inputs.toString()).isGreaterThan(0.95);
      }
    }
    // several files in one run, in order
    Opts multi = new Opts(file("multi.jsonl"), file("flat.npy"), file("bare.jsonl"), file("in.parquet"));
    multi.batchSize = 128;
    multi.labelColumn = "label";
    assertThatThrownBy(multi::run).hasMessageContaining("flat.npy").hasMessageContaining("no label column");
    multi.labelColumn = null;
    multi.inputs = List.of(file("flat.npy"), file("bare.jsonl"), file("keyed.csv"));
    multi.run();
    long[] three = classes(file("multi.jsonl"));
    assertThat(three).hasSize(3 * N);
    for (int k = 0; k < 3; k++) {
      assertThat(Arrays.copyOfRange(three, k * N, (k + 1) * N)).containsExactly(expected);
    }
  }

  @Test
  void everyOutputFormatRoundTrips() throws IOException {
    npy(file("flat.npy"), images(N));
    for (String ext : List.of("npz", "jsonl", "csv", "parquet")) {
      new Opts(file("out." + ext), file("flat.npy")).run();
      assertThat(classes(file("out." + ext))).as(ext).containsExactly(expected);
    }
    Opts one = new Opts(file("out.npy"), file("flat.npy"));
    one.outputKeys = List.of("classes");
    one.run();
    assertThat(classes(file("out.npy"))).containsExactly(expected);
    assertThatThrownBy(() -> new Opts(file("all.npy"), file("flat.npy")).run())
        .hasMessageContaining("--output-keys");
    // logits are the same floats in every format (text formats print them exactly)
    float[] ref = logitsNpz(file("out.npz"));
    assertThat(ref).hasSize(N * 10);
    float[] fromJsonl = new float[N * 10];
    List<String> lines = Files.readAllLines(file("out.jsonl"));
    for (int i = 0; i < N; i++) {
      JsonNode l = JSON.readTree(lines.get(i)).get("logits");
      for (int k = 0; k < 10; k++) {
        fromJsonl[i * 10 + k] = Float.parseFloat(l.get(k).asText());
      }
    }
    assertThat(fromJsonl).containsExactly(ref);
    List<String> csv = Files.readAllLines(file("out.csv"));
    assertThat(csv.get(0)).isEqualTo("classes," + String.join(",", Stream.iterate(0, i -> i + 1).limit(10)
        .map(i -> "logits_" + i).toList()) + "," + String.join(",", Stream.iterate(0, i -> i + 1).limit(10)
        .map(i -> "probabilities_" + i).toList()));
    float[] fromCsv = new float[N * 10];
    for (int i = 0; i < N; i++) {
      String[] cells = csv.get(i + 1).split(",");
      for (int k = 0; k < 10; k++) {
        fromCsv[i * 10 + k] = Float.parseFloat(cells[1 + k]);
      }
    }
    assertThat(fromCsv).containsExactly(ref);
    Column pq = readAll(file("out.parquet"), "parquet", new InputBinding("logits", DType.FLOAT32, null));
    assertThat(pq.rowShape()).containsExactly(10);
    assertThat(pq.toHost("t").floats()).containsExactly(ref);
    // and back in: the JSONL and Parquet outputs read as inputs give the same arrays
    Column js = readAll(file("out.jsonl"), "jsonl", new InputBinding("logits", DType.FLOAT32, null));
    assertThat(js.toHost("t").floats()).containsExactly(ref);
  }

  static float[] logitsNpz(Path npz) throws IOException {
    var a = org.rnnport.data.Npz.read(npz).get("logits");
    assertThat(a.descr()).isEqualTo("<f4");
    assertThat(a.shape()).containsExactly(N, 10);
    float[] f = new float[N * 10];
    ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  @Test
  void labelsGiveEvalsReportOnTheWholeTestSet() throws IOException {
    Path data = TestData.ensure(Mnist.DATASET);
    Opts o = new Opts(file("all.npy"), data.resolve("mnist/t10k-images-idx3-ubyte.gz"));
    o.scale = Mnist.SCALE;
    o.outputKeys = List.of("classes");
    o.batchSize = 1000;
    o.labels = data.resolve("mnist/t10k-labels-idx1-ubyte.gz");
    o.report = file("report.json");
    ClassificationReport r = o.run().report();
    ClassificationReport e = DatasetEval.evaluate(RNN, data, 1000, 0, 1).report();
    assertThat(r.total()).isEqualTo(10_000);
    assertThat(r.confusion()).isDeepEqualTo(e.confusion());
    assertThat(r.accuracy()).isEqualTo(e.accuracy());
    JsonNode rep = json(file("report.json"));
    assertThat(rep.get("accuracy").asDouble()).isEqualTo(e.accuracy());
    assertThat(rep.get("examples").asLong()).isEqualTo(10_000);
    assertThat(rep.get("perClass")).hasSize(10);
    assertThat(rep.get("confusion").get(7).get(7).asLong()).isEqualTo(e.confusion()[7][7]);
    // one-hot labels in CSV work the same
    long[] oneHot = new long[N * 10];
    for (int i = 0; i < N; i++) {
      oneHot[i * 10 + mnist().labels()[i]] = 1;
    }
    csv(file("onehot.csv"), map("y", Column.ofArray(DType.INT64, new long[] {10}, N, oneHot)));
    npy(file("flat.npy"), images(N));
    Opts h = new Opts(file("o.jsonl"), file("flat.npy"));
    h.labels = file("onehot.csv");
    ClassificationReport hr = h.run().report();
    assertThat(hr.total()).isEqualTo(N);
    long correct = 0;
    for (int i = 0; i < N; i++) {
      correct += expected[i] == mnist().labels()[i] ? 1 : 0;
    }
    assertThat(hr.accuracy()).isEqualTo((double) correct / N);
    // labels that do not match the inputs' row count are an error
    npy(file("short.npy"), Column.ofArray(DType.INT64, new long[0], N - 1, Arrays.copyOf(oneHot, N - 1)));
    Opts bad = new Opts(file("bad.jsonl"), file("flat.npy"));
    bad.labels = file("short.npy");
    assertThatThrownBy(bad::run).hasMessageContaining("short.npy").hasMessageContaining("labels end after 299");
    assertNoOutput(file("bad.jsonl"));
  }

  @Test
  void reutersIntegerSequencesGiveEvalsPredictions() throws IOException {
    Path data = TestData.ensure(Reuters.DATASET);
    SequenceSet test = Reuters.notebook(data).test();
    int n = 200;
    int[] tokens = Arrays.copyOf(test.tokens(), n * test.length());
    npy(file("seq.npy"), Column.ofArray(DType.INT32, new long[] {test.length()}, n, tokens));
    Opts o = new Opts(file("out.jsonl"), file("seq.npy"));
    o.model = REUTERS;
    o.batchSize = 64;
    o.run();
    long[] want = Evaluator.predictions(REUTERS, data, n).stream().mapToLong(Evaluator.Prediction::predicted).toArray();
    List<String> lines = Files.readAllLines(file("out.jsonl"));
    long[] got = new long[n];
    for (int i = 0; i < n; i++) {
      got[i] = Pipeline.predicted(readProbabilities(lines.get(i)), 0);
    }
    assertThat(got).containsExactly(want);
    // float data does not feed an integer input
    npy(file("float.npy"), Column.ofArray(DType.FLOAT32, new long[] {test.length()}, 2, new float[2 * test.length()]));
    Opts f = new Opts(file("bad.jsonl"), file("float.npy"));
    f.model = REUTERS;
    String key;
    try (PredictModel m = PredictModel.load(REUTERS, "serve", "serving_default", 1)) {
      key = m.inputs().get(0).key();
    }
    assertThatThrownBy(f::run).hasMessageContaining("float.npy").hasMessageContaining("input '" + key + "'")
        .hasMessageContaining("dtype mismatch");
    assertNoOutput(file("bad.jsonl"));
  }

  private static Column readProbabilities(String line) throws IOException {
    JsonNode p = JSON.readTree(line).get("probabilities");
    float[] f = new float[p.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) p.get(i).asDouble();
    }
    return Column.ofArray(DType.FLOAT32, new long[] {f.length}, 1, f);
  }

  private void assertFails(Opts o, String... parts) throws IOException {
    var t = assertThatThrownBy(o::run).isInstanceOf(InputException.class);
    for (String p : parts) {
      t.hasMessageContaining(p);
    }
    assertNoOutput(o.output);
  }

  @Test
  void badInputNamesFileRowAndKeyAndWritesNothing() throws IOException {
    npy(file("short.npy"), Column.ofArray(DType.FLOAT32, new long[] {783}, 3, new float[3 * 783]));
    assertFails(new Opts(file("o.jsonl"), file("short.npy")), "short.npy", "input 'input_X'", "shape mismatch",
        "783 values");
    byte[] good = Files.readAllBytes(writeNpy("good.npy", N));
    Files.write(file("fortran.npy"), patchHeader(good, "'fortran_order': False", "'fortran_order': True "));
    assertFails(new Opts(file("o.jsonl"), file("fortran.npy")), "fortran.npy", "Fortran-ordered");
    Files.write(file("object.npy"), patchHeader(good, "'descr': '<f4'", "'descr': '|O' "));
    assertFails(new Opts(file("o.jsonl"), file("object.npy")), "object.npy", "object arrays");
    Files.write(file("cut.npy"), Arrays.copyOf(good, good.length - 1000));
    Opts cut = new Opts(file("o.jsonl"), file("cut.npy"));
    assertFails(cut, "cut.npy", "truncated", "rows 200..299");
    byte[] longer = Arrays.copyOf(good, good.length + 4);
    Files.write(file("longer.npy"), longer);
    assertFails(new Opts(file("o.jsonl"), file("longer.npy")), "longer.npy", "trailing bytes");
    jsonl(file("in.jsonl"), 10, false);
    List<String> lines = new ArrayList<>(Files.readAllLines(file("in.jsonl")));
    lines.set(2, lines.get(2).substring(0, 50));
    Files.write(file("broken.jsonl"), lines);
    assertFails(new Opts(file("o.npz"), file("broken.jsonl")), "broken.jsonl line 3", "malformed JSON");
    lines = new ArrayList<>(Files.readAllLines(file("in.jsonl")));
    lines.set(1, lines.get(1).replaceFirst(",[^,]*]$", "]"));
    Files.write(file("ragged.jsonl"), lines);
    assertFails(new Opts(file("o.npz"), file("ragged.jsonl")), "ragged.jsonl line 2, input 'input_X'",
        "shape mismatch");
    lines = new ArrayList<>(Files.readAllLines(file("in.jsonl")));
    lines.set(4, "{\"pixels\": " + lines.get(4) + ", \"other\": [1]}");
    Files.write(file("keys.jsonl"), lines);
    assertFails(new Opts(file("o.npz"), file("keys.jsonl")), "keys.jsonl line 5, input 'input_X'", "missing");
    csv(file("in.csv"), map("input_X", images(10)));
    lines = new ArrayList<>(Files.readAllLines(file("in.csv")));
    lines.set(3, lines.get(3).replaceFirst("^[^,]*,", "abc,"));
    Files.write(file("bad.csv"), lines);
    assertFails(new Opts(file("o.npz"), file("bad.csv")), "bad.csv line 4, input 'input_X'", "'abc' is not a number");
    lines.set(3, "1,2,3");
    Files.write(file("short.csv"), lines);
    assertFails(new Opts(file("o.npz"), file("short.csv")), "short.csv line 4", "3 fields, the header has 784");
    tfrecord(file("in.tfrecord"), 10, false);
    byte[] rec = Files.readAllBytes(file("in.tfrecord"));
    int size = rec.length / 10;
    rec[5 * size + 100] ^= 0x40;
    Files.write(file("flipped.tfrecord"), rec);
    Opts flipped = new Opts(file("o.npz"), file("flipped.tfrecord"));
    flipped.labelColumn = "label";
    assertFails(flipped, "flipped.tfrecord record 5", "CRC32C");
    Files.write(file("cut.tfrecord"), Arrays.copyOf(Files.readAllBytes(file("in.tfrecord")), 3 * size + 7));
    Opts cutRec = new Opts(file("o.npz"), file("cut.tfrecord"));
    cutRec.labelColumn = "label";
    assertFails(cutRec, "cut.tfrecord record 3", "truncated");
    Opts twoFeatures = new Opts(file("o.npz"), file("in.tfrecord"));
    assertFails(twoFeatures, "in.tfrecord record 0, input 'input_X'", "missing feature", "[label, pixels]");
    byte[] gz = gzip(idx(N));
    gz[gz.length / 2] ^= 0x5a;
    gz[gz.length / 2 + 1] ^= 0x5a;
    Files.write(file("corrupt-ubyte.gz"), gz);
    assertFails(new Opts(file("o.npz"), file("corrupt-ubyte.gz")), "corrupt-ubyte.gz");
    npz(file("names.npz"), map("pixels", images(5), "other", images(5)));
    assertFails(new Opts(file("o.npz"), file("names.npz")), "names.npz", "input 'input_X'", "no array 'input_X'");
    Files.writeString(file("empty.jsonl"), "\n");
    assertFails(new Opts(file("o.npz"), file("empty.jsonl")), "no rows to predict");
  }

  private Path writeNpy(String name, int n) throws IOException {
    npy(file(name), images(n));
    return file(name);
  }

  private static byte[] patchHeader(byte[] npy, String from, String to) {
    String s = new String(npy, StandardCharsets.ISO_8859_1);
    int i = s.indexOf(from);
    assertThat(i).isPositive().isLessThan(128);
    assertThat(to).hasSameSizeAs(from);
    byte[] out = npy.clone();
    System.arraycopy(to.getBytes(StandardCharsets.ISO_8859_1), 0, out, i, to.length());
    return out;
  }

  @Test
  void skipBadRowsWritesRejectsAndCountsThem() throws IOException {
    int n = 40;
    jsonl(file("in.jsonl"), n, false);
    List<String> lines = new ArrayList<>(Files.readAllLines(file("in.jsonl")));
    lines.set(2, "[0.5, oops");
    lines.set(6, "[1, 2, 3]");
    lines.set(30, "{\"input_X\": \"a string\"}");
    Files.write(file("in.jsonl"), lines);
    npy(file("y.npy"), labels(n));
    Opts o = new Opts(file("out.csv"), file("in.jsonl"));
    o.skip = true;
    o.labels = file("y.npy");
    o.batchSize = 8;
    o.report = file("report.json");
    PredictJob.Summary s = o.run();
    assertThat(s.outcome().rejected()).isEqualTo(3);
    assertThat(s.outcome().rows()).isEqualTo(n - 3);
    List<Long> want = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i != 2 && i != 6 && i != 30) {
        want.add(expected[i]);
      }
    }
    assertThat(classes(file("out.csv"))).containsExactly(want.stream().mapToLong(Long::longValue).toArray());
    assertThat(s.report().total()).isEqualTo(n - 3);
    List<JsonNode> rejects = new ArrayList<>();
    for (String l : Files.readAllLines(file("out.csv.rejects.jsonl"))) {
      rejects.add(JSON.readTree(l));
    }
    assertThat(rejects).hasSize(3);
    assertThat(rejects.get(0).get("where").asText()).isEqualTo("line 3");
    assertThat(rejects.get(0).get("record").asLong()).isEqualTo(2);
    assertThat(rejects.get(0).get("error").asText()).contains("malformed JSON");
    assertThat(rejects.get(0).get("input").asText()).isEqualTo("[0.5, oops");
    assertThat(rejects.get(1).get("where").asText()).isEqualTo("line 7");
    assertThat(rejects.get(1).get("key").asText()).isEqualTo("input_X");
    assertThat(rejects.get(1).get("error").asText()).contains("shape mismatch");
    assertThat(rejects.get(2).get("where").asText()).isEqualTo("line 31");
    assertThat(rejects.get(2).get("file").asText()).endsWith("in.jsonl");
    JsonNode rep = json(file("report.json"));
    assertThat(rep.get("rejected").asLong()).isEqualTo(3);
    assertThat(rep.get("examples").asLong()).isEqualTo(n - 3);
    // a TFRecord with one damaged record: the record is rejected, the rest scored
    tfrecord(file("in.tfrecord"), 10, false);
    byte[] rec = Files.readAllBytes(file("in.tfrecord"));
    rec[4 * (rec.length / 10) + 200] ^= 1;
    Files.write(file("in.tfrecord"), rec);
    Opts t = new Opts(file("t.jsonl"), file("in.tfrecord"));
    t.skip = true;
    t.labelColumn = "label";
    t.rejects = file("t-rejects.jsonl");
    assertThat(t.run().outcome().rejected()).isEqualTo(1);
    assertThat(classes(file("t.jsonl"))).hasSize(9);
    assertThat(Files.readString(file("t-rejects.jsonl"))).contains("\"where\":\"record 4\"", "CRC32C");
  }

  @Test
  void aFailureMidRunLeavesNoOutput() throws IOException {
    npy(file("good.npy"), images(N));
    jsonl(file("late.jsonl"), 200, false);
    List<String> lines = new ArrayList<>(Files.readAllLines(file("late.jsonl")));
    lines.set(180, "not json");
    Files.write(file("late.jsonl"), lines);
    for (String ext : List.of("npz", "npy", "jsonl", "csv", "parquet")) {
      Opts o = new Opts(file("out." + ext), file("good.npy"), file("late.jsonl"));
      o.batchSize = 20;
      o.outputKeys = List.of("classes");
      o.skip = false;
      assertThatThrownBy(o::run).hasMessageContaining("late.jsonl line 181");
      assertNoOutput(file("out." + ext));
    }
    // an existing output stays as it was
    Files.writeString(file("out.jsonl"), "old\n");
    Opts o = new Opts(file("out.jsonl"), file("good.npy"), file("late.jsonl"));
    o.batchSize = 20;
    assertThatThrownBy(o::run).isInstanceOf(InputException.class);
    assertThat(Files.readString(file("out.jsonl"))).isEqualTo("old\n");
  }

  @Test
  void workersDoNotChangeTheOutputNorBatchSizesThePredictions() throws IOException {
    npy(file("flat.npy"), images(N));
    float[] ref = null;
    for (int w : new int[] {1, 2, 3}) {
      Opts o = new Opts(file("o-" + w + ".npz"), file("flat.npy"));
      o.workers = w;
      o.batchSize = 32;
      o.run();
      float[] l = logitsNpz(o.output);
      if (ref == null) {
        ref = l;
      } else {
        assertThat(Arrays.equals(l, ref)).as("%d workers: bit-identical logits", w).isTrue();
      }
    }
    // a different batch size may round differently inside TensorFlow's kernels, never change a class
    for (int b : new int[] {1, 7, 1000}) {
      Opts o = new Opts(file("b-" + b + ".npz"), file("flat.npy"));
      o.batchSize = b;
      o.run();
      assertThat(classes(o.output)).containsExactly(expected);
      float[] l = logitsNpz(o.output);
      for (int i = 0; i < l.length; i++) {
        assertThat(l[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-4f));
      }
    }
  }
}
