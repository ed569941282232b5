package org.rnnport.spark;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the Spark tests share: one {@code local[2]} session per test JVM, the repository root, and the real MNIST
 * test images (read from {@code data/mnist} or {@code $RNNPORT_DATA_MIRROR/mnist}; a missing file fails saying
 * how to provide it).
 */
final class TestSpark {
  private TestSpark() {}

  static final Path ROOT = Path.of(System.getProperty("rnnport.basedir", "..")).toAbsolutePath().normalize();
  static final Path MNIST_RNN = ROOT.resolve("savedmodels/mnist-rnn/1");
  static final Path REUTERS_LSTM = ROOT.resolve("savedmodels/reuters-lstm/1");
  static final StructType PIXELS = new StructType().add("id", DataTypes.LongType, false)
      .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, true), true);
  private static SparkSession spark;
  private static float[] pixels;

  static synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSession.builder().master("local[2]").appName("rnnport-spark tests")
          .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }
    return spark;
  }

  static JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(spark().sparkContext());
  }

  /** A data folder holding {@code sub/name}: {@code data/} or the mirror; else a message saying how to get it. */
  static Path dataDir(String sub, String name) {
    Path local = ROOT.resolve("data");
    if (Files.isRegularFile(local.resolve(sub).resolve(name))) {
      return local;
    }
    String mirror = System.getenv("RNNPORT_DATA_MIRROR");
    if (mirror != null && !mirror.isBlank() && Files.isRegularFile(ROOT.resolve(mirror).resolve(sub).resolve(name))) {
      return ROOT.resolve(mirror);
    }
    throw new IllegalStateException(sub + "/" + name + " is neither in " + local + " nor in $RNNPORT_DATA_MIRROR: "
        + "run the tests as `RNNPORT_DATA_MIRROR=../shared/data mvn verify` or `rnnport data fetch " + sub + "` first");
  }

  /** The 10,000 MNIST test images, row-major, scaled to [0, 1] like TF1's input_data. */
  static synchronized float[] mnistPixels() throws IOException {
    if (pixels == null) {
      Path f = dataDir("mnist", "t10k-images-idx3-ubyte.gz").resolve("mnist/t10k-images-idx3-ubyte.gz");
      try (InputStream raw = Files.newInputStream(f);
           DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
        if (in.readInt() != 0x803) {
          throw new IOException(f + ": not an IDX image file");
        }
        int n = in.readInt();
        int size = in.readInt() * in.readInt();
        byte[] b = in.readNBytes(n * size);
        float[] p = new float[b.length];
        for (int i = 0; i < b.length; i++) {
          p[i] = (b[i] & 0xff) / 255f;
        }
        pixels = p;
      }
    }
    return pixels;
  }

  /** Image {@code i} as 784 floats. */
  static float[] image(int i) throws IOException {
    float[] p = mnistPixels();
    float[] x = new float[784];
    System.arraycopy(p, i * 784, x, 0, 784);
    return x;
  }

  /** Images {@code from .. from+n} as {@code [n][28][28]}, as SavedModelPredictor takes them. */
  static float[][][] images(int from, int n) throws IOException {
    float[] p = mnistPixels();
    float[][][] x = new float[n][28][28];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < 28; r++) {
        System.arraycopy(p, (from + i) * 784 + r * 28, x[i][r], 0, 28);
      }
    }
    return x;
  }

  static Object[] boxed(float[] a) {
    Object[] o = new Object[a.length];
    for (int i = 0; i < a.length; i++) {
      o[i] = a[i];
    }
    return o;
  }

  /** Rows (id, pixels as a flat array<float>) for images {@code from .. from+n}. */
  static List<Row> pixelRows(int from, int n) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      rows.add(RowFactory.create((long) i, boxed(image(i))));
    }
    return rows;
  }

  /** Those rows in {@code partitions} contiguous slices (parallelize's split: deterministic). */
  static Dataset<Row> pixels(int from, int n, int partitions) throws IOException {
    return spark().createDataFrame(jsc().parallelize(pixelRows(from, n), partitions), PIXELS);
  }

  static float[] floats(Row r, String col) {
    List<Float> l = r.getList(r.fieldIndex(col));
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = l.get(i);
    }
    return f;
  }

  private static int[] labels;

  /** The 10,000 MNIST test labels. */
  static synchronized int[] mnistLabels() throws IOException {
    if (labels == null) {
      Path f = dataDir("mnist", "t10k-labels-idx1-ubyte.gz").resolve("mnist/t10k-labels-idx1-ubyte.gz");
      try (InputStream raw = Files.newInputStream(f); DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
        if (in.readInt() != 0x801) {
          throw new IOException(f + ": not an IDX label file");
        }
        byte[] b = in.readNBytes(in.readInt());
        int[] l = new int[b.length];
        for (int i = 0; i < b.length; i++) {
          l[i] = b[i];
        }
        labels = l;
      }
    }
    return labels;
  }
}
