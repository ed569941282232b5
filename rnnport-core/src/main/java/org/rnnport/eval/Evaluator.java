package org.rnnport.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnport.data.ImageSet;
import org.rnnport.data.Mnist;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceBatches;
import org.rnnport.data.SequenceSet;
import org.rnnport.export.ModelInfo;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.models.InputKind;
import org.rnnport.models.ModelRegistry;
import org.rnnport.predictor.ModelVersions;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * Evaluation of a SavedModel on its dataset's test split: which split and input pipeline comes
 * from the model's {@code assets.extra/rnnport.json}, or from the registry by the folder name.
 * The evaluation itself runs through {@code rnnport predict}'s pipeline
 * ({@code org.rnnport.predict.DatasetEval} in rnnport-predict); this class keeps the report type,
 * the dataset choice and {@code --show}'s examples.
 */
public final class Evaluator {
  private Evaluator() {}

  /** The outcome of one evaluation. */
  public record Result(Path model, String modelName, int examples, int batchSize, ClassificationReport report,
      double seconds, double inferenceSeconds) {
    /** End to end: examples over the seconds from the first batch read to the last result consumed. */
    public double samplesPerSecond() {
      return examples / seconds;
    }

    /** The JSON report. */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model.toString());
      m.put("modelName", modelName);
      m.put("examples", examples);
      m.put("batchSize", batchSize);
      m.put("accuracy", report.accuracy());
      m.put("perClass", report.perClass());
      m.put("confusion", report.confusion());
      m.put("seconds", seconds);
      m.put("inferenceSeconds", inferenceSeconds);
      m.put("samplesPerSecond", samplesPerSecond());
      return m;
    }
  }

  /** Which registry model and input pipeline a SavedModel folder holds. */
  public static InputKind inputKind(Path versionDir, ModelInfo info) {
    if (info != null && info.input() != null) {
      return InputKind.valueOf(info.input());
    }
    // a model without rnnport.json (e.g. exported by Python): savedmodels/<name>/<version>
    Path nameDir = versionDir.toAbsolutePath().getParent();
    String name = nameDir == null ? "" : nameDir.getFileName().toString();
    return ModelRegistry.get(name).input();
  }

  /** A test split as the model's input pipeline feeds it. */
  interface TestInputs {
    int size();

    int numClasses();

    int label(int i);

    org.tensorflow.Tensor batch(int from, int n);
  }

  static TestInputs inputs(InputKind kind, Path dataDir) throws IOException {
    switch (kind) {
      case MNIST_ROWS, MNIST_FLAT -> {
        ImageSet test = Mnist.loadTest(dataDir);
        FloatDataBuffer pixels = DataBuffers.of(test.pixels(), true, false);
        return new TestInputs() {
          public int size() {
            return test.size();
          }

          public int numClasses() {
            return test.numClasses();
          }

          public int label(int i) {
            return test.labels()[i];
          }

          public org.tensorflow.Tensor batch(int from, int n) {
            Shape shape = kind == InputKind.MNIST_FLAT ? Shape.of(n, test.imageSize()) : Shape.of(n, test.rows(), test.cols());
            return TFloat32.tensorOf(shape, pixels.slice((long) from * test.imageSize(), (long) n * test.imageSize()));
          }
        };
      }
      case REUTERS_SEQUENCES -> {
        SequenceSet test = Reuters.notebook(dataDir).test();
        return new TestInputs() {
          public int size() {
            return test.size();
          }

          public int numClasses() {
            return test.numClasses();
          }

          public int label(int i) {
            return test.labels()[i];
          }

          public org.tensorflow.Tensor batch(int from, int n) {
            return SequenceBatches.range(test, from, n);
          }
        };
      }
      default -> throw new IllegalStateException("no evaluation pipeline for input " + kind);
    }
  }

  /** One test example with the model's prediction and, for Reuters, the newswire's text. */
  public record Prediction(int index, int label, int predicted, float probability, String text) {}

  /** The model's predictions on the first {@code n} test examples, with their text where there is one. */
  public static java.util.List<Prediction> predictions(Path modelPath, Path dataDir, int n) throws IOException {
    Path dir = ModelVersions.resolve(modelPath);
    InputKind kind = inputKind(dir, ModelInfo.read(dir));
    TestInputs test = inputs(kind, dataDir);
    n = Math.min(n, test.size());
    Reuters.WordIndex words = kind == InputKind.REUTERS_SEQUENCES ? Reuters.WordIndex.load(dataDir) : null;
    SequenceSet seqs = kind == InputKind.REUTERS_SEQUENCES ? Reuters.notebook(dataDir).test() : null;
    java.util.List<Prediction> out = new java.util.ArrayList<>();
    if (n <= 0) {
      return out;
    }
    try (SavedModelPredictor predictor = SavedModelPredictor.builder(dir).optMaxBatch(Math.max(n, 1))
        .optResolveVersion(false).build()) {
      SignatureSpec sig = predictor.signature(SavedModelExporter.SIGNATURE);
      try (NamedTensors x = new NamedTensors().put(sig.singleInput().key(), test.batch(0, n));
           NamedTensors r = predictor.run(sig.key(), x)) {
        TFloat32 p = (TFloat32) r.get("probabilities");
        int[] best = org.rnnport.predictor.SavedModelPredictor.argMax(p);
        for (int i = 0; i < n; i++) {
          String text = null;
          if (words != null) {
            int[] ids = java.util.Arrays.copyOfRange(seqs.tokens(), i * seqs.length(), (i + 1) * seqs.length());
            text = words.decode(ids);
          }
          out.add(new Prediction(i, test.label(i), best[i], p.getFloat(i, best[i]), text));
        }
      }
    }
    return out;
  }
}
