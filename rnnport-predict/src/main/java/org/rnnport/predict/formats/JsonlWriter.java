package org.rnnport.predict.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.rnnport.predict.OutputWriter;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.json.JsonTensors;

/**
 * JSON Lines: one object per input row with every output key, values nested by the output's row shape, written by
 * tensor I/O's {@link JsonTensors} (TF Serving's rules: uint64 exact, shortest floats, NaN tokens, b64 bytes).
 */
public final class JsonlWriter implements OutputWriter {
  private final JsonGenerator gen;

  public JsonlWriter(Path file) throws IOException {
    gen = JsonTensors.FACTORY.createGenerator(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    gen.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
  }

  @Override
  public void write(Map<String, Column> outputs, int rows) throws IOException {
    Map<String, HostTensor> hosts = new HashMap<>();
    for (int r = 0; r < rows; r++) {
      gen.writeStartObject();
      for (Map.Entry<String, Column> e : outputs.entrySet()) {
        gen.writeFieldName(e.getKey());
        JsonTensors.writeRow(gen, hosts.computeIfAbsent(e.getKey(), k -> e.getValue().toHost(k)), r);
      }
      gen.writeEndObject();
    }
  }

  @Override
  public void finish() throws IOException {
    gen.writeRaw('\n');
    gen.flush();
  }

  @Override
  public void close() throws IOException {
    gen.close();
  }
}
