package org.rnnport.predict.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.rnnport.predict.Column;
import org.rnnport.predict.OutputWriter;

/** JSON Lines: one object per input row with every output key, values nested by the output's row shape. */
public final class JsonlWriter implements OutputWriter {
  private final JsonGenerator gen;

  public JsonlWriter(Path file) throws IOException {
    gen = new JsonFactory().createGenerator(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    gen.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
  }

  @Override
  public void write(Map<String, Column> outputs, int rows) throws IOException {
    for (int r = 0; r < rows; r++) {
      gen.writeStartObject();
      for (Map.Entry<String, Column> e : outputs.entrySet()) {
        gen.writeFieldName(e.getKey());
        Column c = e.getValue();
        int[] pos = {r * c.rowSize()};
        value(c, c.rowShape(), 0, pos);
      }
      gen.writeEndObject();
    }
  }

  private void value(Column c, long[] shape, int depth, int[] pos) throws IOException {
    if (depth == shape.length) {
      int i = pos[0]++;
      switch (c.dtype()) {
        case FLOAT32 -> gen.writeNumber(((float[]) c.data())[i]);
        case FLOAT64 -> gen.writeNumber(((double[]) c.data())[i]);
        default -> gen.writeNumber(c.getLong(i));
      }
      return;
    }
    gen.writeStartArray();
    for (long k = 0; k < shape[depth]; k++) {
      value(c, shape, depth + 1, pos);
    }
    gen.writeEndArray();
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
