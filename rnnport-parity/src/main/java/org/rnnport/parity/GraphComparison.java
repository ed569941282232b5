package org.rnnport.parity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Compares two GraphDefs the way the parity claim needs: variables (name, shape, dtype) and
 * placeholders must be identical; op types may differ (Python's While loop vs Java's static
 * unroll) and are listed.
 */
public final class GraphComparison {
  private GraphComparison() {}

  /** name -> "dtype shape" of nodes of the given op types. */
  public static Map<String, String> nodes(GraphDef g, String... ops) {
    Map<String, String> m = new TreeMap<>();
    List<String> types = List.of(ops);
    for (NodeDef n : g.getNodeList()) {
      if (types.contains(n.getOp())) {
        AttrValue dt = n.getAttrMap().get("dtype");
        AttrValue sh = n.getAttrMap().get("shape");
        m.put(n.getName(), (dt == null ? "?" : dt.getType().name()) + " " + (sh == null ? "?" : shape(sh.getShape())));
      }
    }
    return m;
  }

  static String shape(TensorShapeProto s) {
    if (s.getUnknownRank()) {
      return "<unknown>";
    }
    List<String> d = new ArrayList<>();
    s.getDimList().forEach(x -> d.add(Long.toString(x.getSize())));
    return "[" + String.join(",", d) + "]";
  }

  /** The differences between two name -> description maps, or an empty list. */
  public static List<String> differences(Map<String, String> python, Map<String, String> java) {
    List<String> out = new ArrayList<>();
    for (String k : new TreeSet<>(python.keySet())) {
      if (!java.containsKey(k)) {
        out.add("only in Python: " + k + " " + python.get(k));
      } else if (!java.get(k).equals(python.get(k))) {
        out.add(k + ": Python " + python.get(k) + ", Java " + java.get(k));
      }
    }
    for (String k : new TreeSet<>(java.keySet())) {
      if (!python.containsKey(k)) {
        out.add("only in Java: " + k + " " + java.get(k));
      }
    }
    return out;
  }

  /** Op type -> (Python count, Java count) where the counts differ. */
  public static Map<String, int[]> opTypeDifferences(GraphDef python, GraphDef java) {
    Map<String, int[]> counts = new TreeMap<>();
    python.getNodeList().forEach(n -> counts.computeIfAbsent(n.getOp(), k -> new int[2])[0]++);
    java.getNodeList().forEach(n -> counts.computeIfAbsent(n.getOp(), k -> new int[2])[1]++);
    counts.values().removeIf(c -> c[0] == c[1]);
    return counts;
  }

  /** A signature as comparable text: method, then inputs and outputs with dtype and shape (not tensor names). */
  public static Map<String, String> signature(SignatureDef s) {
    Map<String, String> m = new TreeMap<>();
    m.put("method_name", s.getMethodName());
    for (Map.Entry<String, TensorInfo> e : s.getInputsMap().entrySet()) {
      m.put("input " + e.getKey(), e.getValue().getDtype().name() + " " + shape(e.getValue().getTensorShape()));
    }
    for (Map.Entry<String, TensorInfo> e : s.getOutputsMap().entrySet()) {
      m.put("output " + e.getKey(), e.getValue().getDtype().name() + " " + shape(e.getValue().getTensorShape()));
    }
    return m;
  }
}
