package org.rnnport.predict.formats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rnnport.predict.Column;
import org.rnnport.predict.DType;
import org.rnnport.predict.InputException;
import org.rnnport.predict.Values;

/**
 * One JSON value (a number or nested arrays of numbers) parsed with a streaming parser into a
 * typed one-row column: numbers keep their text, so a float32 written by predict reads back
 * bit for bit. Ragged arrays and non-numbers are errors naming the place.
 */
final class JsonValues {
  private JsonValues() {}

  static Column parse(JsonParser p, DType dtype, Path file, String where, String key) throws IOException {
    Values v = new Values(dtype, 64, file, where, key);
    List<Long> dims = new ArrayList<>();
    int[] leafDepth = {-1};
    value(p, 0, dims, leafDepth, v, file, where, key);
    long[] shape = new long[leafDepth[0] < 0 ? dims.size() : leafDepth[0]];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i);
    }
    return v.toColumn(shape, 1);
  }

  private static void value(JsonParser p, int depth, List<Long> dims, int[] leafDepth, Values v, Path file,
      String where, String key) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_ARRAY) {
      if (leafDepth[0] >= 0 && depth >= leafDepth[0]) {
        throw new InputException(file, where, key, "ragged value: a nested array where a number was expected");
      }
      long n = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (p.currentToken() == null) {
          throw new InputException(file, where, key, "unterminated array");
        }
        value(p, depth + 1, dims, leafDepth, v, file, where, key);
        n++;
      }
      while (dims.size() <= depth) {
        dims.add(-1L);
      }
      if (dims.get(depth) < 0) {
        dims.set(depth, n);
      } else if (dims.get(depth) != n) {
        throw new InputException(file, where, key, "ragged value: arrays at depth " + depth + " have " + dims.get(depth)
            + " and " + n + " elements");
      }
    } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      if (leafDepth[0] < 0) {
        leafDepth[0] = depth;
      } else if (leafDepth[0] != depth) {
        throw new InputException(file, where, key, "ragged value: numbers at depths " + leafDepth[0] + " and " + depth);
      }
      v.addText(p.getText());
    } else {
      String what = t == null ? "end of line" : switch (t) {
        case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
        case VALUE_NULL -> "null";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case START_OBJECT -> "an object";
        default -> t.asString() == null ? t.name() : t.asString();
      };
      throw new InputException(file, where, key, "expected a number or an array of numbers, got " + what);
    }
  }

  static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }
}
