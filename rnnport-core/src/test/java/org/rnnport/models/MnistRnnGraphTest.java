package org.rnnport.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnport.TestData;
import org.rnnport.export.GraphText;
import org.rnnport.nn.SeedSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

class MnistRnnGraphTest {

  private static Map<String, NodeDef> nodesOfType(GraphDef def, String type) {
    Map<String, NodeDef> m = new LinkedHashMap<>();
    for (NodeDef n : def.getNodeList()) {
      if (n.getOp().equals(type)) {
        m.put(n.getName(), n);
      }
    }
    return m;
  }

  private static String shape(NodeDef n) {
    return n.getAttrMap().get("shape").getShape().getDimList().stream()
        .map(d -> Long.toString(d.getSize())).toList().toString();
  }

  @Test
  void hasTf1NamesShapesAndDtypes() {
    try (Graph g = new Graph()) {
      ModelGraph mg = new MnistRnn().build(Ops.create(g), SeedSource.tf1GraphSeed(1), 0.001f, true);
      GraphDef def = g.toGraphDef();

      Map<String, NodeDef> ph = nodesOfType(def, "Placeholder");
      assertThat(ph).containsKeys("input_X", "output_Y");
      assertThat(shape(ph.get("input_X"))).isEqualTo("[-1, 28, 28]");
      assertThat(shape(ph.get("output_Y"))).isEqualTo("[-1, 10]");
      assertThat(ph.get("input_X").getAttrMap().get("dtype").getType()).isEqualTo(DataType.DT_FLOAT);

      Map<String, NodeDef> vars = nodesOfType(def, "VariableV2");
      Map<String, String> shapes = new LinkedHashMap<>();
      vars.forEach((k, v) -> shapes.put(k, shape(v)));
      assertThat(shapes).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
          Map.entry("Variable", "[128, 10]"),
          Map.entry("Variable_1", "[10]"),
          Map.entry("rnn/basic_rnn_cell/kernel", "[156, 128]"),
          Map.entry("rnn/basic_rnn_cell/bias", "[128]"),
          Map.entry("Variable/Adam", "[128, 10]"),
          Map.entry("Variable/Adam_1", "[128, 10]"),
          Map.entry("Variable_1/Adam", "[10]"),
          Map.entry("Variable_1/Adam_1", "[10]"),
          Map.entry("rnn/basic_rnn_cell/kernel/Adam", "[156, 128]"),
          Map.entry("rnn/basic_rnn_cell/kernel/Adam_1", "[156, 128]"),
          Map.entry("rnn/basic_rnn_cell/bias/Adam", "[128]"),
          Map.entry("rnn/basic_rnn_cell/bias/Adam_1", "[128]"),
          Map.entry("beta1_power", "[]"),
          Map.entry("beta2_power", "[]")));
      vars.values().forEach(v -> assertThat(v.getAttrMap().get("dtype").getType()).isEqualTo(DataType.DT_FLOAT));

      assertThat(mg.modelVariables()).extracting(v -> v.name())
          .containsExactly("Variable", "Variable_1", "rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias");
      // TF1 companions of every variable
      for (String v : vars.keySet()) {
        assertThat(g.operation(v + "/Assign")).as(v + "/Assign").isNotNull();
        assertThat(g.operation(v + "/read")).as(v + "/read").isNotNull();
      }
      // one ApplyAdam per model variable, each gated on every gradient
      Map<String, NodeDef> adam = nodesOfType(def, "ApplyAdam");
      assertThat(adam).hasSize(4);
      for (NodeDef n : adam.values()) {
        long controls = n.getInputList().stream().filter(i -> i.startsWith("^")).count();
        assertThat(controls).as("control inputs of " + n.getName()).isGreaterThanOrEqualTo(4);
      }
      GraphOperation kernelInit = g.operation("rnn/basic_rnn_cell/kernel/Initializer/random_uniform/RandomUniform");
      assertThat(kernelInit).as("glorot_uniform under kernel/Initializer").isNotNull();
      assertThat(mg.logits().shape().asArray()).containsExactly(-1, 10);
    }
  }

  @Test
  void everyRandomOpCarriesSeeds() {
    try (Graph g = new Graph()) {
      new MnistRnn().build(Ops.create(g), SeedSource.tf1GraphSeed(5), 0.001f, true);
      int random = 0;
      for (NodeDef n : g.toGraphDef().getNodeList()) {
        if (n.getOp().startsWith("Random") || n.getOp().equals("TruncatedNormal")) {
          // Python's set_random_seed(5): (5, 0), (5, 1), (5, 2) in creation order (W, b, kernel)
          assertThat(n.getAttrMap().get("seed").getI()).isEqualTo(5);
          assertThat(n.getAttrMap().get("seed2").getI()).isEqualTo(random);
          random++;
        }
      }
      assertThat(random).isEqualTo(3); // W, b, kernel
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("org.rnnport.models.ModelRegistryTest#modelNames")
  void matchesTheCommittedGraphText(String name) throws IOException {
    Path golden = TestData.projectDir().resolve("graphs/" + name + ".pbtxt");
    assertThat(golden).as("run `rnnport graph " + name + "` to (re)generate it").exists();
    String expected = Files.readString(golden, StandardCharsets.UTF_8);
    String actual = GraphText.of(ModelRegistry.get(name));
    assertThat(actual).as("graph changed: review and regenerate graphs/" + name + ".pbtxt with `rnnport graph " + name + "`")
        .isEqualTo(expected);
  }
}
