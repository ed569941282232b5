package org.rnnport.serve;

import java.io.IOException;
import java.nio.file.Path;
import org.rnnport.predictor.SavedModelPredictor;

/**
 * Loads one version whole, or not at all, as TF Serving's {@code SavedModelBundleSourceAdapter} and its loader: the
 * SavedModel (its graph, with the variables restored from a checkpoint that must be there when the graph holds
 * variables, and its init op run), then the warm-up requests of {@code assets.extra}. A failure at any step closes
 * what was built and throws with the reason; a version is served only when every step succeeded. With per-model
 * batching, a version's own {@code batching_params.pbtxt} is read here too (one that does not parse fails the load).
 */
final class VersionLoader {
  private final int maxBatch;
  private volatile org.tensorflow.proto.ConfigProto sessionConfig;
  private volatile String[] tags = {"serve"};
  private volatile boolean warmup = true;
  private volatile int warmupIterations = 1;
  private volatile boolean methodNameCheck;
  private volatile boolean perModelBatching;
  static final String BATCHING_PARAMS = "batching_params.pbtxt";

  VersionLoader(int maxBatch) {
    this.maxBatch = maxBatch;
  }

  void loadWith(org.tensorflow.proto.ConfigProto sessionConfig, String... tags) {
    if (tags.length == 0) {
      throw new IllegalArgumentException("no SavedModel tag");
    }
    this.sessionConfig = sessionConfig;
    this.tags = tags.clone();
  }

  void warmup(boolean enabled, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("--num_request_iterations_for_warmup must be at least 1");
    }
    this.warmup = enabled;
    this.warmupIterations = iterations;
  }

  void methodNameCheck(boolean on) {
    this.methodNameCheck = on;
  }

  boolean methodNameCheck() {
    return methodNameCheck;
  }

  void perModelBatching(boolean on) {
    this.perModelBatching = on;
  }

  boolean perModelBatching() {
    return perModelBatching;
  }

  /** Loads {@code name} version {@code version} from {@code dir}: whole, or an exception saying why not. */
  ModelRepository.Loaded load(String name, long version, Path dir) throws IOException {
    BatchingOptions own = null;
    Path params = dir.resolve(BATCHING_PARAMS);
    if (perModelBatching && java.nio.file.Files.isRegularFile(params)) {
      try {
        own = TfServingConfig.batching(java.nio.file.Files.readString(params));
      } catch (IllegalArgumentException e) {
        throw new IOException(params + ": " + e.getMessage(), e);
      }
    }
    SavedModelPredictor p = SavedModelPredictor.builder(dir).optMaxBatch(maxBatch).optResolveVersion(false)
        .optTags(tags).optConfig(sessionConfig).build();
    ModelRepository.Loaded l = new ModelRepository.Loaded(name, version, p, own);
    boolean ok = false;
    try {
      if (warmup) {
        Warmup.run(l, dir, warmupIterations, methodNameCheck);
      }
      ok = true;
      return l;
    } finally {
      if (!ok) {
        p.close();
      }
    }
  }
}
