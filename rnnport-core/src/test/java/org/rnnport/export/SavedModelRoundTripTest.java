package org.rnnport.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Batcher;
import org.rnnport.data.ImageSet;
import org.rnnport.data.Mnist;
import org.rnnport.eval.Inspector;
import org.rnnport.models.MnistRnn;
import org.rnnport.nn.SeedSource;
import org.rnnport.train.Trainer;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class SavedModelRoundTripTest {
  @TempDir
  Path tmp;

  private static float[] logits(org.tensorflow.Session s, String input, String output, ImageSet set, int n) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, 28, 28), DataBuffers.of(set.pixels(), true, false).narrow(n * 784L));
         Result r = s.runner().feed(input, x).fetch(output).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[n * 10];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  @Test
  void exportReloadGivesIdenticalLogitsAndOnlyModelVariables() throws IOException {
    Mnist mnist = TestData.mnist();
    MnistRnn model = new MnistRnn();
    try (Trainer t = new Trainer(model, SeedSource.tf1GraphSeed(11), 0.001f, 0, null)) {
      Checkpoint ckpt = new Checkpoint(Ops.create(t.graph()), "export_vars", t.modelGraph().modelVariables());
      t.initialize();
      Batcher b = new Batcher(mnist.train(), 128, BatchOrder.SHUFFLE, 11);
      for (int i = 0; i < 20; i++) {
        b.next();
        t.step(b.x(), b.y(), 128);
      }
      ModelInfo info = Provenance.modelInfo(model, "input_X", Map.of("seed", 11), Map.of());
      Path dir = SavedModelExporter.export(model, t.session(), ckpt, tmp, null, info);
      assertThat(dir).isEqualTo(tmp.resolve("mnist-rnn/1"));
      float[] expected = logits(t.session(), "input_X", t.modelGraph().logits().op().name(), mnist.test(), 64);

      try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve")) {
        var fn = bundle.function("serving_default");
        assertThat(fn.signature().methodName()).isEqualTo("tensorflow/serving/predict");
        assertThat(fn.signature().inputNames()).containsExactly("input_X");
        assertThat(fn.signature().outputNames()).containsExactlyInAnyOrder("logits", "probabilities", "classes");
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(64, 28, 28),
            DataBuffers.of(mnist.test().pixels(), true, false).narrow(64 * 784L));
             Result r = fn.call(Map.of("input_X", x))) {
          TFloat32 got = (TFloat32) r.get("logits").orElseThrow();
          float[] actual = new float[64 * 10];
          got.copyTo(DataBuffers.of(actual, false, false));
          assertThat(actual).as("logits of the reloaded model, bit for bit").containsExactly(expected);
        }
      }
      // the export holds the model's variables, not the Adam slots
      var vars = Inspector.variables(Inspector.read(dir).getMetaGraphs(0));
      assertThat(vars).extracting(Inspector.VariableInfo::name)
          .containsExactly("Variable", "Variable_1", "rnn/basic_rnn_cell/bias", "rnn/basic_rnn_cell/kernel");
      assertThat(ModelInfo.read(dir).model()).isEqualTo("mnist-rnn");
      String shown = Inspector.show(dir);
      assertThat(shown).contains("signature_def['serving_default']", "inputs['input_X']", "shape: (-1, 28, 28)",
          "outputs['classes']", "dtype: DT_INT64", "Method name is: tensorflow/serving/predict",
          "rnn/basic_rnn_cell/kernel: DT_FLOAT (156, 128)");

      // versions count up; an existing version is never overwritten and a failure leaves nothing
      Path second = SavedModelExporter.export(model, t.session(), ckpt, tmp, null, info);
      assertThat(second).isEqualTo(tmp.resolve("mnist-rnn/2"));
      assertThatThrownBy(() -> SavedModelExporter.export(model, t.session(), ckpt, tmp, 2, info))
          .hasMessageContaining("already exists");
      try (Stream<Path> s = Files.list(tmp.resolve("mnist-rnn"))) {
        assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("1", "2");
      }
    }
  }
}
