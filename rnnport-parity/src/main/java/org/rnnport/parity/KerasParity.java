package org.rnnport.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceBatches;
import org.rnnport.export.Checkpoint;
import org.rnnport.export.ModelInfo;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.export.Versions;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.train.Trainer;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Json;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Parity of a Keras notebook (003b): Keras draws its initial weights from its own generator, so the
 * oracle exports them by name and Java restores them; then both sides train the same batches
 * ({@code train_on_batch} in file order), and the losses, final weights, test logits and the
 * cross-loaded SavedModels (Python's is a TF2 SavedModel of the Keras model) are compared.
 */
final class KerasParity {
  private KerasParity() {}

  static ParityReport run(ParityRunner.Options o, PrintStream log) throws IOException {
    NotebookModel model = o.notebookModel();
    ParityRunner.Setup st = ParityRunner.setup(o, log, model.registryName());
    Path out = st.out();
    Path py = st.py();
    Path dataDir = st.dataDir();
    log.println("running the Python oracle " + st.oracle().module() + " (" + o.steps() + " train_on_batch steps)");
    st.runOracle(o, List.of(), log);
    ParityReport rep = st.report(o);
    rep.settings.put("order", "sequential (train_on_batch on batches of " + model.defaults().batchSize() + ")");
    rep.settings.put("init", "Python's initial weights, restored by name");
    rep.settings.put("gradients", o.gradients().name().toLowerCase());

    Reuters.Padded data = Reuters.notebook(dataDir);
    int n = Math.min(o.testCount(), data.test().size());
    try (Trainer java = o.trainer()) {
      List<Tf1Variable> modelVars = java.modelGraph().modelVariables();
      ParityRunner.checkCheckpointNames(py.resolve("initial/variables.json"), modelVars);
      rep.check("variables: names, shapes (tf-keras vs Java)", "identical (" + modelVars.size() + ")", "identical", true);
      Checkpoint ckpt = new Checkpoint(Ops.create(java.graph()), "parity_ckpt", modelVars);
      java.initialize();
      ckpt.restore(java.session(), py.resolve("initial/model.ckpt").toString());
      rep.check("initial weights", "Python's, restored by name (Keras draws them from its own generator)",
          "restored", true);

      SequenceBatches batches = new SequenceBatches(data.train(), model.defaults().batchSize(), BatchOrder.SEQUENTIAL, 0);
      batches.startEpoch();
      for (int i = 0; i < o.steps(); i++) {
        int b = i % batches.batchesPerEpoch();
        try (TInt32 x = batches.x(b); TFloat32 y = batches.y(b)) {
          rep.javaLosses.add(java.runBatch(x, y, true).loss());
        }
      }
      for (JsonNode x : Json.MAPPER.readTree(py.resolve("losses.json").toFile()).get("losses")) {
        rep.pythonLosses.add((float) x.asDouble());
      }
      float[] jl = ParityRunner.toArray(rep.javaLosses);
      float[] pl = ParityRunner.toArray(rep.pythonLosses);
      boolean firstSame = Float.floatToIntBits(jl[0]) == Float.floatToIntBits(pl[0]);
      rep.check("first-step loss", String.format("Java %s, Python %s%s", jl[0], pl[0], firstSame ? " (bit-identical)" : ""),
          "bit-identical", firstSame);
      TrainingChecks.losses(rep, o.gradients(), o.steps(), jl, pl);

      Map<String, float[]> javaFinal = java.values(modelVars);
      Map<String, float[]> pyFinal;
      try (Trainer other = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), model.defaults().learningRate(), 0, null)) {
        new Checkpoint(Ops.create(other.graph()), "parity_ckpt", other.modelGraph().modelVariables())
            .restore(other.session(), py.resolve("final/model.ckpt").toString());
        pyFinal = other.values(other.modelGraph().modelVariables());
      }
      Compare.Diff fin = ParityRunner.compareVariables(modelVars, javaFinal, pyFinal, rep, "finalModelVariables");
      TrainingChecks.finalVariables(rep, o.gradients(), o.steps(), fin);

      float[] pyLogits = ParityRunner.readFloats(py.resolve("test_logits.json"), "logits");
      float[] javaLogits;
      try (TInt32 x = SequenceBatches.range(data.test(), 0, n); TFloat32 y = SequenceBatches.rangeLabels(data.test(), 0, n);
           org.tensorflow.Result r = java.session().runner().feed(java.modelGraph().input(), x)
               .fetch(java.modelGraph().logits()).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        javaLogits = new float[(int) t.size()];
        t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(javaLogits, false, false));
      }
      Compare.Diff tl = Compare.diff(javaLogits, pyLogits);
      TrainingChecks.testLogits(rep, o.gradients(), "test logits after training (first " + n + " examples)", tl);

      Path javaModels = out.resolve("java/savedmodels");
      ModelInfo info = new ModelInfo(model.name(), model.notebook(), model.input().name(), model.input().dataset(),
          SavedModelExporter.SIGNATURE, java.modelGraph().inputKey(), model.classes(), Instant.now().toString(),
          Versions.all(), Map.of("parity", true));
      Path javaSaved = SavedModelExporter.export(model, java.session(),
          new Checkpoint(Ops.create(java.graph()), "parity_export", modelVars), javaModels, 1, info);
      float[] javaSavedLogits;
      float[] pySavedInJava;
      try (TInt32 x = SequenceBatches.range(data.test(), 0, n)) {
        javaSavedLogits = ParityRunner.savedModelLogits(javaSaved, x);
        pySavedInJava = ParityRunner.savedModelLogits(py.resolve("savedmodel/1"), x);
      }
      Compare.Diff exportDiff = Compare.diff(javaSavedLogits, javaLogits);
      rep.check("Java SavedModel vs the Java training graph", exportDiff.describe(), "bit-identical", exportDiff.bitIdentical());
      Compare.Diff j2p = Compare.diff(pySavedInJava, pyLogits);
      rep.check("Python SavedModel (TF2, Keras) loaded in Java vs Python's logits", j2p.describe(), "max abs <= 1e-6",
          j2p.maxAbs() <= ParityRunner.MAX_CROSS_LOGITS_DIFF);

      Path crossOut = out.resolve("python-loads-java.json");
      st.env().runModule(o.parityDir().toAbsolutePath(), "rnnport_oracle.load_savedmodel", List.of("--model",
          javaSaved.toString(), "--data-dir", dataDir.toString(), "--count", Integer.toString(n), "--dataset", "reuters",
          "--out", crossOut.toString()), log);
      JsonNode cross = Json.MAPPER.readTree(crossOut.toFile());
      for (String loader : List.of("v2", "v1")) {
        Compare.Diff d = Compare.diff(ParityRunner.floats(cross.get(loader).get("logits")), javaSavedLogits);
        String label = loader.equals("v2") ? "tf.saved_model.load(...).signatures['serving_default']"
            : "tf.compat.v1.saved_model.loader.load";
        rep.check("Java SavedModel loaded in Python, " + label, d.describe(), "max abs <= 1e-6",
            d.maxAbs() <= ParityRunner.MAX_CROSS_LOGITS_DIFF);
      }
    }
    ParityRunner.write(rep, out);
    return rep;
  }
}
