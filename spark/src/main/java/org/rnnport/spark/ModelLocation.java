package org.rnnport.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.spark.SparkFiles;
import org.rnnport.predictor.ModelVersions;

/**
 * Where a SavedModel is, as each JVM (driver or executor) finds it:
 *
 * <ul>
 *   <li>a path every node can read (a shared or replicated filesystem, or {@code file:} URI): a version folder
 *       ({@code .../mnist-rnn/1}) or a base folder of versions (the highest, or {@link #version()});
 *   <li>{@code sparkfiles:NAME}: a file or folder shipped with {@code spark-submit --files/--archives} or
 *       {@code SparkContext.addFile}, found with {@code SparkFiles.get(NAME)} in the JVM that runs the task.
 * </ul>
 *
 * <p>Either may be a {@code .zip} of the model folder (the SavedModel at its top, in one top folder, or a folder
 * of versions): it is unpacked once per JVM into a temporary folder, removed at JVM exit.
 */
public record ModelLocation(String location, Long version) implements Serializable {
  public static final String SPARK_FILES = "sparkfiles:";
  private static final Map<Path, Path> UNZIPPED = new ConcurrentHashMap<>();

  public ModelLocation {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("no model location given");
    }
  }

  /** True for a {@code sparkfiles:NAME} location. */
  public boolean shipped() {
    return location.startsWith(SPARK_FILES);
  }

  /** The SavedModel version folder this location names, in this JVM (unpacking a zip the first time). */
  public Path resolve() throws IOException {
    Path p;
    if (shipped()) {
      String name = location.substring(SPARK_FILES.length());
      p = Path.of(SparkFiles.get(name));
      if (!Files.exists(p)) {
        throw new IOException(location + ": " + p + " does not exist in this JVM; ship the model with spark-submit "
            + "--files/--archives " + name + ", or SparkContext.addFile, before the job");
      }
    } else if (location.startsWith("file:")) {
      p = Path.of(URI.create(location));
    } else if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      throw new IOException(location + ": TensorFlow reads SavedModels from local paths only; put the model on a "
          + "shared filesystem mounted on every node, or ship it (--files model.zip / SparkContext.addFile) and "
          + "use sparkfiles:NAME");
    } else {
      p = Path.of(location);
    }
    if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".zip")) {
      p = unzipOnce(p);
    }
    if (!Files.isDirectory(p)) {
      throw new IOException(location + ": " + p + " is neither a model folder nor a .zip of one");
    }
    return find(p);
  }

  private Path find(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      if (version != null && ModelVersions.versionOf(dir) != version) {
        throw new IOException(location + ": " + dir + " is a SavedModel folder, not version " + version);
      }
      return dir;
    }
    if (!ModelVersions.list(dir).isEmpty()) {
      return version == null ? ModelVersions.resolve(dir) : ModelVersions.resolve(dir, version);
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> children = s.filter(Files::isDirectory).toList();
      if (children.size() == 1) { // a zip holding one folder: mnist-rnn/ or mnist-rnn/1/
        return find(children.get(0));
      }
    }
    throw new IOException(location + ": " + dir + " holds no saved_model.pb and no numeric version folders");
  }

  private static Path unzipOnce(Path zip) {
    Path key = zip.toAbsolutePath().normalize();
    return UNZIPPED.computeIfAbsent(key, z -> {
      try {
        Path tmp = Files.createTempDirectory("rnnport-model-");
        Path target = tmp.resolve("model");
        Path staging = tmp.resolve(".unpacking");
        Files.createDirectories(staging);
        try (InputStream raw = Files.newInputStream(z); ZipInputStream in = new ZipInputStream(raw)) {
          for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
            Path out = staging.resolve(e.getName()).normalize();
            if (!out.startsWith(staging)) {
              throw new IOException(z + ": entry " + e.getName() + " points outside the archive");
            }
            if (e.isDirectory()) {
              Files.createDirectories(out);
            } else {
              Files.createDirectories(out.getParent());
              Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
        try {
          Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(staging, target);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(tmp), "rnnport-unzipped-cleanup"));
        return target;
      } catch (IOException e) {
        throw new UncheckedIOException(z + ": cannot unpack the model archive: " + e.getMessage(), e);
      }
    });
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort at JVM exit
    }
  }

  @Override
  public String toString() {
    return location + (version == null ? "" : " (version " + version + ")");
  }
}
