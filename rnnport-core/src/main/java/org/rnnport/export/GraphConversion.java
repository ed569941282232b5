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
    ModelInfo info = described(src, kind);
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

  /**
   * {@code rnnport export}: rebuilds the SavedModel at {@code modelPath} as a {@code kind} graph into the new folder
   * {@code target} (which must not exist), for serving or for {@code predict} without {@code --graph}. Written in a
   * sibling temp folder, checked to load with the same signature, then renamed: a failure leaves nothing at
   * {@code target}. Its {@code rnnport.json} is the source's, with {@code training.exportedGraph} and
   * {@code training.exportedFrom} added.
   */
  public static Path export(Path modelPath, GraphKind kind, Path target) throws IOException {
    Path out = target.toAbsolutePath().normalize();
    if (Files.exists(out)) {
      throw new IOException(out + " already exists: choose a new folder (e.g. the next version number)");
    }
    Files.createDirectories(out.getParent());
    Path tmp = out.resolveSibling("." + out.getFileName() + ".export-" + ProcessHandle.current().pid());
    AtomicFiles.deleteRecursively(tmp);
    for (Path stale : AtomicFiles.removeStale(out.getParent(), java.util.regex.Pattern.compile(
        "^\\." + java.util.regex.Pattern.quote(out.getFileName().toString()) + "\\.export-(\\d+)$"))) {
      System.err.println("removed " + stale + ": the temporary folder of an export that did not finish (its process "
          + "is gone)");
    }
    Path src = ModelVersions.resolve(modelPath);
    ModelInfo described = described(src, kind);
    try {
      // built straight into the sibling temp folder, no intermediate copy
      SavedModelExporter.writeSavedModel(model(described, src), src.resolve("variables").resolve("variables").toString(),
          tmp, kind);
      // the source's description as written, plus what this export did
      com.fasterxml.jackson.databind.node.ObjectNode info = (com.fasterxml.jackson.databind.node.ObjectNode)
          Json.MAPPER.readTree(src.resolve(ModelInfo.FILE).toFile());
      com.fasterxml.jackson.databind.node.ObjectNode training = info.has("training") && info.get("training").isObject()
          ? (com.fasterxml.jackson.databind.node.ObjectNode) info.get("training") : info.putObject("training");
      training.put("exportedGraph", kind.label());
      training.put("exportedFrom", src.toAbsolutePath().normalize().toString());
      Files.createDirectories(tmp.resolve(ModelInfo.FILE).getParent());
      Json.write(tmp.resolve(ModelInfo.FILE), info);
      SavedModelExporter.checkLoads(tmp);
      Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return out;
    } finally {
      AtomicFiles.deleteRecursively(tmp);
    }
  }

  /** The rnnport.json of {@code src}; a SavedModel without one (Python's) cannot be rebuilt. */
  private static ModelInfo described(Path src, GraphKind kind) throws IOException {
    ModelInfo info = ModelInfo.read(src);
    if (info == null) {
      throw new IOException(src + ": --graph " + kind.label() + " rebuilds rnnport's own models from their "
          + ModelInfo.FILE + ", and this SavedModel has none (a Python SavedModel runs as it is: drop --graph)");
    }
    return info;
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
