package org.rnnport.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rnnport.export.SavedModelExporter;

/** Resolves {@code --model} to a SavedModel version folder. */
public final class ModelDirs {
  private ModelDirs() {}

  /**
   * {@code savedmodels/<name>/<N>} as given; {@code savedmodels/<name>} resolves to its highest
   * numeric version. Errors name the path and what is missing.
   */
  public static Path resolve(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such model directory");
    }
    if (Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      return dir;
    }
    int latest = SavedModelExporter.latestVersion(dir);
    if (latest == 0) {
      throw new IOException(dir + ": neither a SavedModel (no saved_model.pb) nor a folder of numeric versions");
    }
    Path v = dir.resolve(Integer.toString(latest));
    if (!Files.isRegularFile(v.resolve("saved_model.pb"))) {
      throw new IOException(v + ": latest version has no saved_model.pb");
    }
    return v;
  }
}
