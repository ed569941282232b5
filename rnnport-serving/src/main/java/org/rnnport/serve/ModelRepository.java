package org.rnnport.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.rnnport.predictor.ModelVersions;
import org.rnnport.predictor.SavedModelPredictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models served, in TF Serving layout ({@code <base_path>/<version>/saved_model.pb}): either every
 * model folder under a root (each serving its latest version), or the models of a model config
 * (TF Serving's {@code model_config_list}: a base path, a version policy and version labels each),
 * which can be replaced while serving. A rescan loads the versions a policy wants beside those
 * serving, then unloads the ones it no longer wants once their in-flight calls finish; a version
 * that fails to load is reported in the status and never replaces one serving. Errors are
 * {@link ServingException}s (no HTTP or gRPC codes here).
 */
public final class ModelRepository implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);

  /** TF Serving's version states. */
  public enum State { START, LOADING, AVAILABLE, UNLOADING, END }

  /** A version's state and, after a failed load, the error. */
  public record VersionStatus(long version, State state, String error) {}

  /** A loaded version of a model. */
  public record Loaded(String name, long version, SavedModelPredictor predictor) {}

  /** TF Serving's model_version_policy. */
  public sealed interface VersionPolicy {
    /** The versions of {@code available} (on disk) to serve. */
    Set<Long> select(NavigableMap<Long, Path> available);
  }

  /** {@code latest { num_versions: n }} (TF Serving's default, n = 1). */
  public record Latest(int numVersions) implements VersionPolicy {
    @Override
    public Set<Long> select(NavigableMap<Long, Path> available) {
      Set<Long> out = new TreeSet<>();
      for (Long v : available.descendingKeySet()) {
        if (out.size() >= numVersions) {
          break;
        }
        out.add(v);
      }
      return out;
    }
  }

  /** {@code all {}}. */
  public record All() implements VersionPolicy {
    @Override
    public Set<Long> select(NavigableMap<Long, Path> available) {
      return new TreeSet<>(available.keySet());
    }
  }

  /** {@code specific { versions: ... }}. */
  public record Specific(Set<Long> versions) implements VersionPolicy {
    @Override
    public Set<Long> select(NavigableMap<Long, Path> available) {
      Set<Long> out = new TreeSet<>(versions);
      out.retainAll(available.keySet());
      return out;
    }
  }

  /** One model of a model config: name, base path, version policy, version labels. */
  public record ModelConfig(String name, Path basePath, VersionPolicy policy, Map<String, Long> labels) {
    public ModelConfig {
      labels = Map.copyOf(labels);
    }
  }

  private final Path root;
  private final int maxBatch;
  private volatile org.tensorflow.proto.ConfigProto sessionConfig;
  private volatile String[] tags = {"serve"};
  private volatile boolean warmup = true;
  private volatile int warmupIterations = 1;
  private volatile Map<String, ModelConfig> configs;
  private final Map<String, Servable> models = new ConcurrentHashMap<>();
  private final List<Consumer<SavedModelPredictor>> unloadListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService unloader = Executors.newSingleThreadExecutor(r -> daemon(r, "rnnport-unload"));
  private ScheduledExecutorService watcher;
  private ScheduledExecutorService configWatcher;

  private static final class Servable {
    final NavigableMap<Long, Loaded> loaded = new ConcurrentSkipListMap<>();
    final Map<Long, VersionStatus> status = new ConcurrentSkipListMap<>();
    final Map<Long, Long> failedAt = new ConcurrentHashMap<>();
    volatile Map<String, Long> labels = Map.of();
  }

  /** Every model folder under {@code root}, each serving its latest version ({@code rnnport serve --models}). */
  public ModelRepository(Path root, int maxBatch) {
    this.root = root;
    this.maxBatch = maxBatch;
    this.configs = null;
  }

  /** The models of a model config ({@code --model_config_file}, or {@code --model_name/--model_base_path}). */
  public ModelRepository(List<ModelConfig> configs, int maxBatch) {
    this.root = null;
    this.maxBatch = maxBatch;
    this.configs = index(configs);
  }

  /**
   * How each version is loaded: the meta graph's tags ({@code serve} by default; TF Serving's
   * {@code --saved_model_tags}) and the session config (threads; null for TensorFlow's defaults). Set before the
   * first load.
   */
  /**
   * TF Serving's {@code --enable_model_warmup} (on by default) and
   * {@code --num_request_iterations_for_warmup} (1): whether a version's
   * {@code assets.extra/tf_serving_warmup_requests} run before it is served (see {@link Warmup}).
   */
  public ModelRepository warmup(boolean enabled, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("--num_request_iterations_for_warmup must be at least 1");
    }
    this.warmup = enabled;
    this.warmupIterations = iterations;
    return this;
  }

  public ModelRepository loadWith(org.tensorflow.proto.ConfigProto sessionConfig, String... tags) {
    if (tags.length == 0) {
      throw new IllegalArgumentException("no SavedModel tag");
    }
    this.sessionConfig = sessionConfig;
    this.tags = tags.clone();
    return this;
  }

  private static Map<String, ModelConfig> index(List<ModelConfig> configs) {
    Map<String, ModelConfig> m = new LinkedHashMap<>();
    for (ModelConfig c : configs) {
      if (m.put(c.name(), c) != null) {
        throw new IllegalArgumentException("model config names '" + c.name() + "' twice");
      }
    }
    return m;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Called with a version's predictor before it is closed (e.g. to stop its batchers). */
  public void onUnload(Consumer<SavedModelPredictor> listener) {
    unloadListeners.add(listener);
  }

  /**
   * Replaces the model config while serving (a model config file reload): new models load, removed
   * ones unload, policies and labels change. Applies it with a scan.
   */
  public void reconfigure(List<ModelConfig> newConfigs) throws IOException {
    if (root != null) {
      throw new IllegalStateException("a models folder has no config to replace");
    }
    Map<String, ModelConfig> next = index(newConfigs);
    synchronized (this) {
      this.configs = next;
      scan();
    }
  }

  /** The configs in effect (for the folder mode: one per model folder, latest version). */
  private Map<String, ModelConfig> effectiveConfigs() throws IOException {
    if (root == null) {
      return configs;
    }
    if (!Files.isDirectory(root)) {
      throw new IOException(root + ": no such models folder");
    }
    Map<String, ModelConfig> m = new LinkedHashMap<>();
    try (Stream<Path> names = Files.list(root)) {
      for (Path dir : names.filter(Files::isDirectory).sorted().toList()) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(".")) {
          m.put(name, new ModelConfig(name, dir, new Latest(1), Map.of()));
        }
      }
    }
    return m;
  }

  /** Scans once: loads and unloads versions as the policies want (at start; then the watcher does it). */
  public synchronized void scan() throws IOException {
    Map<String, ModelConfig> cfg = effectiveConfigs();
    for (ModelConfig c : cfg.values()) {
      try {
        scanModel(c);
      } catch (IOException | RuntimeException e) {
        LOG.warn("scanning model {} at {} failed: {}", c.name(), c.basePath(), e.getMessage());
      }
    }
    if (root == null) {
      // models no longer configured are unloaded (their status then says END)
      for (Map.Entry<String, Servable> e : models.entrySet()) {
        if (!cfg.containsKey(e.getKey())) {
          Servable sv = e.getValue();
          for (Long v : new ArrayList<>(sv.loaded.keySet())) {
            unload(e.getKey(), sv, v);
          }
          sv.labels = Map.of();
        }
      }
    }
  }

  private void scanModel(ModelConfig c) throws IOException {
    NavigableMap<Long, Path> onDisk = new TreeMap<>(ModelVersions.list(c.basePath()));
    Set<Long> wanted = c.policy().select(onDisk);
    if (onDisk.isEmpty() && root != null && !models.containsKey(c.name())) {
      return; // a folder without versions (yet) is no model
    }
    Servable sv = models.computeIfAbsent(c.name(), k -> new Servable());
    for (Long v : wanted) {
      if (sv.loaded.containsKey(v)) {
        continue;
      }
      Path dir = onDisk.get(v);
      long stamp = Files.getLastModifiedTime(dir.resolve("saved_model.pb")).toMillis();
      Long failed = sv.failedAt.get(v);
      if (failed != null && failed == stamp) {
        continue;
      }
      sv.status.put(v, new VersionStatus(v, State.LOADING, ""));
      try {
        SavedModelPredictor p = SavedModelPredictor.builder(dir).optMaxBatch(maxBatch).optResolveVersion(false)
            .optTags(tags).optConfig(sessionConfig).build();
        Loaded l = new Loaded(c.name(), v, p);
        if (warmup) {
          try {
            Warmup.run(l, dir, warmupIterations);
          } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
          }
        }
        sv.loaded.put(v, l);
        sv.status.put(v, new VersionStatus(v, State.AVAILABLE, ""));
        sv.failedAt.remove(v);
        LOG.info("serving {} version {}", c.name(), v);
      } catch (IOException | RuntimeException ex) {
        sv.failedAt.put(v, stamp);
        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        sv.status.put(v, new VersionStatus(v, State.END, "failed to load: " + msg));
        LOG.error("{} version {} failed to load and is not served: {}", c.name(), v, msg);
      }
    }
    // unload what the policy no longer wants, but never the last version serving for a version that failed
    for (Long v : new ArrayList<>(sv.loaded.keySet())) {
      if (!wanted.contains(v)) {
        boolean replacementServes = wanted.stream().anyMatch(sv.loaded::containsKey);
        if (replacementServes || wanted.isEmpty() && !onDisk.containsKey(v)) {
          unload(c.name(), sv, v);
        }
      }
    }
    sv.labels = c.labels();
  }

  private void unload(String name, Servable sv, long v) {
    Loaded old = sv.loaded.remove(v);
    if (old == null) {
      return;
    }
    sv.status.put(v, new VersionStatus(v, State.UNLOADING, ""));
    LOG.info("unloading {} version {}", name, v);
    unloader.submit(() -> {
      unloadListeners.forEach(l -> l.accept(old.predictor()));
      old.predictor().close(); // waits for its calls in flight
      sv.status.put(v, new VersionStatus(v, State.END, ""));
    });
  }

  /**
   * Re-reads the model config every {@code millis} ms ({@code --model_config_file_poll_wait_seconds})
   * and applies it when it changed; a config that does not parse is logged and the one in effect stays.
   */
  public void watchConfig(java.util.function.Supplier<List<ModelConfig>> reader, long millis) {
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "rnnport-config-watch"));
    configWatcher = s;
    s.scheduleWithFixedDelay(() -> {
      try {
        List<ModelConfig> next = reader.get();
        if (!new ArrayList<>(configs.values()).equals(next)) {
          LOG.info("model config changed: {}", next.stream().map(ModelConfig::name).toList());
          reconfigure(next);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("reading the model config failed; the one in effect stays: {}", e.getMessage());
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
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

  /** As {@link #get(String, Long, String)} without a label. */
  public Loaded get(String name, Long version) {
    return get(name, version, null);
  }

  /**
   * The version to serve: {@code version} if given, else the version {@code label} points at, else
   * the latest version loaded. NOT_FOUND for an unknown model, version or label, as TF Serving.
   */
  public Loaded get(String name, Long version, String label) {
    Servable sv = models.get(name);
    if (sv == null || sv.loaded.isEmpty()) {
      throw ServingException.notFound("Servable not found for request: "
          + (version != null ? "Specific(" + name + ", " + version + ")" : "Latest(" + name + ")")
          + ": model '" + name + "' is not served here; served: " + names());
    }
    if (version == null && label != null && !label.isEmpty()) {
      Long v = sv.labels.get(label);
      if (v == null) {
        throw ServingException.notFound("Unrecognized servable version label: " + label + " (model '" + name
            + "' has labels " + new TreeMap<>(sv.labels).keySet() + ")");
      }
      version = v;
    }
    if (version == null) {
      return sv.loaded.lastEntry().getValue();
    }
    Loaded l = sv.loaded.get(version);
    if (l == null) {
      throw ServingException.notFound("Servable not found for request: Specific(" + name + ", " + version
          + "): model '" + name + "' version " + version + " is not available; serving versions " + sv.loaded.keySet());
    }
    return l;
  }

  /** The version a label points at (NOT_FOUND when the model or label is unknown). */
  public long labelVersion(String name, String label) {
    return get(name, null, label).version();
  }

  /** The status of every version seen of a model (or just one). */
  public List<VersionStatus> status(String name, Long version) {
    Servable sv = models.get(name);
    if (sv == null) {
      throw ServingException.notFound("Could not find any versions of model " + name + " (served: " + names() + ")");
    }
    List<VersionStatus> out = new ArrayList<>();
    for (VersionStatus s : sv.status.values()) {
      if (version == null || s.version() == version) {
        out.add(s);
      }
    }
    if (out.isEmpty()) {
      throw ServingException.notFound("Could not find version " + version + " of model " + name);
    }
    return out;
  }

  /** Every version that failed to load, as "model version N: why". */
  public List<String> failures() {
    List<String> out = new ArrayList<>();
    models.forEach((name, sv) -> sv.status.values().stream().filter(s -> s.state() == State.END && !s.error().isEmpty())
        .forEach(s -> out.add(name + " version " + s.version() + ": " + s.error())));
    return out;
  }

  /** True when {@code name} is a model this repository knows (configured or seen), served or not. */
  public boolean knows(String name) {
    return name != null && models.containsKey(name);
  }

  /** Names of the models with a version serving. */
  public List<String> names() {
    return models.entrySet().stream().filter(e -> !e.getValue().loaded.isEmpty()).map(Map.Entry::getKey).sorted().toList();
  }

  /** True when at least one model serves and every configured model has a version serving. */
  public boolean ready() {
    return !models.isEmpty() && models.entrySet().stream().filter(e -> root != null || configs.containsKey(e.getKey()))
        .allMatch(e -> !e.getValue().loaded.isEmpty());
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
    if (configWatcher != null) {
      configWatcher.shutdownNow();
    }
    unloader.shutdown();
    try {
      unloader.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Servable s : models.values()) {
      for (Loaded l : s.loaded.values()) {
        unloadListeners.forEach(c -> c.accept(l.predictor()));
        l.predictor().close();
      }
    }
  }

  /** Rows a call may carry (the servers check it before decoding a request). */
  public int maxBatch() {
    return maxBatch;
  }
}
