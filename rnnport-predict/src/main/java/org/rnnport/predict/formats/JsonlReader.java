package org.rnnport.predict.formats;

import com.fasterxml.jackson.core.JsonFactory;
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
import org.rnnport.predict.Column;
import org.rnnport.predict.DType;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RecordRowReader;
import org.rnnport.predict.RowAssembler;

/**
 * JSON Lines, one instance per line in TF Serving's row format: a bare value (a number or nested
 * list) for a single-input signature, or an object of input key to value. Blank lines are skipped.
 */
public final class JsonlReader extends RecordRowReader {
  private static final JsonFactory JSON = new JsonFactory();
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
    try (JsonParser p = JSON.createParser(line)) {
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
            label = RowAssembler.label(JsonValues.parse(p, DType.FLOAT64, file, where(), k), file, where(), k);
          } else if (b != null) {
            found.put(k, JsonValues.parse(p, b.dtype(), file, where(), k));
          } else if (opts.singleInput()) {
            // a single-input signature also takes an object with one differently named key
            others.put(k, JsonValues.parse(p, opts.inputs().get(0).dtype(), file, where(), opts.inputs().get(0).key()));
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
        values.put(b.key(), reshape(b, JsonValues.parse(p, b.dtype(), file, where(), b.key())));
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

  private Column reshape(InputBinding b, Column c) {
    long[] shape = b.resolveRowShape(c.rowShape(), file, where());
    return new Column(c.dtype(), shape, 1, c.data());
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
