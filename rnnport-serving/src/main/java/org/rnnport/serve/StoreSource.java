package org.rnnport.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.stream.Stream;
import org.rnnport.predictor.ModelVersions;

/**
 * The source that polls the model store, as TF Serving's {@code FileSystemStoragePathSource}: for each model (of
 * the model config, or every folder under a models root) the numeric version folders on disk, and, by the model's
 * {@link VersionPolicy}, the versions it aspires to serve. A version folder is aspired whether or not it is whole
 * (TF Serving's rule); the {@link VersionLoader} decides whether it loads. Only reads the store, never writes to it.
 */
final class StoreSource {
  /** What one poll found for a model: its config, the version folders on disk and the aspired versions. */
  record Aspired(ModelRepository.ModelConfig config, NavigableMap<Long, Path> onDisk, Set<Long> aspired) {}

  private final Path root;
  private volatile Map<String, ModelRepository.ModelConfig> configs;

  /** Every model folder under {@code root} (rnnport's folder mode), each aspiring to its latest version. */
  StoreSource(Path root) {
    this.root = root;
  }

  /** The models of a model config. */
  StoreSource(Map<String, ModelRepository.ModelConfig> configs) {
    this.root = null;
    this.configs = configs;
  }

  boolean folderMode() {
    return root != null;
  }

  Path root() {
    return root;
  }

  Map<String, ModelRepository.ModelConfig> configs() {
    return configs;
  }

  void configs(Map<String, ModelRepository.ModelConfig> next) {
    if (root != null) {
      throw new IllegalStateException("a models folder has no config to replace");
    }
    this.configs = next;
  }

  /**
   * The models to serve now: the config's, or one per folder under the root (hidden folders, and folders with no
   * version holding a {@code saved_model.pb} yet, left out).
   */
  Map<String, ModelRepository.ModelConfig> models() throws IOException {
    if (root == null) {
      return configs;
    }
    if (!Files.isDirectory(root)) {
      throw new IOException(root + ": no such models folder");
    }
    Map<String, ModelRepository.ModelConfig> m = new LinkedHashMap<>();
    try (Stream<Path> names = Files.list(root)) {
      for (Path dir : names.filter(Files::isDirectory).sorted().toList()) {
        String name = dir.getFileName().toString();
        // a folder is a model once one of its versions holds a saved_model.pb (a model being copied in is not yet)
        if (!name.startsWith(".") && !ModelVersions.list(dir).isEmpty()) {
          m.put(name, new ModelRepository.ModelConfig(name, dir, new VersionPolicy.Latest(1), Map.of()));
        }
      }
    }
    return m;
  }

  /** One poll of a model's base path. */
  Aspired poll(ModelRepository.ModelConfig c) throws IOException {
    NavigableMap<Long, Path> onDisk = versions(c.basePath());
    return new Aspired(c, onDisk, c.policy().select(onDisk));
  }

  /** Every numeric version folder under {@code base}, whole or not, by number ({@link ModelVersions#folders}). */
  static NavigableMap<Long, Path> versions(Path base) throws IOException {
    return ModelVersions.folders(base);
  }

  /**
   * A fingerprint of a version folder's contents: every file's relative path, size and modification time. A
   * version that failed to load is retried when it changes (the rest of a half-copied folder arrived).
   */
  static long stamp(Path dir) {
    long[] h = {1125899906842597L};
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted().forEach(p -> {
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          h[0] = 31 * h[0] + dir.relativize(p).toString().hashCode();
          h[0] = 31 * h[0] + a.size();
          h[0] = 31 * h[0] + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
          h[0] = 31 * h[0] + 7; // vanished while listing: the next poll sees the new state
        }
      });
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
    return h[0];
  }
}
