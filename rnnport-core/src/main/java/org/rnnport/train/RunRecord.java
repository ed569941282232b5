package org.rnnport.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.RnnSpec;
import org.rnnport.util.Json;

/**
 * {@code RUN_DIR/run.json}: the model and the options a run was started with, so
 * {@code rnnport train --resume RUN_DIR} continues it without repeating them.
 *
 * @param registryName the registry model (its variant included, e.g. {@code mnist-lstm-state-fixed})
 * @param rnn its recurrent layer (null for a fixed architecture)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunRecord(int format, String model, String registryName, RnnSpec rnn, TrainOptions options) {
  public static final String FILE = "run.json";
  static final int FORMAT = 1;

  public static void write(Path runDir, NotebookModel m, TrainOptions o) throws IOException {
    Files.createDirectories(runDir);
    Json.write(runDir.resolve(FILE), new RunRecord(FORMAT, m.name(), m.registryName(), m.rnn(), o));
  }

  public static RunRecord read(Path runDir) throws IOException {
    Path f = runDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      throw new IOException("cannot resume " + runDir + ": no " + FILE + " (not an rnnport run folder?)");
    }
    RunRecord r;
    try {
      r = Json.MAPPER.readValue(f.toFile(), RunRecord.class);
    } catch (IOException e) {
      throw new IOException(f + ": not a valid run record: " + e.getMessage(), e);
    }
    if (r.format() != FORMAT) {
      throw new IOException(f + ": run record format " + r.format() + " is not supported (this rnnport reads " + FORMAT + ")");
    }
    if (r.options() == null || r.model() == null) {
      throw new IOException(f + ": not a valid run record: 'model' and 'options' are required");
    }
    return r;
  }

  /** The model the run trains. */
  public NotebookModel notebookModel() {
    NotebookModel m = ModelRegistry.get(registryName);
    if (rnn != null && !rnn.equals(m.rnn())) {
      m = m.withRnn(rnn);
    }
    if (!m.name().equals(model)) {
      throw new IllegalArgumentException(FILE + " names model " + model + " but its registry name and layer give " + m.name());
    }
    return m;
  }
}
