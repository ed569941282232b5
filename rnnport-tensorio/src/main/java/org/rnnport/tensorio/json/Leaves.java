package org.rnnport.tensorio.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.Minifloats;
import org.rnnport.tensorio.Shapes;
import org.rnnport.tensorio.TensorIoException;

/**
 * One tensor gathered from JSON values, leaf by leaf: checks that the nesting is rectangular (TF Serving's rule:
 * the first array at each depth fixes the size, every leaf sits at the same depth) and parses each leaf's text for
 * the dtype.
 */
final class Leaves {
  private static final int MAX_RANK = 64;

  private final String key;
  private final DType dtype;
  private final long[] dims = new long[MAX_RANK];
  private final boolean[] known = new boolean[MAX_RANK];
  private int rank = -1;
  private byte[] bytes = new byte[64];
  private int length;
  private final List<byte[]> strings = new ArrayList<>();
  private long count;
  private String where;

  Leaves(String key, DType dtype) {
    this.key = key;
    this.dtype = dtype;
  }

  /** Where the next values are, for errors ({@code instances[3]['x']}). */
  void at(String where) {
    this.where = where;
  }

  private TensorIoException error(String message) {
    return new TensorIoException(key, "input '" + key + "' at " + where + ": " + message);
  }

  /** Reads the value at the parser's current token, at nesting {@code depth}. */
  void value(JsonParser p, int depth) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_ARRAY) {
      if (rank >= 0 && depth >= rank) {
        throw error("a list at depth " + depth + ", below the leaves of the first value (rank " + rank + ")");
      }
      if (depth >= MAX_RANK - 1) {
        throw error("lists nested deeper than " + (MAX_RANK - 1));
      }
      long n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        value(p, depth + 1);
        n++;
      }
      if (n == 0) {
        leafDepth(depth + 1);
      }
      dim(depth, n);
      return;
    }
    if (t == JsonToken.START_OBJECT) {
      if (p.nextToken() != JsonToken.FIELD_NAME) {
        throw error("{} is not a " + dtype.label() + " value");
      }
      b64(p, depth);
      return;
    }
    leafDepth(depth);
    leaf(p, t);
  }

  /** A {@code {"b64": "..."}} leaf whose field name is the parser's current token. */
  void b64(JsonParser p, int depth) throws IOException {
    leafDepth(depth);
    if (dtype != DType.STRING) {
      throw error("JSON object is not of expected type: " + dtype.tfName() + " (only string inputs take {\"b64\": ...})");
    }
    if (!p.currentName().equals("b64") || p.nextToken() != JsonToken.VALUE_STRING) {
      throw error("a JSON object for bytes must be {\"b64\": \"<base64>\"}");
    }
    String text = p.getText();
    if (p.nextToken() != JsonToken.END_OBJECT) {
      throw error("a JSON object for bytes must have the one key \"b64\"");
    }
    try {
      strings.add(Base64.getDecoder().decode(text));
    } catch (IllegalArgumentException e) {
      throw error("Unable to base64 decode: " + e.getMessage());
    }
    count++;
  }

  private void leafDepth(int depth) {
    if (rank < 0) {
      rank = depth;
    } else if (depth != rank) {
      throw error("a value at depth " + depth + ", but the first value's leaves are at depth " + rank
          + " (the input must be a rectangular list of lists)");
    }
  }

  /** Records that the list at {@code depth} has {@code n} elements: all lists at one depth must agree. */
  void dim(int depth, long n) {
    if (known[depth]) {
      if (dims[depth] != n) {
        throw error("a list at depth " + depth + " has " + n + " elements, the first has " + dims[depth]
            + " (ragged input)");
      }
    } else {
      known[depth] = true;
      dims[depth] = n;
    }
  }

  private void leaf(JsonParser p, JsonToken t) throws IOException {
    switch (dtype) {
      case FLOAT32 -> putInt(Float.floatToRawIntBits((float) number(p, t, true)), 4);
      case FLOAT64 -> putLong(Double.doubleToRawLongBits(number(p, t, false)), 8);
      case FLOAT16 -> putLong(Minifloats.halfFromDouble(number(p, t, false)), 2);
      case BFLOAT16 -> putLong(Minifloats.bfloat16FromDouble(number(p, t, false)), 2);
      case BOOL -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw typeError(p, t);
        }
        putLong(t == JsonToken.VALUE_TRUE ? 1 : 0, 1);
      }
      case STRING -> {
        if (t != JsonToken.VALUE_STRING) {
          throw typeError(p, t);
        }
        strings.add(p.getText().getBytes(StandardCharsets.UTF_8));
      }
      default -> putLong(integer(p, t), dtype.bytes());
    }
    count++;
  }

  private TensorIoException typeError(JsonParser p, JsonToken t) throws IOException {
    String text = t == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : p.getText();
    if (text.length() > 40) {
      text = text.substring(0, 37) + "...";
    }
    return error("JSON Value: " + text + " is not of expected type: " + dtype.tfName());
  }

  /**
   * A float leaf: a number, or NaN / Infinity / -Infinity; rounded once, from the text, to float for float32 (Jackson
   * parses the token straight to a float) and to double otherwise.
   */
  private double number(JsonParser p, JsonToken t, boolean float32) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw typeError(p, t);
    }
    if (p.isNaN()) {
      return Double.parseDouble(p.getText()); // NaN, Infinity, -Infinity
    }
    return float32 ? p.getFloatValue() : p.getDoubleValue();
  }

  /** An integer leaf, parsed from its text for the dtype (never through a double), range-checked. */
  private long integer(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw typeError(p, t);
    }
    JsonParser.NumberType nt = p.getNumberType();
    if (nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG) {
      long v = p.getLongValue();
      if (dtype == DType.UINT64 ? v < 0 : dtype != DType.INT64 && (v < HostTensor.min(dtype) || v > HostTensor.max(dtype))) {
        throw outOfRange(p);
      }
      return v;
    }
    if (dtype == DType.UINT64) {
      java.math.BigInteger b = p.getBigIntegerValue();
      if (b.signum() >= 0 && b.bitLength() <= 64) {
        return b.longValue(); // the 64 bits of a value past 2^63 - 1
      }
    }
    throw outOfRange(p);
  }

  private TensorIoException outOfRange(JsonParser p) throws IOException {
    return error(p.getText() + " is out of range for " + dtype.label() + (dtype == DType.UINT64
        ? " [0, 18446744073709551615]" : " [" + HostTensor.min(dtype) + ", " + HostTensor.max(dtype) + "]"));
  }

  private void putInt(int v, int n) {
    putLong(v, n);
  }

  private void putLong(long v, int n) {
    if (length + n > bytes.length) {
      if (bytes.length >= Shapes.MAX_BYTES / 2) {
        throw error("more than " + Shapes.MAX_BYTES + " bytes of values");
      }
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, 64));
    }
    for (int i = 0; i < n; i++) {
      bytes[length++] = (byte) (v >>> (8 * i));
    }
  }

  /** The tensor gathered, of shape the dimensions seen (a value with no leaf has rank of its nesting). */
  HostTensor build() {
    int r = Math.max(rank, 0);
    long[] shape = Arrays.copyOf(dims, r);
    for (int i = 0; i < r; i++) {
      if (!known[i]) {
        throw error("no dimension " + i + " seen");
      }
    }
    if (dtype == DType.STRING) {
      return HostTensor.ofStrings(key, shape, strings.toArray(new byte[0][]));
    }
    return HostTensor.ofBytes(key, dtype, shape, length == bytes.length ? bytes : Arrays.copyOf(bytes, length));
  }

  long count() {
    return count;
  }
}
