package org.rnnport.export;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.rnnport.util.Json;

/**
 * What rnnport knows about an exported model, stored beside it as
 * {@code assets.extra/rnnport.json} (TF Serving ignores that folder): which registry model it is
 * and so which dataset and input pipeline evaluate it, and how it was trained.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelInfo(
    String model,
    String notebook,
    String input,
    String dataset,
    String signature,
    String inputKey,
    int classes,
    String createdAt,
    Map<String, String> versions,
    Map<String, Object> training) {

  public static final String FILE = "assets.extra/rnnport.json";

  /** Reads {@code assets.extra/rnnport.json} of a SavedModel directory, or null if absent. */
  public static ModelInfo read(Path savedModelDir) throws IOException {
    Path f = savedModelDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return null;
    }
    try {
      return Json.MAPPER.readValue(f.toFile(), ModelInfo.class);
    } catch (IOException e) {
      throw new IOException(f + ": not a valid rnnport model description: " + e.getMessage(), e);
    }
  }
}
