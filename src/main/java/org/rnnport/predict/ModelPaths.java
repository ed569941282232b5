package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * {@code --model} as TF Serving lays models out: a version folder as given, or a model folder
 * whose highest numeric version is used. Version folders may be zero-padded ({@code 00000123} is
 * version 123): the folder is used by its real name, never rebuilt from the number.
 */
public final class ModelPaths {
  private ModelPaths() {}

  public static Path resolve(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such model directory");
    }
    if (Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      return dir;
    }
    Path best = null;
    long bestV = -1;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (!Files.isDirectory(p) || !n.matches("\\d{1,18}")) {
          continue;
        }
        long v = Long.parseLong(n);
        if (v > bestV) {
          bestV = v;
          best = p;
        }
      }
    }
    if (best == null) {
      throw new IOException(dir + ": neither a SavedModel (no saved_model.pb) nor a folder of numeric versions");
    }
    if (!Files.isRegularFile(best.resolve("saved_model.pb"))) {
      throw new IOException(best + ": latest version has no saved_model.pb");
    }
    return best;
  }
}
