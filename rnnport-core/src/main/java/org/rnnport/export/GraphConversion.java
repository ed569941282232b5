package org.rnnport.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.RnnSpec;
import org.rnnport.predictor.ModelVersions;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Json;

/**
 * Rebuilds one of rnnport's SavedModels with another graph ({@code eval}/{@code predict --graph fast}): the
 * model named in its {@code rnnport.json}, built as {@code kind}, its variables restored by name from the
 * SavedModel's own {@code variables/}, written as a new SavedModel with the same signature and description.
 * Python SavedModels have no description and cannot be rebuilt: they run as they are.
 */
public final class GraphConversion {
  private GraphConversion() {}

  /** A converted model in a temp folder; {@link #close} deletes it. */
  public record Converted(Path dir, Path source) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      AtomicFiles.deleteRecursively(dir.getParent());
    }
  }

  /**
   * Rebuilds the SavedModel at {@code modelPath} (a version folder or a base folder of versions, as
   * {@link ModelVersions#resolve}) as a {@code kind} graph in a fresh temp folder.
   */
  public static Converted convert(Path modelPath, GraphKind kind) throws IOException {
    Path src = ModelVersions.resolve(modelPath);
    ModelInfo info = ModelInfo.read(src);
    if (info == null) {
      throw new IOException(src + ": --graph " + kind.label() + " rebuilds rnnport's own models from their "
          + ModelInfo.FILE + ", and this SavedModel has none (a Python SavedModel runs as it is: drop --graph)");
    }
    NotebookModel model = model(info, src);
    Path tmp = Files.createTempDirectory("rnnport-graph-");
    try {
      Path dir = tmp.resolve(src.getFileName().toString());
      SavedModelExporter.writeSavedModel(model, src.resolve("variables").resolve("variables").toString(), dir, kind);
      Files.createDirectories(dir.resolve(ModelInfo.FILE).getParent());
      Files.copy(src.resolve(ModelInfo.FILE), dir.resolve(ModelInfo.FILE));
      return new Converted(dir, src);
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteRecursively(tmp);
      throw e;
    }
  }

  /** The registry model (with its recurrent layer) an rnnport.json describes. */
  public static NotebookModel model(ModelInfo info, Path src) throws IOException {
    String name = info.model();
    NotebookModel base = null;
    for (NotebookModel m : ModelRegistry.all().values()) {
      if (m.name().equals(name)) {
        base = m;
        break;
      }
      if (name.startsWith(m.name() + "-") && (base == null || m.name().length() > base.name().length())) {
        base = m;
      }
    }
    if (base == null) {
      throw new IOException(src + ": " + ModelInfo.FILE + " names model '" + name + "', which this rnnport does not know");
    }
    Object rnn = info.training() == null ? null : info.training().get("rnn");
    if (rnn instanceof Map<?, ?> spec && base.rnn() != null) {
      RnnSpec s = Json.MAPPER.convertValue(spec, RnnSpec.class);
      if (!s.equals(base.rnn())) {
        base = base.withRnn(s);
      }
    }
    if (!base.name().equals(name)) {
      throw new IOException(src + ": " + ModelInfo.FILE + " names model '" + name + "' but its recorded layer builds '"
          + base.name() + "'");
    }
    return base;
  }
}
