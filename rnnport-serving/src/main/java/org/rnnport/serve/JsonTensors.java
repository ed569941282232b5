package org.rnnport.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rnnport.predictor.TensorSpec;
import org.rnnport.predictor.Tensors;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Tensors from and to TF Serving's JSON: nested arrays of numbers, checked against a signature's
 * dtype, rank and known dimensions, rectangular, integral where the dtype is (NaN and ±Infinity
 * tokens reach float inputs, as in TF Serving). Every error names the input and what is wrong.
 */
final class JsonTensors {
  private JsonTensors() {}

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Values of a dense array gathered from JSON, row-major. */
  record Dense(long[] shape, double[] values) {}

  /**
   * A nested JSON value's shape as its first elements show it, down to the first non-array (the filling checks
   * that the rest is rectangular).
   */
  private static List<Long> shapeOf(JsonNode node) {
    List<Long> shape = new ArrayList<>();
    JsonNode n = node;
    while (n.isArray()) {
      shape.add((long) n.size());
      if (n.size() == 0) {
        break;
      }
      n = n.get(0);
    }
    return shape;
  }

  /**
   * Parses one JSON value (a nested array of numbers, or a number) into a dense array.
   *
   * @param where names the input in errors, e.g. {@code instances[3]['input_X']}
   */
  static Dense dense(JsonNode node, String where, boolean integral) {
    List<Long> shape = shapeOf(node);
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    if (count > 50_000_000L) {
      throw ServingException.tooLarge(where + ": " + count + " values is too large");
    }
    double[] values = new double[(int) count];
    int[] pos = {0};
    fill(node, 0, shape, values, pos, where, integral);
    return new Dense(shape.stream().mapToLong(Long::longValue).toArray(), values);
  }

  private static void fill(JsonNode n, int depth, List<Long> shape, double[] out, int[] pos, String where, boolean integral) {
    if (depth == shape.size()) {
      if (!n.isNumber()) {
        throw ServingException.invalid(where + ": expected a number, got " + (n.isArray() ? "a nested array (ragged input)"
            : n.getNodeType().name().toLowerCase() + " " + abbreviate(n.toString())));
      }
      double v = n.asDouble();
      // NaN and ±Infinity pass to float inputs, as in TF Serving; an integral input refuses them below
      if (integral && (v != Math.rint(v) || !n.canConvertToLong())) {
        throw ServingException.invalid(where + ": " + abbreviate(n.toString()) + " is not an integer (the input is integral)");
      }
      out[pos[0]++] = v;
      return;
    }
    if (!n.isArray()) {
      throw ServingException.invalid(where + ": ragged input: expected an array of " + shape.get(depth) + " at depth "
          + depth + ", got " + abbreviate(n.toString()));
    }
    if (n.size() != shape.get(depth)) {
      throw ServingException.invalid(where + ": ragged input: arrays at depth " + depth + " have " + shape.get(depth)
          + " and " + n.size() + " elements");
    }
    for (JsonNode c : n) {
      fill(c, depth + 1, shape, out, pos, where, integral);
    }
  }

  private static boolean numeric(TensorSpec spec) {
    return !spec.dtype().equals("DT_STRING") && !spec.dtype().equals("DT_BOOL");
  }

  /**
   * A DT_STRING tensor (JSON strings, or {"b64": ...} for bytes) or a DT_BOOL one (true/false) from a
   * nested JSON value, rectangular.
   */
  static Tensor leaves(TensorSpec spec, JsonNode node, String where) {
    List<Long> shape = shapeOf(node);
    List<JsonNode> flat = new ArrayList<>();
    collect(node, 0, shape, flat, where);
    org.tensorflow.ndarray.Shape s = Shape.of(shape.stream().mapToLong(Long::longValue).toArray());
    boolean strings = spec.dtype().equals("DT_STRING");
    for (JsonNode v : flat) {
      boolean ok = strings ? v.isTextual() || RestRequests.isB64(v) : v.isBoolean();
      if (!ok) {
        throw ServingException.invalid(where + ": JSON Value: " + abbreviate(v.toString()) + " is not of expected type: "
            + spec.dtype());
      }
    }
    if (strings) {
      org.tensorflow.ndarray.NdArray<byte[]> a = org.tensorflow.ndarray.NdArrays.ofObjects(byte[].class, s);
      int[] i = {0};
      a.scalars().forEach(x -> {
        JsonNode v = flat.get(i[0]++);
        try {
          x.setObject(v.isTextual() ? v.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)
              : java.util.Base64.getDecoder().decode(v.get("b64").asText()));
        } catch (IllegalArgumentException e) {
          throw ServingException.invalid(where + ": Unable to base64 decode");
        }
      });
      return org.tensorflow.types.TString.tensorOfBytes(a);
    }
    org.tensorflow.types.TBool t = org.tensorflow.types.TBool.tensorOf(s);
    int[] i = {0};
    t.scalars().forEach(x -> x.setBoolean(flat.get(i[0]++).asBoolean()));
    return t;
  }

  private static void collect(JsonNode n, int depth, List<Long> shape, List<JsonNode> out, String where) {
    if (depth == shape.size()) {
      if (n.isArray()) {
        throw ServingException.invalid(where + ": ragged input: a nested array deeper than the first value's");
      }
      out.add(n);
      return;
    }
    if (!n.isArray() || n.size() != shape.get(depth)) {
      throw ServingException.invalid(where + ": ragged input: expected an array of " + shape.get(depth) + " at depth "
          + depth + ", got " + abbreviate(n.toString()));
    }
    for (JsonNode c : n) {
      collect(c, depth + 1, shape, out, where);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }

  static void checkShape(TensorSpec spec, long[] shape) {
    Tensors.checkShape(spec, shape);
  }

  static boolean integral(TensorSpec spec) {
    return spec.integral();
  }

  /** A tensor of the spec's dtype from rows (each a value of the per-row shape), batch first. */
  static Tensor fromRows(TensorSpec spec, List<JsonNode> rows, String where) {
    if (!numeric(spec)) {
      com.fasterxml.jackson.databind.node.ArrayNode all = F.arrayNode();
      rows.forEach(all::add);
      return leaves(spec, all, where);
    }
    Dense d = denseRows(spec, rows, where);
    return tensor(spec, d.shape(), d.values());
  }

  /** Rows (each a value of the per-row shape) as one dense array, batch first, checked against the spec. */
  static Dense denseRows(TensorSpec spec, List<JsonNode> rows, String where) {
    if (rows.isEmpty()) {
      throw ServingException.invalid("empty instances: nothing to predict");
    }
    long[] rowShape = null;
    double[] all = null;
    int per = 0;
    for (int i = 0; i < rows.size(); i++) {
      Dense d = dense(rows.get(i), where.replace("#", Integer.toString(i)), integral(spec));
      if (rowShape == null) {
        rowShape = d.shape();
        per = d.values().length;
        all = new double[per * rows.size()];
      } else if (!Arrays.equals(rowShape, d.shape())) {
        throw ServingException.invalid(where.replace("#", Integer.toString(i)) + ": shape " + Arrays.toString(d.shape())
            + " differs from the first instance's " + Arrays.toString(rowShape));
      }
      System.arraycopy(d.values(), 0, all, i * per, per);
    }
    long[] shape = new long[rowShape.length + 1];
    shape[0] = rows.size();
    System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
    // shapes are checked by the predictor against the graph's own (TF Serving's rule), not here
    return new Dense(shape, all);
  }

  /** A tensor of the spec's dtype from one whole value (columnar "inputs"). */
  static Tensor fromColumn(TensorSpec spec, JsonNode value, String where) {
    if (!numeric(spec)) {
      return leaves(spec, value, where);
    }
    Dense d = dense(value, where, integral(spec));
    return tensor(spec, d.shape(), d.values());
  }

  static Tensor tensor(TensorSpec spec, long[] shape, double[] v) {
    return Tensors.of(spec, shape, v);
  }

  /**
   * A tensor as nested JSON arrays; {@code row >= 0} takes that row of the first dimension only. The
   * strings of an output whose name ends in {@code _bytes} are binary, {@code {"b64": ...}}, as TF
   * Serving encodes them (api_rest.md, "Encoding binary values"); other strings are UTF-8 text.
   */
  static JsonNode toJson(Tensor t, int row, String name) {
    boolean binary = name != null && name.endsWith("_bytes");
    NdArray<?> a = binary && t instanceof org.tensorflow.types.TString s ? s.asBytes() : (NdArray<?>) t;
    if (row >= 0) {
      a = a.get(row);
    }
    return json(a, binary);
  }

  private static JsonNode json(NdArray<?> a, boolean binary) {
    if (a.rank() == 0) {
      Object v = a.getObject();
      if (v instanceof Float f) {
        return F.numberNode(f);
      } else if (v instanceof Double d) {
        return F.numberNode(d);
      } else if (v instanceof Integer i) {
        return F.numberNode(i);
      } else if (v instanceof Long l) {
        return F.numberNode(l);
      } else if (v instanceof Boolean b) {
        return F.booleanNode(b);
      } else if (v instanceof byte[] bytes) {
        return binary ? F.objectNode().put("b64", java.util.Base64.getEncoder().encodeToString(bytes))
            : F.textNode(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      }
      return F.textNode(String.valueOf(v));
    }
    ArrayNode arr = F.arrayNode((int) a.shape().size(0));
    for (long i = 0; i < a.shape().size(0); i++) {
      arr.add(json(a.get(i), binary));
    }
    return arr;
  }
}
