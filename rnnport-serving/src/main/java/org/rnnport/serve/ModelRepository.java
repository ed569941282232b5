package org.rnnport.serve;

import org.rnnport.predictor.SavedModelPredictor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of a folder in TF Serving layout ({@code <root>/<name>/<version>/saved_model.pb}),
 * each serving its latest version that loads. A watcher rescans the folder: a new version is
 * loaded beside the one serving, swapped in atomically when it loads, and the old one is closed once
 * its in-flight calls finish; a version that fails to load is reported in the status and never
 * replaces the one serving.
 */
public final class ModelRepository implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);

  /** TF Serving's version states. */
  public enum State { LOADING, AVAILABLE, UNLOADING, END }

  /** A version's state and, after a failed load, the error. */
  public record VersionStatus(long version, State state, String error) {}

  /** The version a model serves. */
  public record Loaded(String name, long version, SavedModelPredictor predictor) {}

  private final Path root;
  private final int maxBatch;
  private final Map<String, Servable> models = new ConcurrentHashMap<>();
  private final ExecutorService unloader = Executors.newSingleThreadExecutor(r -> daemon(r, "rnnport-unload"));
  private ScheduledExecutorService watcher;

  private static final class Servable {
    volatile Loaded current;
    final Map<Long, VersionStatus> status = new ConcurrentSkipListMap<>();
    final Map<Long, Long> failedAt = new ConcurrentHashMap<>();
  }

  public ModelRepository(Path root, int maxBatch) {
    this.root = root;
    this.maxBatch = maxBatch;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Scans the folder once (at start; then the watcher does it). */
  public synchronized void scan() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + ": no such models folder");
    }
    try (Stream<Path> names = Files.list(root)) {
      for (Path modelDir : names.filter(Files::isDirectory).sorted().toList()) {
        String name = modelDir.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        scanModel(name, modelDir);
      }
    }
  }

  private void scanModel(String name, Path dir) throws IOException {
    TreeMap<Long, Path> versions = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isDirectory).forEach(p -> {
        String v = p.getFileName().toString();
        if (v.matches("\\d{1,18}") && Files.isRegularFile(p.resolve("saved_model.pb"))) {
          versions.put(Long.parseLong(v), p);
        }
      });
    }
    if (versions.isEmpty()) {
      return;
    }
    Servable sv = models.computeIfAbsent(name, k -> new Servable());
    long serving = sv.current == null ? -1 : sv.current.version();
    // the newest version above the one serving that has not failed (unless its files changed since)
    for (Map.Entry<Long, Path> e : versions.descendingMap().entrySet()) {
      long v = e.getKey();
      if (v <= serving) {
        break;
      }
      long stamp = Files.getLastModifiedTime(e.getValue().resolve("saved_model.pb")).toMillis();
      Long failed = sv.failedAt.get(v);
      if (failed != null && failed == stamp) {
        continue;
      }
      sv.status.put(v, new VersionStatus(v, State.LOADING, ""));
      try {
        SavedModelPredictor p = SavedModelPredictor.builder(e.getValue()).optMaxBatch(maxBatch).optResolveVersion(false).build();
        p.signature(null); // must have serving_default
        Loaded old = sv.current;
        sv.current = new Loaded(name, v, p);
        sv.status.put(v, new VersionStatus(v, State.AVAILABLE, ""));
        sv.failedAt.remove(v);
        LOG.info("serving {} version {}{}", name, v, old == null ? "" : " (replacing " + old.version() + ")");
        if (old != null) {
          sv.status.put(old.version(), new VersionStatus(old.version(), State.UNLOADING, ""));
          unloader.submit(() -> {
            old.predictor().close(); // waits for its calls in flight
            sv.status.put(old.version(), new VersionStatus(old.version(), State.END, ""));
          });
        }
        return;
      } catch (IOException | RuntimeException ex) {
        sv.failedAt.put(v, stamp);
        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        sv.status.put(v, new VersionStatus(v, State.END, "failed to load: " + msg));
        LOG.error("{} version {} failed to load and is not served: {}", name, v, msg);
      }
    }
  }

  /** Rescans every {@code millis} ms in the background. */
  public void watch(long millis) {
    watcher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rnnport-watch"));
    watcher.scheduleWithFixedDelay(() -> {
      try {
        scan();
      } catch (IOException | RuntimeException e) {
        LOG.warn("rescanning {} failed: {}", root, e.getMessage());
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** The version to serve: the current one, or exactly {@code version} if that is the one loaded. */
  public Loaded get(String name, Long version) {
    Servable sv = models.get(name);
    if (sv == null || sv.current == null) {
      throw new BadRequestException(404, "model '" + name + "' is not served here; served: " + names());
    }
    Loaded l = sv.current;
    if (version != null && l.version() != version) {
      throw new BadRequestException(404, "model '" + name + "' version " + version + " is not available; serving version "
          + l.version());
    }
    return l;
  }

  /** The status of every version seen of a model (or just one). */
  public List<VersionStatus> status(String name, Long version) {
    Servable sv = models.get(name);
    if (sv == null) {
      throw new BadRequestException(404, "model '" + name + "' is not known here; served: " + names());
    }
    List<VersionStatus> out = new ArrayList<>();
    for (VersionStatus s : sv.status.values()) {
      if (version == null || s.version() == version) {
        out.add(s);
      }
    }
    if (out.isEmpty()) {
      throw new BadRequestException(404, "model '" + name + "' has no version " + version);
    }
    return out;
  }

  /** Names of the models with a version serving. */
  public List<String> names() {
    return models.entrySet().stream().filter(e -> e.getValue().current != null).map(Map.Entry::getKey).sorted().toList();
  }

  /** True when at least one model serves and every model seen has a version serving. */
  public boolean ready() {
    return !models.isEmpty() && models.values().stream().allMatch(s -> s.current != null);
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
    unloader.shutdown();
    try {
      unloader.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Servable s : models.values()) {
      if (s.current != null) {
        s.current.predictor().close();
      }
    }
  }
}
