package org.rnnport.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.nn.RnnSpec;
import org.rnnport.nn.SeedSource;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;

class ModelSpecTest {
  @TempDir
  Path tmp;

  @Test
  void everyRegistryModelHasItsNotebookSpec() {
    for (String name : ModelRegistry.all().keySet()) {
      ModelSpec s = ModelSpec.builtin(name);
      assertThat(s.resolve().name()).as(name).isEqualTo(name);
      assertThat(s.trainDefaults()).isEqualTo(ModelRegistry.get(name).defaults());
    }
    assertThat(ModelSpec.builtin("mnist-rnn").trainDefaults()).isEqualTo(new TrainDefaults(30, 429, 128, 0.001f));
    assertThat(ModelSpec.builtin("mnist-lstm").trainDefaults().stepsPerEpoch()).isEqualTo(781);
    assertThat(ModelSpec.builtin("reuters-lstm").trainDefaults()).isEqualTo(new TrainDefaults(20, 90, 100, 0.001f));
  }

  @Test
  void specsSelectVariantsAndLayers() throws IOException {
    Path f = tmp.resolve("spec.json");
    Files.writeString(f, "{\"model\": \"mnist-lstm-state\", \"variant\": \"fixed\", "
        + "\"rnn\": {\"cell\": \"gru\", \"units\": 32, \"layers\": 2, \"bidirectional\": true}, \"epochs\": 2}");
    NotebookModel m = ModelSpec.read(f).resolve();
    assertThat(m.name()).isEqualTo("mnist-lstm-state-fixed-gru-x2-bi");
    assertThat(m.rnn()).isEqualTo(new RnnSpec("gru", 32, 2, true));
    Files.writeString(f, "{\"epochs\": 2}");
    assertThatThrownBy(() -> ModelSpec.read(f)).hasMessageContaining("spec.json").hasMessageContaining("\"model\"");
    Files.writeString(f, "{\"model\": \"mnist-rnn\", \"rnn\": {\"cell\": \"tcn\", \"units\": 3, \"layers\": 1}}");
    assertThatThrownBy(() -> ModelSpec.read(f)).hasMessageContaining("spec.json").hasMessageContaining("rnn, lstm or gru");
    assertThatThrownBy(() -> ModelRegistry.get("reuters-lstm").withRnn(new RnnSpec("gru", 3, 1, false)))
        .hasMessageContaining("fixed architecture");
  }

  @Test
  void stackedBidirectionalGruHasTf1Names() {
    NotebookModel m = new MnistRnn(new RnnSpec("gru", 16, 2, true));
    try (Graph g = new Graph()) {
      m.build(Ops.create(g), SeedSource.tf1GraphSeed(1), 0.001f, false);
      Set<String> vars = new LinkedHashSet<>();
      for (NodeDef n : g.toGraphDef().getNodeList()) {
        if (n.getOp().equals("VariableV2")) {
          vars.add(n.getName());
        }
      }
      assertThat(vars).contains("Variable", "Variable_1",
          "bidirectional_rnn/fw/multi_rnn_cell/cell_0/gru_cell/gates/kernel",
          "bidirectional_rnn/fw/multi_rnn_cell/cell_1/gru_cell/candidate/bias",
          "bidirectional_rnn/bw/multi_rnn_cell/cell_1/gru_cell/gates/bias").hasSize(18);
    }
  }
}
