package org.rnnport.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rnnport.nn.RnnSpec;
import org.rnnport.util.Json;

/**
 * A model's hyperparameters as JSON ({@code specs/<model>.json}, packed in the jar): which registry
 * model and variant, the recurrent layer, and the training protocol. The notebook's own values are
 * these files; {@code train --spec FILE} takes one instead of flags.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSpec(String model, String notebook, String variant, RnnSpec rnn, Integer epochs,
    Integer stepsPerEpoch, Integer batchSize, Float learningRate, Long seed) {

  /** The spec shipped for a registry model (its notebook's values). */
  public static ModelSpec builtin(String name) {
    try (InputStream in = ModelSpec.class.getResourceAsStream("specs/" + name + ".json")) {
      if (in == null) {
        throw new IllegalStateException("no built-in spec org/rnnport/models/specs/" + name + ".json");
      }
      return Json.MAPPER.readValue(in, ModelSpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spec of " + name, e);
    }
  }

  /** Reads a spec file; errors name the file and the field. */
  public static ModelSpec read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such spec file");
    }
    ModelSpec s;
    try {
      s = Json.MAPPER.readValue(file.toFile(), ModelSpec.class);
    } catch (IOException e) {
      throw new IOException(file + ": not a valid model spec: " + e.getMessage(), e);
    }
    if (s.model() == null) {
      throw new IOException(file + ": field \"model\" is missing (one of " + ModelRegistry.all().keySet() + ")");
    }
    return s;
  }

  /** The notebook protocol this spec describes. */
  public TrainDefaults trainDefaults() {
    return new TrainDefaults(epochs, stepsPerEpoch, batchSize, learningRate);
  }

  /** The registry model this spec names, with its variant and recurrent layer. */
  public NotebookModel resolve() {
    NotebookModel m = ModelRegistry.get(model, variant);
    return rnn != null && m.rnn() != null && !rnn.equals(m.rnn()) ? m.withRnn(rnn) : m;
  }
}
