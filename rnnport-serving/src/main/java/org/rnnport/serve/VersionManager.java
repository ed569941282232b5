package org.rnnport.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rnnport.predictor.SavedModelPredictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager of served versions, as TF Serving's {@code AspiredVersionsManager} with its availability-preserving
 * policy: takes each poll's aspired versions from the {@link StoreSource}, loads the new ones through the
 * {@link VersionLoader}, and unloads a version no longer aspired only once an aspired one serves (so until the new
 * version loads whole, the old one stays), after its calls in flight finish. A version that failed to load is not
 * tried again until its folder's contents change ({@link StoreSource#stamp}). Keeps TF Serving's version states and
 * answers which loaded version a request gets.
 */
final class VersionManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VersionManager.class);

  private final VersionLoader loader;
  private final Map<String, Servable> models = new ConcurrentHashMap<>();
  private final List<Consumer<SavedModelPredictor>> unloadListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService unloader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "rnnport-unload");
    t.setDaemon(true);
    return t;
  });

  /** One model's versions: those loaded, every version's state, the stamps of failed loads, its labels. */
  static final class Servable {
    final NavigableMap<Long, ModelRepository.Loaded> loaded = new ConcurrentSkipListMap<>();
    final Map<Long, ModelRepository.VersionStatus> status = new ConcurrentSkipListMap<>();
    final Map<Long, Long> failedAt = new ConcurrentHashMap<>();
    volatile Map<String, Long> labels = Map.of();
  }

  VersionManager(VersionLoader loader) {
    this.loader = loader;
  }

  void onUnload(Consumer<SavedModelPredictor> listener) {
    unloadListeners.add(listener);
  }

  Servable servable(String name) {
    return models.get(name);
  }

  Map<String, Servable> servables() {
    return models;
  }

  /** Applies one poll of a model: loads the aspired versions not serving, then unloads what is no longer aspired. */
  void apply(StoreSource.Aspired a) {
    ModelRepository.ModelConfig c = a.config();
    Servable sv = models.computeIfAbsent(c.name(), k -> new Servable());
    for (Long v : a.aspired()) {
      if (sv.loaded.containsKey(v)) {
        continue;
      }
      Path dir = a.onDisk().get(v);
      long stamp = StoreSource.stamp(dir);
      Long failed = sv.failedAt.get(v);
      if (failed != null && failed == stamp) {
        continue; // failed before, and nothing changed in its folder since
      }
      sv.status.put(v, new ModelRepository.VersionStatus(v, ModelRepository.State.LOADING, ""));
      try {
        ModelRepository.Loaded l = loader.load(c.name(), v, dir);
        sv.loaded.put(v, l);
        sv.status.put(v, new ModelRepository.VersionStatus(v, ModelRepository.State.AVAILABLE, ""));
        sv.failedAt.remove(v);
        LOG.info("serving {} version {}", c.name(), v);
      } catch (Exception | LinkageError | OutOfMemoryError ex) {
        sv.failedAt.put(v, stamp);
        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        sv.status.put(v, new ModelRepository.VersionStatus(v, ModelRepository.State.END, "failed to load: " + msg));
        LOG.error("{} version {} failed to load and is not served{}: {}", c.name(), v,
            sv.loaded.isEmpty() ? "" : " (versions " + sv.loaded.keySet() + " still serve)", msg);
      }
    }
    // availability first: a version no longer aspired goes only once an aspired one serves (or it left the disk)
    boolean replacementServes = a.aspired().stream().anyMatch(sv.loaded::containsKey);
    for (Long v : new ArrayList<>(sv.loaded.keySet())) {
      if (!a.aspired().contains(v) && (replacementServes || a.aspired().isEmpty() && !a.onDisk().containsKey(v))) {
        unload(c.name(), sv, v);
      }
    }
    sv.labels = c.labels();
  }

  /** Unloads every version of a model (no longer configured). */
  void unloadAll(String name) {
    Servable sv = models.get(name);
    if (sv != null) {
      for (Long v : new ArrayList<>(sv.loaded.keySet())) {
        unload(name, sv, v);
      }
      sv.labels = Map.of();
    }
  }

  private void unload(String name, Servable sv, long v) {
    ModelRepository.Loaded old = sv.loaded.remove(v);
    if (old == null) {
      return;
    }
    sv.status.put(v, new ModelRepository.VersionStatus(v, ModelRepository.State.UNLOADING, ""));
    LOG.info("unloading {} version {}", name, v);
    unloader.submit(() -> {
      unloadListeners.forEach(l -> l.accept(old.predictor()));
      old.predictor().close(); // waits for its calls in flight
      sv.status.put(v, new ModelRepository.VersionStatus(v, ModelRepository.State.END, ""));
    });
  }

  /** Names of the models with a version serving. */
  List<String> names() {
    return models.entrySet().stream().filter(e -> !e.getValue().loaded.isEmpty()).map(Map.Entry::getKey).sorted()
        .toList();
  }

  /** The labels of a model, sorted (for errors). */
  static Set<String> labelNames(Servable sv) {
    return new TreeMap<>(sv.labels).keySet();
  }

  @Override
  public void close() {
    unloader.shutdown();
    try {
      unloader.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Servable s : models.values()) {
      for (ModelRepository.Loaded l : s.loaded.values()) {
        unloadListeners.forEach(c -> c.accept(l.predictor()));
        l.predictor().close();
      }
    }
  }
}
