package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.predictor.TensorSpec;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * A signature of a {@link SavedModelPredictor} as predict feeds it: its inputs as
 * {@link InputBinding}s and its outputs. Calls are thread-safe (one loaded bundle serves every
 * worker thread).
 */
public final class PredictModel implements AutoCloseable {
  /** A signature output: key, TensorFlow dtype name, shape (null: unknown rank). */
  public record Output(String key, String dtype, long[] shape) {}

  private final SavedModelPredictor predictor;
  private final SignatureSpec sig;
  private final List<InputBinding> inputs = new ArrayList<>();
  private final List<Output> outputs = new ArrayList<>();

  private PredictModel(SavedModelPredictor predictor, String signature) {
    this.predictor = predictor;
    if (!predictor.signatures().containsKey(signature)) {
      throw new IllegalArgumentException(predictor.dir() + ": no signature '" + signature + "'; the model has "
          + predictor.signatures().keySet());
    }
    this.sig = predictor.signature(signature);
    for (TensorSpec t : sig.inputs().values()) {
      DType d = DType.ofTf(t.dtypeName());
      if (d == null || d == DType.UINT8) {
        throw new IllegalArgumentException(predictor.dir() + ": input '" + t.key() + "' has dtype " + t.dtypeName()
            + "; predict feeds DT_FLOAT, DT_DOUBLE, DT_INT32 and DT_INT64 inputs");
      }
      inputs.add(new InputBinding(t.key(), d, t.shape()));
    }
    for (TensorSpec t : sig.outputs().values()) {
      outputs.add(new Output(t.key(), t.dtypeName(), t.shape()));
    }
  }

  /**
   * Loads a SavedModel: a version folder, or a base folder's highest version (zero-padded version
   * folders included, see {@link org.rnnport.predictor.ModelVersions}).
   *
   * @param maxBatch the most rows one call carries (predict's batch size)
   */
  public static PredictModel load(Path dir, String tag, String signature, int maxBatch) throws IOException {
    SavedModelPredictor p = SavedModelPredictor.builder(dir).optTags(tag).optMaxBatch(Math.max(1, maxBatch)).build();
    try {
      return new PredictModel(p, signature);
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** The version folder loaded. */
  public Path dir() {
    return predictor.dir();
  }

  public String signature() {
    return sig.key();
  }

  public List<InputBinding> inputs() {
    return inputs;
  }

  public List<Output> outputs() {
    return outputs;
  }

  /** Runs the signature (keys, dtypes and shapes checked by the predictor); the caller closes the result. */
  public Result run(Map<String, Tensor> feeds) {
    return predictor.run(sig, feeds);
  }

  @Override
  public void close() {
    predictor.close();
  }
}
