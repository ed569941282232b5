package org.rnnport.predictor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Model folders as TF Serving lays them out: {@code <base>/<version>/saved_model.pb}, with numeric
 * version folder names that may be zero-padded ({@code 00000123} is version 123). A version is
 * always addressed by its real folder, never by a path rebuilt from the parsed number.
 */
public final class ModelVersions {
  private ModelVersions() {}

  /** The largest version number TF Serving accepts (an int64). */
  private static final String VERSION = "\\d{1,18}";

  /**
   * Whether a folder name is a version number, as TF Serving reads one (1 to 18 digits, zero padding allowed).
   *
   * @param name a folder name
   * @return true when {@code name} names a version folder
   */
  public static boolean isVersionName(String name) {
    return name.matches(VERSION);
  }

  /**
   * Every numeric version folder under {@code base} that holds a {@code saved_model.pb}, by
   * version number. Two folders naming one number ({@code 7} and {@code 007}) are an error.
   *
   * @param base a model's base folder
   * @return the version folders by number, in ascending order; empty when {@code base} is not a folder
   * @throws IOException when the folder cannot be listed, or two folders name one version
   */
  public static NavigableMap<Long, Path> list(Path base) throws IOException {
    NavigableMap<Long, Path> out = new TreeMap<>();
    folders(base).forEach((v, p) -> {
      if (Files.isRegularFile(p.resolve("saved_model.pb"))) {
        out.put(v, p);
      }
    });
    return Collections.unmodifiableNavigableMap(out);
  }

  /**
   * Every numeric version folder under {@code base}, whole or not (as TF Serving's file-system source sees them), by
   * version number; none when {@code base} is no folder (yet). Two folders naming one number ({@code 7} and
   * {@code 007}) are an error.
   *
   * @param base a model's base folder
   * @return the version folders by version number, in order; empty when {@code base} is no folder
   * @throws IOException when the folder cannot be listed, or two folders name one version
   */
  public static NavigableMap<Long, Path> folders(Path base) throws IOException {
    NavigableMap<Long, Path> out = new TreeMap<>();
    if (!Files.isDirectory(base)) {
      return out;
    }
    try (Stream<Path> s = Files.list(base)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        String n = p.getFileName().toString();
        if (isVersionName(n) && Files.isDirectory(p)) {
          Path old = out.put(Long.parseLong(n), p);
          if (old != null) {
            throw new IOException(base + ": folders " + old.getFileName() + " and " + n + " are both version "
                + Long.parseLong(n));
          }
        }
      }
    }
    return Collections.unmodifiableNavigableMap(out);
  }

  /**
   * The number of a version folder ({@code .../00000123} is 123).
   *
   * @param versionDir a version folder
   * @return its number, or -1 when its name is not numeric
   */
  public static long versionOf(Path versionDir) {
    Path name = versionDir.toAbsolutePath().normalize().getFileName();
    return name != null && isVersionName(name.toString()) ? Long.parseLong(name.toString()) : -1;
  }

  /**
   * A SavedModel folder from what a user gives: a version folder as it is, or a base folder's
   * highest version. Errors name the path and what is missing.
   *
   * @param dir a version folder or a base folder of versions
   * @return the version folder to load
   * @throws IOException when {@code dir} is neither a SavedModel nor a folder of versions holding one
   */
  public static Path resolve(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such model directory");
    }
    if (Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      return dir;
    }
    NavigableMap<Long, Path> versions = list(dir);
    if (versions.isEmpty()) {
      throw new IOException(dir + ": neither a SavedModel (no saved_model.pb) nor a folder of numeric versions "
          + "holding one");
    }
    return versions.lastEntry().getValue();
  }

  /**
   * The version folder of {@code base} with number {@code version}, padded or not.
   *
   * @param base a model's base folder
   * @param version the version number
   * @return that version's folder, by its own name
   * @throws IOException when there is no such version (the message lists those there are)
   */
  public static Path resolve(Path base, long version) throws IOException {
    Path p = list(base).get(version);
    if (p == null) {
      throw new IOException(base + ": no version " + version + " (there are " + list(base).keySet() + ")");
    }
    return p;
  }
}
