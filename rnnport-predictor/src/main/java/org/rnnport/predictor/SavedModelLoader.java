package org.rnnport.predictor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TString;

/**
 * TensorFlow's SavedModel loader ({@code loader.cc}) done in Java, from a MetaGraphDef held in memory: reads
 * {@code saved_model.pb}, picks the meta graph of the tags, drops (in memory) the signatures TF Java cannot call,
 * imports the graph into a session, restores the variables from {@code variables/variables} and runs the init op
 * with the assets fed, as TensorFlow's loader does. Nothing is ever written into or beside the model's folder.
 *
 * <p>Where it is stricter than TensorFlow's loader: a graph that holds variables in a folder without
 * {@code variables/variables.index} is refused by name (TensorFlow logs "no checkpoints were restored" and serves
 * uninitialized variables; a half-copied version folder looks just like that).
 *
 * <p>A signature whose declared dtype or shape disagrees with its graph tensor loads, with a warning naming both: a
 * call feeds what it carries and the graph decides (TF Serving's rule; TF Java's own {@code SavedModelBundle}
 * refuses such a model whole). A signature is dropped, with the reason kept for its callers, when a tensor it names
 * is not in the graph, is sparse or composite, or when two of its outputs name one tensor.
 */
final class SavedModelLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelLoader.class);
  private static final Set<String> VARIABLE_OPS = Set.of("VariableV2", "Variable", "VarHandleOp", "AutoReloadVariable",
      "_VarHandlesOp");
  static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

  private SavedModelLoader() {}

  /** A loaded SavedModel: graph, session, the meta graph as stored, callable signatures, dropped ones with why. */
  record Loaded(Graph graph, Session session, MetaGraphDef metaGraph, Map<String, SessionFunction> functions,
      Map<String, String> dropped) implements AutoCloseable {
    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /** Loads {@code dir} (a version folder) with exactly {@code tags}; {@code config} may be null. */
  static Loaded load(Path dir, String[] tags, org.tensorflow.proto.ConfigProto config) throws IOException {
    MetaGraphDef stored = metaGraph(dir, tags);
    Map<String, String> dropped = new TreeMap<>();
    Graph g = new Graph();
    Session s = null;
    try {
      try {
        g.importGraphDef(stored.getGraphDef());
      } catch (RuntimeException e) {
        throw new IOException(dir + ": cannot import the SavedModel's graph: " + e.getMessage(), e);
      }
      MetaGraphDef.Builder edited = stored.toBuilder();
      for (Map.Entry<String, SignatureDef> e : new TreeMap<>(stored.getSignatureDefMap()).entrySet()) {
        if (e.getKey().equals(INIT_OP_SIGNATURE)) {
          continue;
        }
        String why = uncallable(g, e.getValue());
        if (why != null) {
          dropped.put(e.getKey(), why);
          edited.removeSignatureDef(e.getKey());
          LOG.warn("{}: signature '{}' is not served: {}", dir, e.getKey(), why);
        } else {
          for (String w : disagreements(g, e.getValue())) {
            LOG.warn("{}: signature '{}': {}; a call feeds what it carries and the graph decides", dir, e.getKey(), w);
          }
        }
      }
      MetaGraphDef mg = edited.build();
      s = new Session(g, false, config);
      Map<String, Tensor> assets = new LinkedHashMap<>();
      try {
        for (AssetFileDef a : assetFiles(mg)) {
          assets.put(a.getTensorInfo().getName(), TString.scalarOf(dir.resolve("assets").resolve(a.getFilename())
              .toString()));
        }
        restore(dir, mg, g, s, assets);
        String init = initOp(mg);
        if (init != null) {
          run(s, init, assets, null, null, dir, "running the init op " + init);
        }
      } finally {
        assets.values().forEach(Tensor::close);
      }
      Map<String, SessionFunction> functions = new LinkedHashMap<>();
      for (Map.Entry<String, SignatureDef> e : new TreeMap<>(mg.getSignatureDefMap()).entrySet()) {
        if (!e.getKey().equals(INIT_OP_SIGNATURE)) {
          functions.put(e.getKey(), SessionFunction.create(signature(g, e.getKey(), e.getValue()), s));
        }
      }
      return new Loaded(g, s, stored, functions, dropped);
    } catch (IOException | RuntimeException | Error e) {
      if (s != null) {
        s.close();
      }
      g.close();
      throw e;
    }
  }

  /** The meta graph of {@code dir} with exactly {@code tags}, as TensorFlow's loader finds it. */
  static MetaGraphDef metaGraph(Path dir, String[] tags) throws IOException {
    Path pb = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(pb)) {
      throw new IOException("SavedModel not found in export directory: " + dir + " (no saved_model.pb)");
    }
    SavedModel sm;
    try {
      sm = SavedModel.parseFrom(Files.readAllBytes(pb));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(pb + ": not a SavedModel proto (truncated or corrupt?): " + e.getMessage(), e);
    }
    Set<String> want = Set.of(tags);
    List<String> seen = new ArrayList<>();
    for (MetaGraphDef mg : sm.getMetaGraphsList()) {
      if (Set.copyOf(mg.getMetaInfoDef().getTagsList()).equals(want)) {
        return mg;
      }
      seen.add(mg.getMetaInfoDef().getTagsList().toString());
    }
    throw new IOException(dir + ": Could not find meta graph def matching supplied tags: " + want
        + "; its tag-sets: " + seen);
  }

  /** Why TF Java cannot call this signature, or null when it can. */
  static String uncallable(Graph g, SignatureDef sig) {
    for (var io : List.of(Map.entry("input", sig.getInputsMap()), Map.entry("output", sig.getOutputsMap()))) {
      for (Map.Entry<String, TensorInfo> e : new TreeMap<>(io.getValue()).entrySet()) {
        TensorInfo t = e.getValue();
        if (t.getEncodingCase() != TensorInfo.EncodingCase.NAME) {
          return io.getKey() + " '" + e.getKey() + "' is a " + t.getEncodingCase() + " tensor, which TF Java's session "
              + "call cannot " + (io.getKey().equals("input") ? "feed" : "fetch");
        }
        if (output(g, t.getName()) == null) {
          return io.getKey() + " '" + e.getKey() + "': tensor " + t.getName() + " is not in the graph";
        }
      }
    }
    Map<String, String> byTensor = new TreeMap<>();
    for (Map.Entry<String, TensorInfo> o : new TreeMap<>(sig.getOutputsMap()).entrySet()) {
      String first = byTensor.putIfAbsent(o.getValue().getName(), o.getKey());
      if (first != null) {
        return "outputs '" + first + "' and '" + o.getKey() + "' name the same tensor " + o.getValue().getName()
            + ", which TF Java's signature call cannot fetch twice (TF Serving answers both): export one output per tensor";
      }
    }
    return null;
  }

  /** The declared dtypes and shapes that differ from the graph's tensors, one text each (naming both). */
  static List<String> disagreements(Graph g, SignatureDef sig) {
    List<String> out = new ArrayList<>();
    for (var io : List.of(Map.entry("input", sig.getInputsMap()), Map.entry("output", sig.getOutputsMap()))) {
      for (Map.Entry<String, TensorInfo> e : new TreeMap<>(io.getValue()).entrySet()) {
        TensorInfo t = e.getValue();
        Output<?> o = output(g, t.getName());
        if (o.dataType() != t.getDtype()) {
          out.add(io.getKey() + " '" + e.getKey() + "': tensor " + t.getName() + " is " + o.dataType()
              + " in the graph, but the signature declares " + t.getDtype());
        }
        long[] declared = declaredShape(t);
        if (declared != null && !o.shape().isUnknown()
            && !o.shape().isCompatibleWith(org.tensorflow.ndarray.Shape.of(declared))) {
          out.add(io.getKey() + " '" + e.getKey() + "': tensor " + t.getName() + " has shape " + o.shape()
              + " in the graph, but the signature declares " + java.util.Arrays.toString(declared));
        }
      }
    }
    return out;
  }

  /** A signature tensor's declared shape, or null for an unknown rank. */
  static long[] declaredShape(TensorInfo t) {
    TensorShapeProto s = t.getTensorShape();
    return s.getUnknownRank() ? null : s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }

  static Output<?> output(Graph g, String name) {
    try {
      return g.output(name);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * TF Java's signature over the graph's own tensors (so its checks, which compare a signature with the graph, pass
   * for a declared shape the graph does not have), with the stored signature's keys, tensors and method name.
   */
  private static Signature signature(Graph g, String key, SignatureDef def) {
    Signature.Builder b = Signature.builder().key(key).methodName(def.getMethodName());
    new TreeMap<>(def.getInputsMap()).forEach((k, t) -> b.input(k, g.output(t.getName())));
    new TreeMap<>(def.getOutputsMap()).forEach((k, t) -> b.output(k, g.output(t.getName())));
    return b.build();
  }

  /**
   * Restores the variables as TensorFlow's {@code RunRestore} does (the saver's restore op fed with the
   * {@code variables/variables} prefix), but refuses a graph that holds variables when the checkpoint index is
   * missing, where TensorFlow's loader would log "no checkpoints were restored" and succeed.
   */
  private static void restore(Path dir, MetaGraphDef mg, Graph g, Session s, Map<String, Tensor> assets)
      throws IOException {
    List<String> variables = new ArrayList<>();
    for (NodeDef n : mg.getGraphDef().getNodeList()) {
      if (VARIABLE_OPS.contains(n.getOp())) {
        variables.add(n.getName());
      }
    }
    Path index = dir.resolve("variables").resolve("variables.index");
    if (!Files.isRegularFile(index)) {
      if (!variables.isEmpty()) {
        throw new IOException(dir + ": the graph holds " + variables.size() + " variable(s) (" + first(variables)
            + ") but " + dir.relativize(index) + " is missing: the version is incomplete (still being copied?) and is "
            + "not loaded; it is retried when its folder changes");
      }
      return; // no variables, nothing to restore (TensorFlow's loader logs the same and goes on)
    }
    if (!Files.isReadable(index)) {
      throw new IOException(index + ": the variables index is not readable; the version is not loaded");
    }
    if (!mg.hasSaverDef() || mg.getSaverDef().getRestoreOpName().isEmpty()) {
      if (!variables.isEmpty()) {
        throw new IOException(dir + ": the graph holds variables (" + first(variables) + ") but no saver to restore "
            + "them with");
      }
      return;
    }
    String prefix = dir.resolve("variables").resolve("variables").toString();
    try (TString p = TString.scalarOf(prefix)) {
      run(s, mg.getSaverDef().getRestoreOpName(), assets, mg.getSaverDef().getFilenameTensorName(), p, dir,
          "restoring the variables from " + dir.relativize(index).getParent());
    }
  }

  private static String first(List<String> names) {
    return names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.subList(0, 3)) + ", ...";
  }

  private static void run(Session s, String target, Map<String, Tensor> feeds, String extraName, Tensor extra, Path dir,
      String what) throws IOException {
    Session.Runner r = s.runner();
    feeds.forEach(r::feed);
    if (extraName != null) {
      r.feed(extraName, extra);
    }
    r.addTarget(target.contains(":") ? target.substring(0, target.indexOf(':')) : target);
    try {
      r.run().close();
    } catch (RuntimeException e) {
      throw new IOException(dir + ": " + what + " failed: " + e.getMessage(), e);
    }
  }

  /** The init op as TensorFlow's loader finds it: the init signature, else the main op, else the legacy init op. */
  private static String initOp(MetaGraphDef mg) {
    SignatureDef init = mg.getSignatureDefMap().get(INIT_OP_SIGNATURE);
    if (init != null && init.containsOutputs(INIT_OP_SIGNATURE)) {
      return init.getOutputsOrThrow(INIT_OP_SIGNATURE).getName();
    }
    for (String key : List.of("saved_model_main_op", "legacy_init_op")) {
      CollectionDef c = mg.getCollectionDefMap().get(key);
      if (c != null && c.getNodeList().getValueCount() > 0) {
        return c.getNodeList().getValue(0);
      }
    }
    return null;
  }

  /** The asset files to feed, as TensorFlow's loader reads them (the meta graph's, else the assets collection). */
  private static List<AssetFileDef> assetFiles(MetaGraphDef mg) throws IOException {
    if (mg.getAssetFileDefCount() > 0) {
      return mg.getAssetFileDefList();
    }
    CollectionDef c = mg.getCollectionDefMap().get("saved_model_assets");
    List<AssetFileDef> out = new ArrayList<>();
    if (c != null) {
      for (com.google.protobuf.Any a : c.getAnyList().getValueList()) {
        out.add(a.unpack(AssetFileDef.class));
      }
    }
    return out;
  }
}
