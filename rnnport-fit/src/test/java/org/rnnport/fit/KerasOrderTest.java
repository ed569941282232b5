package org.rnnport.fit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.EpochOrder;
import org.rnnport.parity.PythonEnv;
import org.rnnport.util.Json;

/**
 * Keras' row order, judged by tf-keras 2.18 itself: for each (seed, rows, batch, epochs) the oracle
 * ({@code keras_fit.py --orders}) iterates the data handler {@code model.fit} builds after {@code tf.random.set_seed}
 * on {@code arange(rows)}; its one {@code RandomShuffle} op (read from the dataset's serialized graph) must have the
 * seeds rnnport's kernel starts from, every epoch must be rnnport's {@link BatchOrder#KERAS} order, and after a {@code state()} /
 * {@code restore} mid-run the rest too. Also {@code validation_split}'s training rows (Keras'
 * {@code train_validation_split}) against {@link Fit#validationSplitAt}.
 */
@org.junit.jupiter.api.condition.DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class KerasOrderTest {
  @Test
  void everyEpochIsKerasFitsOrderAndValidationSplitKeepsKerasRows() throws Exception {
    // rows not a multiple of the batch, one and two rows, seeds TF's get_seed folds (0, 2^31 - 1, negative, > 2^32),
    // and more rows than 2^16 (and than one Philox block's worth per call)
    long[][] cases = {{7, 1797, 64, 3}, {0, 10, 3, 2}, {2147483647L, 50, 7, 2}, {(1L << 40) + 3, 33, 5, 2},
        {-5, 20, 6, 2}, {1, 1, 1, 3}, {3, 2, 1, 3}, {11, 70001, 1000, 2}, {7, 600, 50, 2}, {7, 442, 32, 2}};
    double[][] splits = {{1797, 0.2}, {600, 0.1}, {442, 0.3}, {10, 0.15}, {1000, 0.7}, {97, 1.0 / 3}};
    List<Map<String, Object>> orders = new ArrayList<>();
    for (long[] c : cases) {
      orders.add(Map.of("seed", c[0], "n", c[1], "batch_size", c[2], "epochs", c[3]));
    }
    List<Map<String, Object>> sp = new ArrayList<>();
    for (double[] s : splits) {
      sp.add(Map.of("n", (int) s[0], "validation_split", s[1]));
    }
    Path project = TestData.projectDir();
    Path work = project.resolve("target/fit-tests/orders");
    org.rnnport.util.AtomicFiles.deleteRecursively(work);
    Files.createDirectories(work);
    Json.write(work.resolve("spec.json"), Map.of("orders", orders, "splits", sp));
    PythonEnv env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.err);
    env.runModule(project.resolve("parity"), "rnnport_oracle.keras_fit", List.of("--orders",
        work.resolve("spec.json").toString(), "--out", work.toString()), System.err);
    JsonNode r = Json.MAPPER.readTree(work.resolve("orders.json").toFile());
    assertThat(r.get("orders")).hasSize(cases.length);
    for (JsonNode o : r.get("orders")) {
      long seed = o.get("seed").asLong();
      int n = o.get("n").asInt();
      JsonNode keras = o.get("epochs_order");
      assertThat(keras).hasSize(o.get("epochs").asInt());
      String what = "seed " + seed + ", " + n + " rows, batch " + o.get("batch_size");
      // the one RandomShuffle op of Keras' dataset graph has the seeds rnnport's kernel starts from
      int[] st = org.rnnport.data.TfRandomShuffle.forKerasFit(seed).state();
      assertThat(o.get("shuffle_seeds").toString()).as(what + ": RandomShuffle's seed, seed2")
          .isEqualTo("[[" + (((long) st[1] << 32) | (st[0] & 0xffffffffL)) + ","
              + (((long) st[5] << 32) | (st[4] & 0xffffffffL)) + "]]");
      List<String> lines = new ArrayList<>();
      assertThat(KerasParity.orderDiffering(keras, seed, lines)).as(what + ": " + lines).isZero();
      // resumed after the first epoch's second batch: the rest of the run is the same
      EpochOrder a = new EpochOrder(n, BatchOrder.KERAS, seed);
      a.startEpoch();
      a.next();
      a.next();
      EpochOrder b = new EpochOrder(n, BatchOrder.KERAS, seed);
      b.restore(a.state());
      for (int e = 0; e < keras.size(); e++) {
        if (e > 0) {
          b.startEpoch();
        }
        for (int i = 0; i < n; i++) {
          assertThat(b.order()[i]).as(what + ", resumed, epoch " + e + " position " + i)
              .isEqualTo(keras.get(e).get(i).asInt());
        }
      }
    }
    assertThat(r.get("splits")).hasSize(splits.length);
    for (JsonNode s : r.get("splits")) {
      assertThat(Fit.validationSplitAt(s.get("n").asInt(), s.get("validation_split").asDouble()))
          .as(s.toString()).isEqualTo(s.get("train_rows").asInt());
    }
  }
}
