package org.rnnport.tensorio.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.TensorIoException;

/**
 * TF Serving's REST predict JSON to and from {@link HostTensor}s ({@code api_rest.md}, {@code json_tensor.cc}).
 *
 * <p>A request is read in two passes over its bytes: {@link #scan} finds {@code signature_name} and the format
 * without decoding a number (so the server can pick the signature), then {@link #inputs} decodes each input for
 * its dtype. Numbers are parsed from their text per dtype: integers exactly (int64 and uint64 over their whole
 * range; a fraction or an exponent is not an integer), floats rounded once to the dtype ({@code NaN},
 * {@code Infinity} and {@code -Infinity} accepted). Answers print floats as the shortest decimal that reads back to
 * the same float of the dtype, integers exactly (uint64 as unsigned), and strings as text, or as
 * {@code {"b64": ...}} for an output whose key ends in {@code _bytes} (and, unlike TF Serving, for bytes that are
 * not UTF-8). Errors are {@link TensorIoException}s naming the input and where it is.
 */
public final class JsonTensors {
  private JsonTensors() {}

  /** The factory for TF Serving's JSON: NaN and Infinity tokens read and written, fast float parsing and printing. */
  public static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .build();

  /**
   * A predict request's outline, from {@link #scan}.
   *
   * @param signatureName the {@code signature_name}, or null
   * @param rowFormat true for {@code "instances"}, false for {@code "inputs"}
   * @param body the request's bytes
   */
  public record Request(String signatureName, boolean rowFormat, byte[] body) {}

  /**
   * Reads a predict body's outline: that it is an object with exactly one of {@code "instances"} or
   * {@code "inputs"}, and its {@code signature_name}; decodes no value.
   *
   * @param body the request's bytes
   * @return the outline
   * @throws TensorIoException for malformed JSON or a body of the wrong form
   */
  public static Request scan(byte[] body) {
    Outline o = new Outline();
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw request("the request body must be a JSON object with \"instances\" or \"inputs\"");
      }
      fields(p, body, o);
    } catch (JsonProcessingException e) {
      throw request("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (o.instances == o.inputs) {
      throw request(o.instances ? "the request has both \"instances\" and \"inputs\"; give one"
          : "Missing 'inputs' or 'instances' key");
    }
    return new Request(o.sig, o.instances, body);
  }

  /** What the outline pass found. */
  private static final class Outline {
    String sig;
    boolean instances;
    boolean inputs;
  }

  /**
   * Reads the top-level fields after the parser's START_OBJECT. The first data field ({@code instances} or
   * {@code inputs}) is skipped over its raw bytes (brackets and strings only, no number tokenized: the decode
   * pass reads it whole), then the fields after it are read from a parser over the rest of the body.
   */
  private static void fields(JsonParser p, byte[] body, Outline o) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "signature_name" -> {
          if (v != JsonToken.VALUE_STRING) {
            throw request("'signature_name' key must be a string value");
          }
          o.sig = p.getText();
        }
        case "instances", "inputs" -> {
          if (name.equals("instances") && v != JsonToken.START_ARRAY) {
            throw request("\"instances\" must be a list of instances");
          }
          boolean first = !o.instances && !o.inputs;
          if (name.equals("instances")) {
            o.instances = true;
          } else {
            o.inputs = true;
          }
          long at = p.currentTokenLocation().getByteOffset();
          if (first && body != null && (v == JsonToken.START_ARRAY || v == JsonToken.START_OBJECT) && at >= 0
              && at < body.length && (body[(int) at] == '[' || body[(int) at] == '{')) {
            int end = skipRaw(body, (int) at);
            while (end < body.length && (body[end] == ' ' || body[end] == '\n' || body[end] == '\r' || body[end] == '\t')) {
              end++;
            }
            if (end >= body.length || (body[end] != ',' && body[end] != '}')) {
              throw request("invalid JSON: expected ',' or '}' after \"" + name + "\"");
            }
            // the rest of the object, as an object: "{" + what follows the comma (or "{}" and what follows)
            int from = body[end] == ',' ? end + 1 : end;
            byte[] rest = new byte[body.length - from + 1];
            rest[0] = '{';
            System.arraycopy(body, from, rest, 1, body.length - from);
            try (JsonParser r = FACTORY.createParser(rest)) {
              r.nextToken();
              fields(r, null, o);
            }
            return;
          }
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    if (p.nextToken() != null) {
      throw request("trailing data after the request object");
    }
  }

  /** The index after the array or object that starts at {@code i}, skipping strings (with escapes) whole. */
  private static int skipRaw(byte[] b, int i) {
    int depth = 0;
    for (; i < b.length; i++) {
      byte c = b[i];
      if (c == '"') {
        for (i++; i < b.length && b[i] != '"'; i++) {
          if (b[i] == '\\') {
            i++;
          }
        }
      } else if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        if (--depth == 0) {
          return i + 1;
        }
      }
    }
    throw request("invalid JSON: the body ends inside \"instances\" or \"inputs\"");
  }

  private static TensorIoException request(String message) {
    return new TensorIoException(null, message);
  }

  /**
   * Decodes a request's inputs for a signature.
   *
   * @param r the outline from {@link #scan}
   * @param dtypes the signature's inputs: key to dtype
   * @return a tensor per input, in the order of {@code dtypes}
   * @throws TensorIoException naming the input for a value the dtype does not take, ragged lists, missing or
   *     unknown keys
   */
  public static Map<String, HostTensor> inputs(Request r, Map<String, DType> dtypes) {
    try (JsonParser p = FACTORY.createParser(r.body())) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals(r.rowFormat() ? "instances" : "inputs")) {
          return r.rowFormat() ? rows(p, dtypes) : columns(p, dtypes);
        }
        p.skipChildren();
      }
      throw request("Missing 'inputs' or 'instances' key");
    } catch (JsonProcessingException e) {
      throw request("invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Leaves> gatherers(Map<String, DType> dtypes) {
    Map<String, Leaves> m = new LinkedHashMap<>();
    dtypes.forEach((k, d) -> m.put(k, new Leaves(k, d)));
    return m;
  }

  /** The row format: the current token starts the instances list. */
  private static Map<String, HostTensor> rows(JsonParser p, Map<String, DType> dtypes) throws IOException {
    Map<String, Leaves> g = gatherers(dtypes);
    String only = dtypes.size() == 1 ? dtypes.keySet().iterator().next() : null;
    int i = 0;
    Boolean named = null;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      boolean object = p.currentToken() == JsonToken.START_OBJECT;
      String first = null;
      if (object) {
        if (p.nextToken() != JsonToken.FIELD_NAME) {
          throw request("instances[" + i + "] is an empty object; the signature takes " + dtypes.keySet());
        }
        first = p.currentName();
      }
      boolean thisNamed = object && !(first.equals("b64") && !dtypes.containsKey("b64"));
      if (named != null && named != thisNamed) {
        throw request("instances[" + i + "]: the instances mix objects of named inputs with plain values");
      }
      named = thisNamed;
      if (!thisNamed) {
        if (only == null) {
          throw request("instances[" + i + "] must be an object of the inputs " + dtypes.keySet()
              + " (the signature has " + dtypes.size() + " inputs)");
        }
        Leaves l = g.get(only);
        l.at("instances[" + i + "]");
        if (object) {
          l.b64(p, 1);
        } else {
          l.value(p, 1);
        }
      } else {
        Set<String> seen = new HashSet<>();
        do {
          String k = p.currentName();
          Leaves l = g.get(k);
          if (l == null) {
            throw request("instances[" + i + "]: JSON object: does not have named input: " + k
                + " (the signature takes " + dtypes.keySet() + ")");
          }
          if (!seen.add(k)) {
            throw request("instances[" + i + "]: input '" + k + "' given twice");
          }
          p.nextToken();
          l.at("instances[" + i + "]['" + k + "']");
          l.value(p, 1);
        } while (p.nextToken() == JsonToken.FIELD_NAME);
        if (seen.size() != dtypes.size()) {
          Set<String> missing = new java.util.TreeSet<>(dtypes.keySet());
          missing.removeAll(seen);
          throw request("instances[" + i + "]: Expecting " + dtypes.size() + " input keys " + dtypes.keySet()
              + ", missing " + missing);
        }
      }
      i++;
    }
    if (i == 0) {
      throw request("empty instances: nothing to predict");
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Leaves> e : g.entrySet()) {
      e.getValue().at("instances");
      e.getValue().dim(0, i);
      out.put(e.getKey(), e.getValue().build());
    }
    return out;
  }

  /** The columnar format: the current token starts the inputs value. */
  private static Map<String, HostTensor> columns(JsonParser p, Map<String, DType> dtypes) throws IOException {
    Map<String, Leaves> g = gatherers(dtypes);
    String only = dtypes.size() == 1 ? dtypes.keySet().iterator().next() : null;
    if (p.currentToken() == JsonToken.START_OBJECT) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.FIELD_NAME && p.currentName().equals("b64") && !dtypes.containsKey("b64") && only != null) {
        Leaves l = g.get(only);
        l.at("inputs");
        l.b64(p, 0);
        return Map.of(only, l.build());
      }
      Set<String> seen = new HashSet<>();
      while (t == JsonToken.FIELD_NAME) {
        String k = p.currentName();
        Leaves l = g.get(k);
        if (l == null) {
          throw request("inputs: JSON object: does not have named input: " + k + " (the signature takes "
              + dtypes.keySet() + ")");
        }
        if (!seen.add(k)) {
          throw request("inputs: input '" + k + "' given twice");
        }
        p.nextToken();
        l.at("inputs['" + k + "']");
        l.value(p, 0);
        t = p.nextToken();
      }
      if (seen.size() != dtypes.size()) {
        Set<String> missing = new java.util.TreeSet<>(dtypes.keySet());
        missing.removeAll(seen);
        throw request("inputs: Missing inputs " + missing + "; the signature takes " + dtypes.keySet());
      }
    } else {
      if (only == null) {
        throw request("\"inputs\" must be an object of the inputs " + dtypes.keySet() + " (the signature has "
            + dtypes.size() + " inputs)");
      }
      Leaves l = g.get(only);
      l.at("inputs");
      l.value(p, 0);
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    g.forEach((k, l) -> out.put(k, l.build()));
    return out;
  }

  /**
   * Reads one value (a number, string, bool, {@code {"b64": ...}}, or a rectangular list of lists of them) at the
   * parser's current token.
   *
   * @param p the parser, on the value's first token; left on its last
   * @param key the input key, for errors
   * @param dtype the dtype to read
   * @return the tensor
   * @throws IOException on a read error
   */
  public static HostTensor readValue(JsonParser p, String key, DType dtype) throws IOException {
    Leaves l = new Leaves(key, dtype);
    l.at(key);
    l.value(p, 0);
    return l.build();
  }

  /**
   * TF Serving's predict answer: {@code {"predictions": [...]}} (row format: one entry per row; a single output
   * unwrapped, else an object per row) or {@code {"outputs": ...}} (columnar: each output whole; a single output
   * unwrapped).
   *
   * @param rowFormat true when the request used {@code "instances"}
   * @param outputs the outputs by key
   * @return the JSON bytes
   * @throws TensorIoException in row format, for a scalar output or outputs of different first dimensions
   */
  public static byte[] predictResponse(boolean rowFormat, Map<String, HostTensor> outputs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(b)) {
      g.writeStartObject();
      List<String> keys = new ArrayList<>(new TreeMap<>(outputs).keySet());
      if (rowFormat) {
        long n = -1;
        for (String k : keys) {
          HostTensor t = outputs.get(k);
          if (t.rank() == 0) {
            throw new TensorIoException(k, "output '" + k + "' is a scalar, which has no rows: use the columnar "
                + "format (\"inputs\")");
          }
          if (n >= 0 && t.shape()[0] != n) {
            throw new TensorIoException(k, "output '" + k + "' has " + t.shape()[0] + " rows, another has " + n
                + " (inconsistent batch size): use the columnar format (\"inputs\")");
          }
          n = t.shape()[0];
        }
        g.writeFieldName("predictions");
        g.writeStartArray();
        for (long r = 0; r < n; r++) {
          if (keys.size() == 1) {
            writeRow(g, outputs.get(keys.get(0)), r);
          } else {
            g.writeStartObject();
            for (String k : keys) {
              g.writeFieldName(k);
              writeRow(g, outputs.get(k), r);
            }
            g.writeEndObject();
          }
        }
        g.writeEndArray();
      } else {
        g.writeFieldName("outputs");
        if (keys.size() == 1) {
          writeValue(g, outputs.get(keys.get(0)));
        } else {
          g.writeStartObject();
          for (String k : keys) {
            g.writeFieldName(k);
            writeValue(g, outputs.get(k));
          }
          g.writeEndObject();
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  /**
   * Writes a whole tensor as a (nested) JSON value.
   *
   * @param g the generator
   * @param t the tensor; strings are base64 objects when its key ends in {@code _bytes}
   * @throws IOException on a write error
   */
  public static void writeValue(JsonGenerator g, HostTensor t) throws IOException {
    write(g, t, t.shape(), 0, 0, t.key().endsWith("_bytes"));
  }

  /**
   * Writes row {@code r} (index into the first dimension) of a tensor of rank at least 1.
   *
   * @param g the generator
   * @param t the tensor
   * @param r the row
   * @throws IOException on a write error
   */
  public static void writeRow(JsonGenerator g, HostTensor t, long r) throws IOException {
    long[] s = t.shape();
    long per = 1;
    for (int i = 1; i < s.length; i++) {
      per *= s[i];
    }
    write(g, t, s, 1, r * per, t.key().endsWith("_bytes"));
  }

  private static long write(JsonGenerator g, HostTensor t, long[] s, int depth, long pos, boolean b64)
      throws IOException {
    if (depth == s.length) {
      element(g, t, pos, b64);
      return pos + 1;
    }
    g.writeStartArray();
    for (long i = 0; i < s[depth]; i++) {
      pos = write(g, t, s, depth + 1, pos, b64);
    }
    g.writeEndArray();
    return pos;
  }

  private static void element(JsonGenerator g, HostTensor t, long i, boolean b64) throws IOException {
    switch (t.dtype()) {
      case FLOAT16, BFLOAT16, FLOAT32 -> g.writeNumber(t.getFloat(i));
      case FLOAT64 -> g.writeNumber(t.getDouble(i));
      case INT8, INT16, INT32, UINT8, UINT16 -> g.writeNumber((int) t.getLong(i));
      case INT64, UINT32 -> g.writeNumber(t.getLong(i));
      case UINT64 -> g.writeNumber(Long.toUnsignedString(t.getLong(i)));
      case BOOL -> g.writeBoolean(t.getBoolean(i));
      case STRING -> {
        byte[] v = t.getBytes(i);
        String text = b64 ? null : utf8(v);
        if (text != null) {
          g.writeString(text);
        } else {
          g.writeStartObject();
          g.writeStringField("b64", Base64.getEncoder().encodeToString(v));
          g.writeEndObject();
        }
      }
    }
  }

  /** The bytes as text when they are valid UTF-8, else null. */
  private static String utf8(byte[] v) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(v)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
