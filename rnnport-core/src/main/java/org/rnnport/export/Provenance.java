package org.rnnport.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.rnnport.data.DataFetcher;
import org.rnnport.models.NotebookModel;

/** Where a model came from: the one place {@link ModelInfo} is built, with the source commit and data hashes. */
public final class Provenance {
  private static final String GIT_PROPERTIES = "git.properties";
  private static volatile String commit;

  private Provenance() {}

  /**
   * The description of an exported model.
   *
   * @param training the seed and every hyperparameter, plus results (test accuracy, seconds)
   * @param datasetFiles dataset file (relative to the data folder) to its sha256, or null when unknown
   */
  public static ModelInfo modelInfo(NotebookModel model, String inputKey, Map<String, Object> training,
      Map<String, String> datasetFiles) {
    return new ModelInfo(ModelInfo.FORMAT, model.name(), model.notebook(), model.input().name(), model.input().dataset(),
        SavedModelExporter.SIGNATURE, inputKey, model.classes(), Instant.now().toString(), gitCommit(), Versions.all(),
        datasetFiles, training);
  }

  /**
   * The git commit of the source the jar was built from (written at build time by the
   * git-commit-id plugin), with {@code -dirty} if the tree had uncommitted changes, or {@code unknown}.
   */
  public static String gitCommit() {
    String c = commit;
    if (c == null) {
      c = "unknown";
      try (InputStream in = Provenance.class.getResourceAsStream(GIT_PROPERTIES)) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          String id = p.getProperty("git.commit.id.full", p.getProperty("git.commit.id"));
          if (id != null && !id.isBlank()) {
            c = id + ("true".equals(p.getProperty("git.dirty")) ? "-dirty" : "");
          }
        }
      } catch (IOException e) {
        c = "unknown";
      }
      commit = c;
    }
    return c;
  }

  /** The sha256 of each dataset file read, by its path relative to the data folder. */
  public static Map<String, String> sha256(Path dataDir, List<String> files) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : files) {
      out.put(f, DataFetcher.sha256(dataDir.resolve(f)));
    }
    return out;
  }
}
