package org.rnnport.spark.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The benchmark's two helpers (bench/spark-bench.sh runs them): its input data and the single-JVM baseline. */
public final class BenchCommands {
  private BenchCommands() {}

  /** MNIST's t10k images as {@code [n * 784]} floats scaled to [0, 1], and labels. */
  static float[] pixels(Path mnistDir) throws IOException {
    Path f = mnistDir.resolve("t10k-images-idx3-ubyte.gz");
    try (InputStream raw = Files.newInputStream(f); DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
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
      return p;
    }
  }

  /** This JVM's peak resident set (VmHWM), in kB; -1 off Linux. */
  public static long peakRssKb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return -1;
  }

  @Command(name = "bench-data", hidden = true, description = "Write MNIST's test set, repeated, as Parquet "
      + "(id bigint, label int, pixels array<float>)")
  public static final class Data implements Callable<Integer> {
    @Option(names = "--mnist", required = true, description = "folder holding t10k-images-idx3-ubyte.gz")
    Path mnist;
    @Option(names = "--repeat", defaultValue = "100")
    int repeat;
    @Option(names = "--files", defaultValue = "8")
    int files;
    @Option(names = "--output", required = true)
    String output;

    @Override
    public Integer call() throws IOException {
      SparkSession spark = SparkSession.builder().master("local[2]").appName("rnnport-spark bench-data").getOrCreate();
      try {
        float[] p = pixels(mnist);
        int n = p.length / 784;
        byte[] labels;
        try (InputStream raw = Files.newInputStream(mnist.resolve("t10k-labels-idx1-ubyte.gz"));
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
          in.readInt();
          labels = in.readNBytes(in.readInt());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<float[]> bp = jsc.broadcast(p);
        Broadcast<byte[]> bl = jsc.broadcast(labels);
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("label", DataTypes.IntegerType)
            .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false));
        long total = (long) n * repeat;
        spark.range(0, total, 1, files).toDF().mapPartitions(rows(bp, bl, n), Encoders.row(schema)).write().mode(SaveMode.Overwrite).parquet(output);
        System.out.printf("wrote %d rows (MNIST t10k x %d) to %s%n", total, repeat, output);
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  private static MapPartitionsFunction<Row, Row> rows(Broadcast<float[]> bp, Broadcast<byte[]> bl, int n) {
    return ids -> {
      float[] px = bp.value();
      byte[] lb = bl.value();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return ids.hasNext();
        }

        @Override
        public Row next() {
          long id = ids.next().getLong(0);
          int i = (int) (id % n);
          Float[] img = new Float[784];
          for (int j = 0; j < 784; j++) {
            img[j] = px[i * 784 + j];
          }
          return RowFactory.create(id, (int) lb[i], img);
        }
      };
    };
  }

  @Command(name = "bench-single", hidden = true, description = "The single-JVM baseline: SavedModelPredictor over "
      + "MNIST's test set repeated, in batches, all outputs read back")
  public static final class Single implements Callable<Integer> {
    @Option(names = "--model", required = true)
    Path model;
    @Option(names = "--mnist", required = true)
    Path mnist;
    @Option(names = "--repeat", defaultValue = "100")
    int repeat;
    @Option(names = "--batch-size", defaultValue = "1000")
    int batch;

    @Override
    public Integer call() throws IOException {
      float[] p = pixels(mnist);
      int n = p.length / 784;
      try (SavedModelPredictor pred = SavedModelPredictor.builder(model).optMaxBatch(batch).build()) {
        SignatureSpec sig = pred.signature(null);
        String key = sig.singleInput().key();
        long checksum = 0;
        long rows = 0;
        long t0 = System.nanoTime();
        for (int r = 0; r < repeat; r++) {
          for (int from = 0; from < n; from += batch) {
            int m = Math.min(batch, n - from);
            float[] x = new float[m * 784]; // as Spark does: a fresh buffer per batch, copied in
            System.arraycopy(p, from * 784, x, 0, m * 784);
            try (NamedTensors in = new NamedTensors()) {
              in.put(key, TFloat32.tensorOf(Shape.of(m, 28, 28), DataBuffers.of(x, true, false)));
              try (Result res = pred.run(sig, in.asMap())) {
                for (String k : sig.outputs().keySet()) {
                  Tensor t = res.get(k).orElseThrow();
                  if (t instanceof TFloat32 f) {
                    float[] all = new float[(int) t.shape().size()];
                    f.copyTo(DataBuffers.of(all, false, false));
                  } else if (t instanceof TInt64 l) {
                    long[] all = new long[(int) t.shape().size()];
                    l.copyTo(DataBuffers.of(all, false, false));
                    checksum += all[0];
                  }
                }
              }
            }
            rows += m;
          }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("single-jvm: %d rows in %.1f s = %.0f rows/s (batch %d, checksum %d), peak RSS %d MB%n",
            rows, s, rows / s, batch, checksum, peakRssKb() / 1024);
        return 0;
      }
    }
  }

}
