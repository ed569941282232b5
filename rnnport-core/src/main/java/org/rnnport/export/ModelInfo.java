package org.rnnport.export;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.rnnport.util.Json;

/**
 * What rnnport knows about an exported model, stored beside it as
 * {@code assets.extra/rnnport.json} (TF Serving ignores that folder): which registry model it is
 * and so which dataset and input pipeline evaluate it, and how it was trained.
 *
 * <p>Format versions: 1 is the legacy file without a {@code format} field (the SavedModels committed
 * before provenance was recorded); it reads as format 1 with no provenance. Format 2 adds
 * {@code format}, {@code gitCommit} (the source the jar was built from) and {@code datasetFiles} (the
 * sha256 of every dataset file read); {@code training} holds the seed and every hyperparameter. A
 * newer, unknown format is an error naming the file. Built by {@link Provenance#modelInfo}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"format", "model", "notebook", "input", "dataset", "signature", "inputKey", "classes", "createdAt",
    "gitCommit", "versions", "datasetFiles", "training"})
public record ModelInfo(
    Integer format,
    String model,
    String notebook,
    String input,
    String dataset,
    String signature,
    String inputKey,
    int classes,
    String createdAt,
    String gitCommit,
    Map<String, String> versions,
    Map<String, String> datasetFiles,
    Map<String, Object> training) {

  public static final String FILE = "assets.extra/rnnport.json";
  /** The format this rnnport writes. */
  public static final int FORMAT = 2;
  /** A file without a {@code format} field is the legacy format. */
  public static final int LEGACY_FORMAT = 1;

  /** Reads {@code assets.extra/rnnport.json} of a SavedModel directory, or null if absent. */
  public static ModelInfo read(Path savedModelDir) throws IOException {
    Path f = savedModelDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(f.toFile());
    } catch (IOException e) {
      throw new IOException(f + ": not a valid rnnport model description: " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new IOException(f + ": not a valid rnnport model description: not a JSON object");
    }
    JsonNode fmt = tree.get("format");
    int format;
    if (fmt == null || fmt.isNull()) {
      format = LEGACY_FORMAT;
    } else if (fmt.isInt()) {
      format = fmt.asInt();
    } else {
      throw new IOException(f + ": field 'format' must be an integer, got " + fmt);
    }
    if (format < LEGACY_FORMAT || format > FORMAT) {
      throw new IOException(f + ": rnnport.json format version " + format + " is not supported (this rnnport reads "
          + LEGACY_FORMAT + " to " + FORMAT + "; a newer rnnport wrote it?)");
    }
    try {
      ModelInfo m = Json.MAPPER.treeToValue(tree, ModelInfo.class);
      return m.format() == null ? m.withFormat(LEGACY_FORMAT) : m;
    } catch (IOException e) {
      throw new IOException(f + ": not a valid rnnport model description: " + e.getMessage(), e);
    }
  }

  /** This description with another format number. */
  public ModelInfo withFormat(int f) {
    return new ModelInfo(f, model, notebook, input, dataset, signature, inputKey, classes, createdAt, gitCommit, versions,
        datasetFiles, training);
  }
}
