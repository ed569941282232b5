package org.rnnport.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * What {@code saved_model_cli show --all} prints for a SavedModel (tag-sets, signatures with keys,
 * dtypes, shapes and tensor names, method names) plus its variables and their shapes. Reads
 * {@code saved_model.pb} directly: no session, no native graph.
 */
public final class Inspector {
  private Inspector() {}

  /** A variable found in a meta graph. */
  public record VariableInfo(String name, String op, String dtype, String shape) {}

  public static SavedModel read(Path dir) throws IOException {
    Path pb = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(pb)) {
      throw new IOException(dir + ": not a SavedModel (no saved_model.pb)");
    }
    try (InputStream in = Files.newInputStream(pb)) {
      return SavedModel.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(pb + ": corrupt saved_model.pb: " + e.getMessage(), e);
    }
  }

  /** The variables (VariableV2, VarHandleOp) of a meta graph, by name. */
  public static List<VariableInfo> variables(MetaGraphDef mg) {
    List<VariableInfo> out = new ArrayList<>();
    for (NodeDef n : mg.getGraphDef().getNodeList()) {
      if (n.getOp().equals("VariableV2") || n.getOp().equals("VarHandleOp") || n.getOp().equals("Variable")) {
        AttrValue dtype = n.getAttrMap().get("dtype");
        AttrValue shape = n.getAttrMap().get("shape");
        out.add(new VariableInfo(n.getName(), n.getOp(),
            dtype == null ? "?" : dtype.getType().name(),
            shape == null ? "?" : shape(shape.getShape())));
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  static String shape(TensorShapeProto s) {
    if (s.getUnknownRank()) {
      return "unknown_rank";
    }
    List<String> dims = new ArrayList<>();
    for (TensorShapeProto.Dim d : s.getDimList()) {
      dims.add(Long.toString(d.getSize()));
    }
    return dims.size() == 1 ? "(" + dims.get(0) + ")" : "(" + String.join(", ", dims) + ")";
  }

  /** The report text. */
  public static String show(Path dir) throws IOException {
    SavedModel sm = read(dir);
    StringBuilder sb = new StringBuilder();
    for (MetaGraphDef mg : sm.getMetaGraphsList()) {
      String tags = String.join(", ", mg.getMetaInfoDef().getTagsList());
      sb.append("MetaGraphDef with tag-set: '").append(tags).append("' contains the following SignatureDefs:\n\n");
      Map<String, SignatureDef> sigs = new TreeMap<>(mg.getSignatureDefMap());
      for (Map.Entry<String, SignatureDef> e : sigs.entrySet()) {
        sb.append("signature_def['").append(e.getKey()).append("']:\n");
        sb.append("  The given SavedModel SignatureDef contains the following input(s):\n");
        tensors(sb, "inputs", e.getValue().getInputsMap());
        sb.append("  The given SavedModel SignatureDef contains the following output(s):\n");
        tensors(sb, "outputs", e.getValue().getOutputsMap());
        sb.append("  Method name is: ").append(e.getValue().getMethodName()).append("\n\n");
      }
      sb.append("Variables:\n");
      for (VariableInfo v : variables(mg)) {
        sb.append(String.format("  %s: %s %s (%s)%n", v.name(), v.dtype(), v.shape(), v.op()));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void tensors(StringBuilder sb, String kind, Map<String, TensorInfo> m) {
    for (Map.Entry<String, TensorInfo> t : new TreeMap<>(m).entrySet()) {
      TensorInfo ti = t.getValue();
      sb.append("    ").append(kind).append("['").append(t.getKey()).append("'] tensor_info:\n");
      sb.append("        dtype: ").append(ti.getDtype().name()).append('\n');
      sb.append("        shape: ").append(shape(ti.getTensorShape())).append('\n');
      sb.append("        name: ").append(ti.getName()).append('\n');
    }
  }
}
