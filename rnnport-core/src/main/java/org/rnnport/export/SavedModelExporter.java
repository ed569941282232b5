package org.rnnport.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.rnnport.predictor.ModelVersions;
import org.rnnport.models.ModelGraph;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.SeedSource;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Json;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a trained model as a SavedModel in TF Serving layout ({@code <root>/<model>/<version>}):
 * a fresh inference graph (no labels, loss or optimizer) holding only the model's variables, tag
 * {@code serve}, signature {@code serving_default} with method {@code tensorflow/serving/predict}.
 * It is written to a hidden temp folder, loaded back as a check, then renamed into place: a failed
 * export leaves nothing, and TF Serving never sees a half-written version.
 */
public final class SavedModelExporter {
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelExporter.class);

  public static final String SIGNATURE = "serving_default";
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";
  public static final String TAG = "serve";

  private SavedModelExporter() {}

  /**
   * Exports the model variables held by {@code trainSession}.
   *
   * @param trained the trained graph's variables (read through a by-name checkpoint)
   * @param version the version folder, or null for one more than the highest present
   * @return the version folder written
   */
  public static Path export(NotebookModel model, Session trainSession, Checkpoint trained, Path root,
      Integer version, ModelInfo info) throws IOException {
    return export(model, trainSession, trained, root, version, info, GraphKind.FAITHFUL);
  }

  /** Exports with the inference graph of {@code kind} (the same variables and signature either way). */
  public static Path export(NotebookModel model, Session trainSession, Checkpoint trained, Path root,
      Integer version, ModelInfo info, GraphKind kind) throws IOException {
    Path modelDir = root.resolve(model.name());
    Files.createDirectories(modelDir);
    int v = version != null ? version : nextVersion(modelDir);
    Path target = modelDir.resolve(Integer.toString(v));
    if (Files.exists(target)) {
      throw new IOException(target + " already exists: choose another --export-version or remove it");
    }
    Path tmp = modelDir.resolve(".export-" + v + "-" + ProcessHandle.current().pid());
    removeStaleExports(modelDir);
    Path ckpt = Files.createTempDirectory("rnnport-ckpt");
    try {
      AtomicFiles.deleteRecursively(tmp);
      String prefix = ckpt.resolve("model").toString();
      trained.save(trainSession, prefix);
      writeSavedModel(model, prefix, tmp, kind);
      Json.write(tmp.resolve(ModelInfo.FILE), info);
      checkLoads(tmp); // before it becomes visible
      org.rnnport.util.TestHooks.pause("export:" + v);
      Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      LOG.info("exported {} to {}", model.name(), target);
      return target;
    } finally {
      AtomicFiles.deleteRecursively(tmp);
      AtomicFiles.deleteRecursively(ckpt);
    }
  }

  /** A killed export's temporary folder: {@code .export-<version>-<pid>}. */
  private static final java.util.regex.Pattern STALE = java.util.regex.Pattern.compile("^\\.export-\\d+-(\\d+)$");

  /**
   * Removes the temporary folders of exports into {@code modelDir} whose process is gone (killed
   * mid-export), saying so on stderr; returns them.
   */
  public static List<Path> removeStaleExports(Path modelDir) throws IOException {
    List<Path> removed = org.rnnport.util.AtomicFiles.removeStale(modelDir, STALE);
    for (Path p : removed) {
      System.err.println("removed " + p + ": the temporary folder of an export that did not finish (its process "
          + "is gone)");
      LOG.debug("removed the stale export folder {}", p);
    }
    return removed;
  }

  /** Checks that the SavedModel in {@code dir} loads and has the serving signature. */
  static void checkLoads(Path dir) throws IOException {
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), TAG)) {
      if (b.function(SIGNATURE) == null) {
        throw new IOException("exported model has no " + SIGNATURE + " signature");
      }
    }
  }

  /**
   * Builds {@code model}'s inference graph of {@code kind}, restores its variables by name from the checkpoint
   * {@code prefix} and writes a SavedModel (no rnnport.json) to {@code dir}.
   */
  public static void writeSavedModel(NotebookModel model, String prefix, Path dir, GraphKind kind)
      throws IOException {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ModelGraph mg = kind.building(() -> model.build(tf, SeedSource.tf1GraphSeed(0), model.defaults().learningRate(),
          false));
      Checkpoint load = new Checkpoint(tf, "rnnport_load", mg.modelVariables());
      try (Session s = new Session(g)) {
        load.restore(s, prefix);
        SavedModelBundle.exporter(dir.toString())
            .withFunction(s.function(signature(mg)))
            .export();
      }
    }
  }

  /** The serving signature of a built model. */
  public static Signature signature(ModelGraph mg) {
    return Signature.builder()
        .key(SIGNATURE)
        .methodName(PREDICT_METHOD)
        .input(mg.inputKey(), mg.input())
        .output("logits", mg.logits())
        .output("probabilities", mg.probabilities())
        .output("classes", mg.classes())
        .build();
  }

  /** One more than the highest numeric version folder in {@code modelDir} (1 when none). */
  public static int nextVersion(Path modelDir) {
    return latestVersion(modelDir) + 1;
  }

  /** The highest version in {@code modelDir} (zero-padded folder names included), or 0. */
  public static int latestVersion(Path modelDir) {
    try {
      java.util.NavigableMap<Long, Path> v = ModelVersions.list(modelDir);
      return v.isEmpty() ? 0 : Math.toIntExact(v.lastKey());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
