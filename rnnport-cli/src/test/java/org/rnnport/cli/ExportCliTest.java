package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rnnport.cli.CliTest.rnnport;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.util.Json;

/** rnnport export: a committed SavedModel rebuilt with the fast graph, served from beside the original. */
class ExportCliTest {
  @TempDir
  Path tmp;

  private List<JsonNode> predict(Path model, Path images, String name) throws IOException {
    Path out = tmp.resolve(name + ".jsonl");
    CliTest.Run r = rnnport("predict", "--model", model.toString(), "--input", images.toString(), "--scale", "1/255",
        "--output", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    return Files.readAllLines(out).stream().map(l -> {
      try {
        return Json.MAPPER.readTree(l);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  @Test
  void exportsTheFastGraphAsANewVersionThatPredictsTheSame() throws IOException {
    Path data = TestData.ensure("mnist");
    Path images = data.resolve("mnist/t10k-images-idx3-ubyte.gz");
    Path base = tmp.resolve("models/mnist-rnn");
    PredictCliTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), base.resolve("1"));

    CliTest.Run ex = rnnport("export", "--model", base.resolve("1").toString(), "--graph", "fast", "--out",
        base.resolve("2").toString());
    assertThat(ex.exit()).as(ex.err()).isZero();
    assertThat(ex.out()).contains("exported the fast graph");
    JsonNode info = Json.MAPPER.readTree(base.resolve("2/assets.extra/rnnport.json").toFile());
    assertThat(info.get("model").asText()).isEqualTo("mnist-rnn");
    assertThat(info.get("training").get("exportedGraph").asText()).isEqualTo("fast");
    assertThat(info.get("training").get("testAccuracy").asDouble()).as("the source's description is kept")
        .isEqualTo(Json.MAPPER.readTree(base.resolve("1/assets.extra/rnnport.json").toFile())
            .get("training").get("testAccuracy").asDouble());
    try (var s = Files.list(base)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).as("no temp folder left").containsExactly("1", "2");
    }

    // the model folder now serves version 2 (latest): the fast graph, with the faithful one's logits
    List<JsonNode> fast = predict(base, images, "fast");
    List<JsonNode> faithful = predict(base.resolve("1"), images, "faithful");
    assertThat(fast).hasSize(10_000).hasSameSizeAs(faithful);
    int sameClass = 0;
    for (int i = 0; i < fast.size(); i++) {
      JsonNode a = fast.get(i).get("logits");
      JsonNode b = faithful.get(i).get("logits");
      double max = 0;
      for (JsonNode v : b) {
        max = Math.max(max, Math.abs(v.asDouble()));
      }
      for (int k = 0; k < 10; k++) {
        assertThat(Math.abs(a.get(k).asDouble() - b.get(k).asDouble())).as("row %d logit %d", i, k)
            .isLessThanOrEqualTo(1e-5 * Math.max(1, max));
      }
      sameClass += fast.get(i).get("classes").asLong() == faithful.get(i).get("classes").asLong() ? 1 : 0;
    }
    assertThat(sameClass).isGreaterThanOrEqualTo(9_995);

    // an existing target is refused and kept; a SavedModel without rnnport.json is refused, nothing written
    CliTest.Run again = rnnport("export", "--model", base.resolve("1").toString(), "--out", base.resolve("2").toString());
    assertThat(again.exit()).isNotZero();
    assertThat(again.err()).contains("already exists");
    assertThat(base.resolve("2/saved_model.pb")).exists();
    Path bare = tmp.resolve("bare/1");
    PredictCliTest.copyTree(base.resolve("1"), bare);
    Files.delete(bare.resolve("assets.extra/rnnport.json"));
    CliTest.Run none = rnnport("export", "--model", bare.toString(), "--out", tmp.resolve("bare/2").toString());
    assertThat(none.exit()).isNotZero();
    assertThat(none.err()).contains("rnnport.json").contains("has none");
    assertThat(tmp.resolve("bare/2")).doesNotExist();
  }
}
