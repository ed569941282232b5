package org.rnnport.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.rnnport.nn.SeedSource;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;

class ModelRegistryTest {

  static Stream<String> modelNames() {
    return ModelRegistry.all().keySet().stream();
  }

  private static Map<String, String> variables(NotebookModel m) {
    try (Graph g = new Graph()) {
      m.build(Ops.create(g), SeedSource.tf1GraphSeed(1), m.defaults().learningRate(), false);
      Map<String, String> v = new LinkedHashMap<>();
      for (NodeDef n : g.toGraphDef().getNodeList()) {
        if (n.getOp().equals("VariableV2")) {
          v.put(n.getName(), n.getAttrMap().get("shape").getShape().getDimList().stream()
              .map(d -> Long.toString(d.getSize())).toList().toString());
        }
      }
      return v;
    }
  }

  @Test
  void notebook001And002UseTf1NamesAndShapes() {
    assertThat(variables(ModelRegistry.get("mnist-lstm"))).containsExactly(
        Map.entry("rnn/basic_lstm_cell/kernel", "[156, 512]"), Map.entry("rnn/basic_lstm_cell/bias", "[512]"),
        Map.entry("Variable", "[128, 10]"), Map.entry("Variable_1", "[10]"));
    assertThat(variables(ModelRegistry.get("mnist-lstm-state"))).containsExactly(
        Map.entry("Variable", "[100, 10]"), Map.entry("Variable_1", "[10]"),
        Map.entry("rnn/basic_lstm_cell/kernel", "[128, 400]"), Map.entry("rnn/basic_lstm_cell/bias", "[400]"));
  }

  @Test
  void unknownModelsListTheKnownOnes() {
    assertThatThrownBy(() -> ModelRegistry.get("nope")).hasMessageContaining("mnist-rnn, mnist-lstm");
  }
}
