package org.rnnport.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Batcher;
import org.rnnport.data.EvalSet;
import org.rnnport.data.Mnist;
import org.rnnport.eval.Inspector;
import org.rnnport.models.MnistLstm;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.GraphKind;
import org.rnnport.nn.PythonGradients;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.train.Trainer;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The fast and the faithful graph are two graphs over one set of variables: a committed SavedModel rebuilt with
 * the fast graph keeps its signature and variables and gives the same logits (within float rounding), rebuilt back
 * with the faithful graph it gives the original's logits bit for bit, and a training checkpoint of either graph
 * restores into the other by name.
 */
class GraphConversionTest {
  static final int N = 500;

  @TempDir
  Path tmp;

  /** The committed model's logits on the first {@code n} test examples. */
  static float[] logits(Path dir, NotebookModel m, int n) throws IOException {
    EvalSet test = m.protocol().load(TestData.ensure(m.input().dataset())).test();
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve")) {
      var fn = b.function("serving_default");
      String key = fn.signature().inputNames().iterator().next();
      long[] dims = fn.signature().getInputs().get(key).shape.asArray();
      try (Tensor x = test.x(0, n, dims); Result r = fn.call(Map.of(key, x))) {
        TFloat32 t = (TFloat32) r.get("logits").orElseThrow();
        float[] out = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  static int[] argMax(float[] logits, int classes) {
    int[] out = new int[logits.length / classes];
    for (int i = 0; i < out.length; i++) {
      for (int k = 1; k < classes; k++) {
        if (logits[i * classes + k] > logits[i * classes + out[i]]) {
          out[i] = k;
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-rnn", "mnist-lstm", "mnist-lstm-state", "mnist-lstm-state-fixed", "reuters-lstm"})
  void committedModelsRebuildFastAndBack(String name) throws IOException {
    Path committed = TestData.projectDir().resolve("savedmodels").resolve(name).resolve("1");
    NotebookModel m = ModelRegistry.get(name);
    float[] original = logits(committed, m, N);
    try (GraphConversion.Converted fast = GraphConversion.convert(committed, GraphKind.FAST)) {
      var sigF = Inspector.read(fast.dir()).getMetaGraphs(0).getSignatureDefOrThrow("serving_default");
      var sigO = Inspector.read(committed).getMetaGraphs(0).getSignatureDefOrThrow("serving_default");
      assertThat(sigF).as("the fast SavedModel's signature").isEqualTo(sigO);
      assertThat(Inspector.variables(Inspector.read(fast.dir()).getMetaGraphs(0)))
          .isEqualTo(Inspector.variables(Inspector.read(committed).getMetaGraphs(0)));
      assertThat(ModelInfo.read(fast.dir())).isEqualTo(ModelInfo.read(committed));
      float[] f = logits(fast.dir(), m, N);
      double worst = 0;
      double scale = 0;
      for (int i = 0; i < f.length; i++) {
        worst = Math.max(worst, Math.abs(f[i] - original[i]));
        scale = Math.max(scale, Math.abs(original[i]));
      }
      assertThat(worst).as("max |fast - faithful| logit, largest logit %s", scale).isLessThanOrEqualTo(1e-5 * scale);
      assertThat(argMax(f, m.classes())).as("classes").isEqualTo(argMax(original, m.classes()));
      // and back: the faithful graph over the same variables is the original, bit for bit
      try (GraphConversion.Converted back = GraphConversion.convert(fast.dir(), GraphKind.FAITHFUL)) {
        assertThat(logits(back.dir(), m, N)).containsExactly(original);
      }
      Path tmpRoot = fast.dir().getParent();
      assertThat(tmpRoot).exists();
      fast.close();
      assertThat(tmpRoot).doesNotExist();
    }
  }

  @Test
  void aPythonSavedModelCannotBeRebuilt() throws IOException {
    Path dir = tmp.resolve("plain/1");
    Files.createDirectories(dir);
    Files.copy(TestData.projectDir().resolve("savedmodels/mnist-rnn/1/saved_model.pb"), dir.resolve("saved_model.pb"));
    assertThatThrownBy(() -> GraphConversion.convert(dir, GraphKind.FAST)).isInstanceOf(IOException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("has none");
  }

  /** Adam's state included: a checkpoint of one graph continues training in the other. */
  @Test
  void trainingCheckpointsRestoreAcrossGraphsBothWays() throws IOException {
    Mnist mnist = TestData.mnist();
    NotebookModel m = new MnistLstm();
    for (GraphKind from : List.of(GraphKind.FAST, GraphKind.FAITHFUL)) {
      GraphKind to = from == GraphKind.FAST ? GraphKind.FAITHFUL : GraphKind.FAST;
      String prefix = tmp.resolve("ckpt-" + from.label() + "/model").toString();
      Batcher b = new Batcher(mnist.train(), 128, BatchOrder.SEQUENTIAL, 7);
      float[] next = new float[2];
      try (Trainer a = new Trainer(m, SeedSource.tf1GraphSeed(7), 0.001f, 0, null, PythonGradients.Mode.TF, from)) {
        a.initialize();
        for (int i = 0; i < 10; i++) {
          b.next();
          a.step(b.x(), b.y(), 128);
        }
        Files.createDirectories(Path.of(prefix).getParent());
        new Checkpoint(Ops.create(a.graph()), "ckpt", a.modelGraph().allVariables()).save(a.session(), prefix);
        b.next();
        next[0] = a.step(b.x(), b.y(), 128);
        next[1] = a.step(b.x(), b.y(), 128);
      }
      try (Trainer c = new Trainer(m, SeedSource.tf1GraphSeed(99), 0.001f, 0, null, PythonGradients.Mode.TF, to)) {
        List<Tf1Variable> all = c.modelGraph().allVariables();
        c.initialize();
        new Checkpoint(Ops.create(c.graph()), "ckpt", all).restore(c.session(), prefix);
        float l0 = c.step(b.x(), b.y(), 128);
        float l1 = c.step(b.x(), b.y(), 128);
        assertThat((double) Math.abs(l0 - next[0])).as("%s -> %s, first loss", from, to)
            .isLessThanOrEqualTo(1e-5 * next[0]);
        assertThat((double) Math.abs(l1 - next[1])).as("%s -> %s, loss after one more Adam step", from, to)
            .isLessThanOrEqualTo(1e-5 * next[1]);
        assertThat(l1).isLessThan(l0);
      }
    }
  }
}
