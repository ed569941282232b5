package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A SavedModel signature loaded for predict: its inputs as {@link InputBinding}s, its outputs, and
 * a thread-safe call (one loaded bundle serves every worker thread).
 */
public final class PredictModel implements AutoCloseable {
  /** A signature output: key, TensorFlow dtype name, shape (null: unknown rank). */
  public record Output(String key, String dtype, long[] shape) {}

  private final Path dir;
  private final SavedModelBundle bundle;
  private final SessionFunction fn;
  private final String signature;
  private final List<InputBinding> inputs = new ArrayList<>();
  private final List<Output> outputs = new ArrayList<>();

  private PredictModel(Path dir, SavedModelBundle bundle, String signature) {
    this.dir = dir;
    this.bundle = bundle;
    SignatureDef sig = bundle.metaGraphDef().getSignatureDefMap().get(signature);
    if (sig == null) {
      List<String> keys = bundle.metaGraphDef().getSignatureDefMap().keySet().stream()
          .filter(k -> !k.startsWith("__")).sorted().toList();
      throw new IllegalArgumentException(dir + ": no signature '" + signature + "'; the model has " + keys);
    }
    this.signature = signature;
    for (Map.Entry<String, TensorInfo> e : new TreeMap<>(sig.getInputsMap()).entrySet()) {
      String dt = e.getValue().getDtype().name();
      DType d = DType.ofTf(dt);
      if (d == null || d == DType.UINT8) {
        throw new IllegalArgumentException(dir + ": input '" + e.getKey() + "' has dtype " + dt
            + "; predict feeds DT_FLOAT, DT_DOUBLE, DT_INT32 and DT_INT64 inputs");
      }
      inputs.add(new InputBinding(e.getKey(), d, shape(e.getValue().getTensorShape())));
    }
    for (Map.Entry<String, TensorInfo> e : new TreeMap<>(sig.getOutputsMap()).entrySet()) {
      outputs.add(new Output(e.getKey(), e.getValue().getDtype().name(), shape(e.getValue().getTensorShape())));
    }
    this.fn = bundle.function(signature);
  }

  static long[] shape(TensorShapeProto s) {
    return s.getUnknownRank() ? null : s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }

  /** Loads a SavedModel version folder (see {@link ModelPaths#resolve}). */
  public static PredictModel load(Path dir, String tag, String signature) throws IOException {
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new IOException(dir + ": not a SavedModel (no saved_model.pb)");
    }
    SavedModelBundle b;
    try {
      b = SavedModelBundle.load(dir.toString(), tag);
    } catch (RuntimeException e) {
      throw new IOException(dir + ": cannot load the SavedModel: " + e.getMessage(), e);
    }
    try {
      return new PredictModel(dir, b, signature);
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  public String signature() {
    return signature;
  }

  public List<InputBinding> inputs() {
    return inputs;
  }

  public List<Output> outputs() {
    return outputs;
  }

  /** Runs the signature; the caller closes the result. */
  public Result run(Map<String, Tensor> feeds) {
    return fn.call(feeds);
  }

  @Override
  public void close() {
    bundle.close();
  }
}
