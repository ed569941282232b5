package org.rnnport.predict.formats;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.predict.OutputWriter;
import org.rnnport.tensorio.batch.Column;

/**
 * CSV with a header: a per-row scalar output is one column named by its key, any other is
 * flattened into {@code key_0 .. key_N-1} (row-major).
 */
public final class CsvWriter implements OutputWriter {
  private final BufferedWriter out;
  private Map<String, long[]> shapes;

  public CsvWriter(Path file) throws IOException {
    out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 16);
  }

  @Override
  public void write(Map<String, Column> outputs, int rows) throws IOException {
    if (shapes == null) {
      shapes = new LinkedHashMap<>();
      List<String> header = new ArrayList<>();
      for (Map.Entry<String, Column> e : outputs.entrySet()) {
        shapes.put(e.getKey(), e.getValue().rowShape());
        if (e.getValue().rowShape().length == 0) {
          header.add(e.getKey());
        } else {
          for (int i = 0; i < e.getValue().rowSize(); i++) {
            header.add(e.getKey() + "_" + i);
          }
        }
      }
      out.write(String.join(",", header));
      out.write('\n');
    }
    StringBuilder sb = new StringBuilder(256);
    for (int r = 0; r < rows; r++) {
      sb.setLength(0);
      for (Map.Entry<String, Column> e : outputs.entrySet()) {
        Column c = e.getValue();
        if (!Arrays.equals(shapes.get(e.getKey()), c.rowShape())) {
          throw new IOException("output '" + e.getKey() + "' changed its row shape from "
              + Arrays.toString(shapes.get(e.getKey())) + " to " + Arrays.toString(c.rowShape())
              + ": CSV needs one column layout (write JSON Lines or Parquet instead)");
        }
        int rs = c.rowSize();
        for (int i = r * rs; i < (r + 1) * rs; i++) {
          if (sb.length() > 0) {
            sb.append(',');
          }
          switch (c.dtype()) {
            case FLOAT32, FLOAT16, BFLOAT16 -> sb.append(c.getFloat(i));
            case FLOAT64 -> sb.append(c.getDouble(i));
            case UINT64 -> sb.append(Long.toUnsignedString(c.getLong(i)));
            case BOOL -> sb.append(c.getLong(i) != 0);
            case STRING -> throw new IOException("output '" + e.getKey() + "' is string, which CSV does not carry "
                + "(bytes): write JSON Lines or Parquet instead");
            default -> sb.append(c.getLong(i));
          }
        }
      }
      sb.append('\n');
      out.write(sb.toString());
    }
  }

  @Override
  public void finish() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
