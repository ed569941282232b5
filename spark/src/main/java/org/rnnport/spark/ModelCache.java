package org.rnnport.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rnnport.predictor.ModelVersions;
import org.rnnport.predictor.SavedModelPredictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link SavedModelPredictor} per model per JVM: every task of an executor (and the driver) shares it,
 * keyed by the resolved version folder and its version number. The predictors are thread-safe; they are
 * closed by a shutdown hook when the JVM exits (or by {@link #closeAll()}).
 */
public final class ModelCache {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
  /** No per-call limit here: the Spark side sizes its own batches. */
  static final int MAX_BATCH = 1 << 20;

  /** The cache key: a resolved SavedModel folder and its version number (-1 for an unnumbered folder). */
  public record Key(Path dir, long version) {}

  private static final Map<Key, SavedModelPredictor> MODELS = new ConcurrentHashMap<>();
  private static volatile boolean hooked;

  private ModelCache() {}

  /** The predictor for {@code location} in this JVM, loading it the first time. */
  public static SavedModelPredictor get(ModelLocation location) throws IOException {
    Path dir = location.resolve().toAbsolutePath().normalize();
    Key key = new Key(dir, ModelVersions.versionOf(dir));
    SavedModelPredictor p = MODELS.get(key);
    if (p != null && !p.isClosed()) {
      return p;
    }
    synchronized (MODELS) {
      p = MODELS.get(key);
      if (p == null || p.isClosed()) {
        long t0 = System.nanoTime();
        p = SavedModelPredictor.builder(dir).optResolveVersion(false).optMaxBatch(MAX_BATCH).build();
        MODELS.put(key, p);
        LOG.info("rnnport-spark: loaded {} in {} ms", dir, (System.nanoTime() - t0) / 1_000_000);
        hook();
      }
      return p;
    }
  }

  /** How many models this JVM holds (for tests and logs). */
  public static int size() {
    return MODELS.size();
  }

  /** The keys loaded in this JVM. */
  public static List<Key> keys() {
    return new ArrayList<>(MODELS.keySet());
  }

  /** Closes and forgets every model of this JVM (the shutdown hook does the same). */
  public static void closeAll() {
    synchronized (MODELS) {
      MODELS.values().forEach(SavedModelPredictor::close);
      MODELS.clear();
    }
  }

  private static void hook() {
    if (!hooked) {
      hooked = true;
      Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "rnnport-model-cache-close"));
    }
  }
}
