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
 * The models served, in TF Serving layout ({@code <base_path>/<version>/saved_model.pb}): either every model folder
 * under a root (each serving its latest version), or the models of a model config (TF Serving's
 * {@code model_config_list}: a base path, a version policy and version labels each), which can be replaced while
 * serving. The facade over TF Serving's parts, one class each: the {@link StoreSource} polls the store for each
 * model's aspired versions (by its {@link VersionPolicy}), the {@link VersionManager} loads them through the
 * {@link VersionLoader} (whole, or not at all) and unloads the versions no longer aspired once a new one serves. A
 * version that fails to load is reported in the status, never replaces one serving, and is retried when its folder
 * changes. Errors are {@link ServingException}s (no HTTP or gRPC codes here). Nothing is ever written to the store.
 */
public final class ModelRepository implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRepository.class);

  /** TF Serving's version states. */
  public enum State { START, LOADING, AVAILABLE, UNLOADING, END }

  /** A version's state and, after a failed load, the error. */
  public record VersionStatus(long version, State state, String error) {}

  /**
   * A loaded version of a model; {@code batching}: its own {@code batching_params.pbtxt}
   * ({@code --enable_per_model_batching_parameters}), or null.
   */
  public record Loaded(String name, long version, SavedModelPredictor predictor, BatchingOptions batching) {
    public Loaded(String name, long version, SavedModelPredictor predictor) {
      this(name, version, predictor, null);
    }
  }

  /** One model of a model config: name, base path, version policy, version labels. */
  public record ModelConfig(String name, Path basePath, VersionPolicy policy, Map<String, Long> labels) {
    public ModelConfig {
      labels = Map.copyOf(labels);
    }
  }

  private final StoreSource source;
  private final VersionLoader loader;
  private final VersionManager manager;
  private final int maxBatch;
  private final Map<String, VersionManager.Servable> models;
  private ScheduledExecutorService watcher;
  private ScheduledExecutorService configWatcher;

  /** Every model folder under {@code root}, each serving its latest version ({@code rnnport serve --models}). */
  public ModelRepository(Path root, int maxBatch) {
    this(new StoreSource(root), maxBatch);
  }

  /** The models of a model config ({@code --model_config_file}, or {@code --model_name/--model_base_path}). */
  public ModelRepository(List<ModelConfig> configs, int maxBatch) {
    this(new StoreSource(index(configs)), maxBatch);
  }

  private ModelRepository(StoreSource source, int maxBatch) {
    this.source = source;
    this.maxBatch = maxBatch;
    this.loader = new VersionLoader(maxBatch);
    this.manager = new VersionManager(loader);
    this.models = manager.servables();
  }

  /**
   * TF Serving's {@code --enable_model_warmup} (on by default) and
   * {@code --num_request_iterations_for_warmup} (1): whether a version's
   * {@code assets.extra/tf_serving_warmup_requests} run before it is served (see {@link Warmup}).
   */
  public ModelRepository warmup(boolean enabled, int iterations) {
    loader.warmup(enabled, iterations);
    return this;
  }

  /**
   * TF Serving's {@code --enable_signature_method_name_check} (off by default): whether Classify and Regress take only
   * a signature of their method_name, or any whose inputs and outputs fit (native TF2 models).
   */
  public ModelRepository methodNameCheck(boolean on) {
    loader.methodNameCheck(on);
    return this;
  }

  public boolean methodNameCheck() {
    return loader.methodNameCheck();
  }

  /**
   * TF Serving's {@code --enable_per_model_batching_parameters} (off by default; read with batching on): a version
   * is batched with its own {@code batching_params.pbtxt} (a text BatchingParameters in its folder), and a version
   * without one is not batched. A file that does not parse fails the version's load.
   */
  public ModelRepository perModelBatching(boolean on) {
    loader.perModelBatching(on);
    return this;
  }

  public boolean perModelBatching() {
    return loader.perModelBatching();
  }

  /**
   * How each version is loaded: the meta graph's tags ({@code serve} by default; TF Serving's
   * {@code --saved_model_tags}) and the session config (threads; null for TensorFlow's defaults). Set before the
   * first load.
   */
  public ModelRepository loadWith(org.tensorflow.proto.ConfigProto sessionConfig, String... tags) {
    loader.loadWith(sessionConfig, tags);
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
    manager.onUnload(listener);
  }

  /**
   * Replaces the model config while serving (a model config file reload): new models load, removed
   * ones unload, policies and labels change. Applies it with a scan.
   */
  public void reconfigure(List<ModelConfig> newConfigs) throws IOException {
    Map<String, ModelConfig> next = index(newConfigs);
    synchronized (this) {
      source.configs(next);
      scan();
    }
  }

  /** Scans once: loads and unloads versions as the policies want (at start; then the watcher does it). */
  public synchronized void scan() throws IOException {
    Map<String, ModelConfig> cfg = source.models();
    for (ModelConfig c : cfg.values()) {
      try {
        manager.apply(source.poll(c));
      } catch (IOException | RuntimeException e) {
        LOG.warn("scanning model {} at {} failed: {}", c.name(), c.basePath(), e.getMessage());
      }
    }
    if (!source.folderMode()) {
      // models no longer configured are unloaded (their status then says END)
      for (String name : new ArrayList<>(models.keySet())) {
        if (!cfg.containsKey(name)) {
          manager.unloadAll(name);
        }
      }
    }
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
        if (!new ArrayList<>(source.configs().values()).equals(next)) {
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
        LOG.warn("rescanning {} failed: {}", source.folderMode() ? source.root() : "the models", e.getMessage());
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
    VersionManager.Servable sv = models.get(name);
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
    VersionManager.Servable sv = models.get(name);
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
    return manager.names();
  }

  /** True when at least one model serves and every configured model has a version serving. */
  public boolean ready() {
    return !models.isEmpty() && models.entrySet().stream().filter(e -> source.folderMode() || source.configs().containsKey(e.getKey()))
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
    manager.close();
  }

  /** Rows a call may carry (the servers check it before decoding a request). */
  public int maxBatch() {
    return maxBatch;
  }
}
