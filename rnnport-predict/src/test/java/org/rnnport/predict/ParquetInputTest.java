package org.rnnport.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rnnport.predict.PredictFixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet as Spark writes it (3-level lists, optional columns) read by {@code rnnport predict}: only the columns
 * used are read, a null list or a non-numeric column is named with its row, floats never feed an integer input.
 */
class ParquetInputTest {
  @TempDir
  Path tmp;

  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message spark_schema {"
      + " optional int64 id; optional group pixels (LIST) { repeated group list { optional float element; } }"
      + " optional int64 label; optional binary name (STRING); }");

  /** Rows of the MNIST test set; rows listed in {@code nulls} have no pixels. */
  private Path write(String name, int n, int... nulls) throws IOException {
    Path file = tmp.resolve(name);
    float[] px = mnist().pixels(0, n);
    SimpleGroupFactory f = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration()).withType(SCHEMA).build()) {
      for (int r = 0; r < n; r++) {
        Group g = f.newGroup();
        g.append("id", 1000L + r);
        final int row = r;
        if (java.util.stream.IntStream.of(nulls).noneMatch(x -> x == row)) {
          Group list = g.addGroup("pixels");
          for (int k = 0; k < 784; k++) {
            list.addGroup("list").append("element", px[r * 784 + k]);
          }
        }
        g.append("label", (long) mnist().labels()[r]);
        g.append("name", "image " + r);
        w.write(g);
      }
    }
    return file;
  }

  @Test
  void sparkLikeListsGiveTheSameClassesAsNpy() throws IOException {
    int n = 300;
    Path pq = write("in.parquet", n);
    npy(tmp.resolve("in.npy"), images(n));
    Opts ref = new Opts(tmp.resolve("ref.npz"), tmp.resolve("in.npy"));
    ref.run();
    Opts o = new Opts(tmp.resolve("out.npz"), pq);
    o.inputColumns = Map.of("input_X", "pixels");
    o.labelColumn = "label";
    PredictJob.Summary s = o.run();
    assertThat(classes(tmp.resolve("out.npz"))).containsExactly(classes(tmp.resolve("ref.npz")));
    assertThat(s.report().total()).isEqualTo(n);
    assertThat(s.report().accuracy()).isGreaterThan(0.9);
  }

  @Test
  void aNullListIsRejectedWithItsRowAndTheRestScored() throws IOException {
    Path pq = write("nulls.parquet", 50, 3, 17);
    Opts o = new Opts(tmp.resolve("out.csv"), pq);
    o.inputColumns = Map.of("input_X", "pixels");
    assertThatThrownBy(o::run).hasMessageContaining("nulls.parquet").hasMessageContaining("row 3")
        .hasMessageContaining("null in column 'pixels'");
    o.skip = true;
    PredictJob.Summary s = o.run();
    assertThat(s.outcome().rows()).isEqualTo(48);
    List<JsonNode> rejects = new ArrayList<>();
    for (String l : Files.readAllLines(tmp.resolve("out.csv.rejects.jsonl"))) {
      rejects.add(JSON.readTree(l));
    }
    assertThat(rejects).hasSize(2);
    assertThat(rejects.get(0).get("where").asText()).isEqualTo("row 3");
    assertThat(rejects.get(1).get("where").asText()).isEqualTo("row 17");
    assertThat(rejects.get(0).get("input").asText()).isEqualTo("{pixels: null}");
  }

  @Test
  void aTextColumnOrFloatsForIntegersAreNamed() throws IOException {
    Path pq = write("text.parquet", 5);
    Opts text = new Opts(tmp.resolve("t.csv"), pq);
    text.inputColumns = Map.of("input_X", "name");
    assertThatThrownBy(text::run).hasMessageContaining("row 0").hasMessageContaining("column 'name' is BINARY, not numeric");
    Opts ints = new Opts(tmp.resolve("i.csv"), pq);
    ints.model = REUTERS; // int32 word ids
    ints.inputColumns = Map.of(onlyInput(REUTERS), "pixels");
    assertThatThrownBy(ints::run).hasMessageContaining("row 0").hasMessageContaining("holds floats");
  }

  private static String onlyInput(Path model) throws IOException {
    try (PredictModel m = PredictModel.load(model, "serve", "serving_default", 1)) {
      return m.inputs().get(0).key();
    }
  }
}
