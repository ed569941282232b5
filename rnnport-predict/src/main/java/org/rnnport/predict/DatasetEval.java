package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rnnport.data.ImageSet;
import org.rnnport.data.Mnist;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceSet;
import org.rnnport.eval.Evaluator;
import org.rnnport.export.ModelInfo;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.models.InputKind;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;

/**
 * {@code rnnport eval}: predict on a bundled dataset. The model's test split (MNIST images or
 * padded Reuters sequences, as its {@code rnnport.json} or folder name says) is fed through the
 * same {@link Pipeline} as {@code rnnport predict} (reader thread, inference workers, ordered
 * consumer), with the labels in the batches and no output file.
 */
public final class DatasetEval {
  private DatasetEval() {}

  /** Evaluates the SavedModel at {@code modelPath} (a version folder or a base folder of versions). */
  public static Evaluator.Result evaluate(Path modelPath, Path dataDir, int batchSize, int limit, int workers)
      throws IOException {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("--batch-size must be positive");
    }
    try (PredictModel model = PredictModel.load(modelPath, SavedModelExporter.TAG, SavedModelExporter.SIGNATURE,
        batchSize)) {
      Path dir = model.dir();
      ModelInfo info = ModelInfo.read(dir);
      InputKind kind = Evaluator.inputKind(dir, info);
      String name = info != null ? info.model() : dir.toAbsolutePath().getParent().getFileName().toString();
      if (model.inputs().size() != 1) {
        throw new IllegalArgumentException(dir + ": eval feeds single-input signatures; this one takes "
            + model.inputs().stream().map(InputBinding::key).toList() + " (use rnnport predict)");
      }
      Split split = split(kind, dataDir, limit);
      InputBinding in = model.inputs().get(0);
      long[] rowShape = in.resolveRowShape(split.rowShape(), split.file(), null);
      Pipeline.Source source = new Pipeline.Source() {
        public String name() {
          return split.file().toString();
        }

        public RowReader open() {
          return split.reader(in.key(), rowShape);
        }

        public long knownRecords() {
          return split.rows();
        }
      };
      int w = workers > 0 ? workers : PredictJob.defaultWorkers();
      Pipeline p = new Pipeline(model, new Pipeline.Settings(batchSize, w, 1, List.of(), "eval " + name), true);
      Pipeline.Outcome o = p.run(List.of(source), null, null, null, split.classes());
      return new Evaluator.Result(dir, name, (int) o.rows(), batchSize, o.report(), o.seconds(), o.inferenceSeconds());
    }
  }

  /** A test split in memory: row-major values, row shape, labels. */
  private record Split(Path file, DType dtype, byte[] values, long[] rowShape, int[] labels, int rows, int classes) {
    /** Rows of {@code shape} (the signature's layout of this split's flat rows). */
    RowReader reader(String key, long[] shape) {
      int rs = (int) Column.size(rowShape);
      return new RowReader() {
        int next;

        public Chunk read(int max) {
          int n = Math.min(max, rows - next);
          if (n <= 0) {
            return null;
          }
          int w = rs * dtype.bytes();
          byte[] d = java.util.Arrays.copyOfRange(values, next * w, (next + n) * w);
          int[] l = java.util.Arrays.copyOfRange(labels, next, next + n);
          Chunk c = new Chunk(file, next, n, null, Map.of(key, new Column(dtype, shape, n, d)), l, List.of());
          next += n;
          return c;
        }

        public long knownRecords() {
          return rows;
        }

        public void close() {}
      };
    }
  }

  /** Values as the little-endian bytes a column holds. */
  private static byte[] le(float[] v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  private static byte[] le(int[] v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(v);
    return b.array();
  }

  private static Split split(InputKind kind, Path dataDir, int limit) throws IOException {
    switch (kind) {
      case MNIST_ROWS, MNIST_FLAT -> {
        // the rows are flat 784 pixels; the signature's shape ([-1, 28, 28] or [-1, 784]) reshapes them
        ImageSet t = Mnist.loadTest(dataDir);
        int n = limit > 0 ? Math.min(limit, t.size()) : t.size();
        return new Split(dataDir.resolve("mnist"), DType.FLOAT32, le(t.pixels()), new long[] {t.imageSize()}, t.labels(),
            n, t.numClasses());
      }
      case REUTERS_SEQUENCES -> {
        SequenceSet t = Reuters.notebook(dataDir).test();
        int n = limit > 0 ? Math.min(limit, t.size()) : t.size();
        return new Split(dataDir.resolve(Reuters.NPZ), DType.INT32, le(t.tokens()), new long[] {t.length()}, t.labels(), n,
            t.numClasses());
      }
      default -> throw new IllegalStateException("no evaluation pipeline for input " + kind);
    }
  }
}
