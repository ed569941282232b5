package org.rnnport.predictor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * SavedModels with a signature that does not match its graph (a declared dtype or shape the tensor
 * does not have), which TF Java's loader refuses whole and TF Serving loads: finds those signatures
 * on the graph and loads the model without them, from a folder beside the original that holds a
 * saved_model.pb without them and links to its variables and assets.
 */
final class OddSignatures {
  private OddSignatures() {}

  /** The meta graph of {@code dir} with exactly {@code tags}. */
  static MetaGraphDef metaGraph(Path dir, String[] tags) throws IOException {
    SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
    Set<String> want = Set.of(tags);
    for (MetaGraphDef mg : sm.getMetaGraphsList()) {
      if (Set.copyOf(mg.getMetaInfoDef().getTagsList()).equals(want)) {
        return mg;
      }
    }
    throw new IOException(dir + ": no meta graph with tags " + want);
  }

  /**
   * The signatures with two outputs that name the same graph tensor, with the reason: TF Serving
   * answers both, but TF Java's signature call fetches each tensor once and refuses the second name
   * ("Name collision in the result set"), so such a signature is not callable here.
   */
  static Map<String, String> sharedOutputs(MetaGraphDef mg) {
    Map<String, String> bad = new TreeMap<>();
    mg.getSignatureDefMap().forEach((key, sig) -> {
      Map<String, String> byTensor = new TreeMap<>();
      for (Map.Entry<String, org.tensorflow.proto.TensorInfo> o : new TreeMap<>(sig.getOutputsMap()).entrySet()) {
        String first = byTensor.putIfAbsent(o.getValue().getName(), o.getKey());
        if (first != null && !bad.containsKey(key)) {
          bad.put(key, "outputs '" + first + "' and '" + o.getKey() + "' name the same tensor " + o.getValue().getName()
              + ", which TF Java's signature call cannot fetch twice (TF Serving answers both): export one output per tensor");
        }
      }
    });
    return bad;
  }

  /** The signatures whose tensors do not match the graph, with the reason. */
  static Map<String, String> check(MetaGraphDef mg) {
    Map<String, String> bad = new TreeMap<>();
    try (Graph g = new Graph()) {
      g.importGraphDef(mg.getGraphDef());
      mg.getSignatureDefMap().forEach((key, sig) -> {
        String why = mismatch(g, "input", sig.getInputsMap());
        if (why == null) {
          why = mismatch(g, "output", sig.getOutputsMap());
        }
        if (why != null) {
          bad.put(key, why);
        }
      });
    }
    return bad;
  }

  private static String mismatch(Graph g, String what, Map<String, TensorInfo> tensors) {
    for (Map.Entry<String, TensorInfo> e : tensors.entrySet()) {
      TensorInfo t = e.getValue();
      if (!t.hasName() && t.getName().isEmpty()) {
        continue; // composite or sparse tensors: not checked here
      }
      Output<?> o;
      try {
        o = g.output(t.getName());
      } catch (RuntimeException ex) {
        o = null;
      }
      if (o == null) {
        return what + " '" + e.getKey() + "': tensor " + t.getName() + " is not in the graph";
      }
      if (o.dataType() != t.getDtype()) {
        return what + " '" + e.getKey() + "': tensor " + t.getName() + " is " + o.dataType()
            + " in the graph, but the signature declares " + t.getDtype();
      }
      TensorShapeProto s = t.getTensorShape();
      if (!s.getUnknownRank() && !o.shape().isUnknown()) {
        long[] declared = s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
        if (!o.shape().isCompatibleWith(org.tensorflow.ndarray.Shape.of(declared))) {
          return what + " '" + e.getKey() + "': tensor " + t.getName() + " has shape " + o.shape()
              + " in the graph, but the signature declares " + java.util.Arrays.toString(declared);
        }
      }
    }
    return null;
  }

  /** Loads {@code dir} without the signatures {@code drop}. */
  static SavedModelBundle loadWithout(Path dir, String[] tags, Collection<String> drop,
      org.tensorflow.proto.ConfigProto config) throws IOException {
    SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
    SavedModel.Builder b = sm.toBuilder();
    for (MetaGraphDef.Builder mg : b.getMetaGraphsBuilderList()) {
      for (String k : drop) {
        mg.removeSignatureDef(k);
      }
    }
    Path tmp = Files.createTempDirectory(dir.toAbsolutePath().getParent(), ".rnnport-load-");
    try {
      Files.write(tmp.resolve("saved_model.pb"), b.build().toByteArray());
      for (String sub : List.of("variables", "assets", "assets.extra", "fingerprint.pb")) {
        Path from = dir.toAbsolutePath().resolve(sub);
        if (Files.exists(from)) {
          Files.createSymbolicLink(tmp.resolve(sub), from);
        }
      }
      // variables are restored and assets read now
      return config == null ? SavedModelBundle.load(tmp.toString(), tags)
          : SavedModelBundle.loader(tmp.toString()).withTags(tags).withConfigProto(config).load();
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
