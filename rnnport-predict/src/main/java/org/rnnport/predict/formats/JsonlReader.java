package org.rnnport.predict.formats;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RecordRowReader;
import org.rnnport.predict.RowAssembler;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.TensorIoException;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.json.JsonTensors;

/**
 * JSON Lines, one instance per line in TF Serving's row format: a bare value (a number or nested
 * list) for a single-input signature, or an object of input key to value. Blank lines are skipped.
 * Values are read by tensor I/O's {@link JsonTensors} (per dtype, exact; {@code {"b64": ...}} for
 * bytes; NaN and Infinity tokens).
 */
public final class JsonlReader extends RecordRowReader {
  private final BufferedReader in;
  private long lineNo;
  private String line;

  public JsonlReader(Path file, ReadOptions opts) throws IOException {
    this(file, opts, new CountingStream(Files.newInputStream(file)));
  }

  private JsonlReader(Path file, ReadOptions opts, CountingStream counter) {
    super(file, opts, counter);
    this.in = new BufferedReader(new InputStreamReader(counter, StandardCharsets.UTF_8), 1 << 16);
  }

  @Override
  protected String where() {
    return "line " + lineNo;
  }

  @Override
  protected String raw() {
    return line;
  }

  @Override
  protected RowAssembler.Row next() throws IOException {
    do {
      line = in.readLine();
      lineNo++;
      if (line == null) {
        return null;
      }
    } while (line.isBlank());
    try (JsonParser p = JsonTensors.FACTORY.createParser(line)) {
      JsonToken t = p.nextToken();
      Map<String, Column> values = new LinkedHashMap<>();
      Integer label = null;
      if (t == JsonToken.START_OBJECT) {
        Map<String, Column> found = new LinkedHashMap<>();
        Map<String, Column> others = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          p.nextToken();
          InputBinding b = opts.input(k);
          if (k.equals(opts.labelColumn())) {
            label = RowAssembler.label(value(p, DType.FLOAT64, k), file, where(), k);
          } else if (b != null) {
            found.put(k, value(p, b.dtype(), k));
          } else if (opts.singleInput()) {
            // a single-input signature also takes an object with one differently named key
            others.put(k, value(p, opts.inputs().get(0).dtype(), opts.inputs().get(0).key()));
          } else {
            p.skipChildren();
          }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
          throw new InputException(file, where(), null, "malformed JSON object");
        }
        for (InputBinding b : opts.inputs()) {
          Column c = found.get(b.key());
          if (c == null && opts.singleInput() && others.size() == 1) {
            c = others.values().iterator().next();
          }
          if (c == null) {
            java.util.Set<String> keys = new java.util.LinkedHashSet<>(found.keySet());
            keys.addAll(others.keySet());
            throw new InputException(file, where(), b.key(), "missing: the object has keys " + keys
                + ", the signature takes " + opts.keys());
          }
          values.put(b.key(), reshape(b, c));
        }
      } else {
        if (!opts.singleInput()) {
          throw new InputException(file, where(), null, "a bare value feeds a single-input signature only; this one "
              + "takes " + opts.keys() + ": write an object {\"key\": value, ...}");
        }
        InputBinding b = opts.inputs().get(0);
        values.put(b.key(), reshape(b, value(p, b.dtype(), b.key())));
      }
      if (opts.labelColumn() != null && label == null) {
        throw new InputException(file, where(), opts.labelColumn(), "missing label (--label-column)");
      }
      if (p.nextToken() != null) {
        throw new InputException(file, where(), null, "malformed JSON: trailing text after the value");
      }
      return new RowAssembler.Row(values, label);
    } catch (JsonParseException e) {
      throw new InputException(file, where(), null, "malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** One value by TF Serving's JSON rules (tensor I/O's {@link JsonTensors}), as a one-row column. */
  private Column value(JsonParser p, DType dtype, String key) throws IOException {
    HostTensor h;
    try {
      h = JsonTensors.readValue(p, key, dtype);
    } catch (TensorIoException e) {
      throw new InputException(file, where(), key, e.getMessage());
    }
    return new Column(dtype, h.shape(), 1, dtype == DType.STRING ? h.strings() : h.littleEndianBytes());
  }

  private Column reshape(InputBinding b, Column c) {
    long[] shape = b.resolveRowShape(c.rowShape(), file, where());
    return new Column(c.dtype(), shape, 1, c.data());
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
