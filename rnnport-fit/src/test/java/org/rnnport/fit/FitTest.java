package org.rnnport.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceSet;
import org.rnnport.keras.KerasFormatException;
import org.rnnport.keras.KerasModel;
import org.rnnport.models.ModelRegistry;
import org.rnnport.nn.PythonGradients;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.DType;
import org.rnnport.predict.InputException;
import org.rnnport.predict.formats.NpzWriter;
import org.rnnport.predict.formats.ParquetRowWriter;
import org.rnnport.train.History;
import org.rnnport.train.StopSignal;
import org.rnnport.train.TrainOptions;
import org.rnnport.train.TrainingRun;

/** rnnport fit on files it did not make: notebook 003b as user data, and bad input refused before anything is written. */
class FitTest {
  static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  @TempDir
  Path tmp;

  static Path model003b() throws Exception {
    // model.to_json() of parity/rnnport_oracle/reuters_lstm.py's build() (tf-keras 2.18)
    return Path.of(FitTest.class.getResource("/keras/reuters-lstm-003b.json").toURI());
  }

  /** The 003b training split (load_data(num_words=1000), pad_sequences(maxlen=100)) as a Parquet file x, y. */
  static Path reutersParquet(Path dir, SequenceSet s) throws IOException {
    Path f = dir.resolve("reuters-train.parquet");
    Map<String, Column> cols = new LinkedHashMap<>();
    cols.put("x", Column.ofArray(DType.INT32, new long[] {s.length()}, s.size(), s.tokens()));
    cols.put("y", Column.ofArray(DType.INT32, new long[0], s.size(), s.labels()));
    try (ParquetRowWriter w = new ParquetRowWriter(f)) {
      w.write(cols, s.size());
      w.finish();
    }
    return f;
  }

  @Test
  void notebook003bAsUserDataGivesTrainsLossesBitForBit() throws Exception {
    Path data = TestData.ensure(Reuters.DATASET);
    Path parquet = reutersParquet(tmp, Reuters.notebook(data).train());
    // rnnport train reuters-lstm: 2 epochs of 90 batches, no validation, no export
    TrainOptions o = TrainOptions.defaults(ModelRegistry.get("reuters-lstm"), 5, data, tmp.resolve("train"), null)
        .withEpochs(2, 90).withValidation(false);
    History train;
    try (StopSignal stop = StopSignal.manual()) {
      train = TrainingRun.run(ModelRegistry.get("reuters-lstm"), o, stop, QUIET);
    }
    History fit = Fit.of(KerasModel.fromJson(model003b())).name("reuters-keras").data(List.of(parquet)).x("x").y("y")
        .loss("categorical_crossentropy").optimizer("adam").batchSize(100).epochs(2).seed(5)
        .initializers("tf1").gradients(PythonGradients.Mode.TF).runDir(tmp.resolve("fit")).run(QUIET);
    assertThat(train.batchCost).hasSize(180);
    assertThat(fit.batchCost).hasSize(180);
    for (int i = 0; i < 180; i++) {
      assertThat(Float.floatToIntBits(fit.batchCost.get(i))).as("batch " + i + ": fit " + fit.batchCost.get(i)
          + ", train " + train.batchCost.get(i)).isEqualTo(Float.floatToIntBits(train.batchCost.get(i)));
    }
    assertThat(tmp.resolve("fit/history.json")).exists();
    assertThat(tmp.resolve("fit/loss.png")).exists();
    assertThat(tmp.resolve("fit/" + Fit.RECORD)).doesNotExist(); // only a Fit read from a model file records itself
  }

  // ---- bad input: a clear error, and no run folder ----

  static final ObjectMapper JSON = new ObjectMapper();

  /** A small Reuters-like npz (x int32 [n, 100] ids < 1000, y int64 in [0, 46)), labels as given. */
  Path npz(String name, long[] labels) throws IOException {
    int n = labels.length;
    int[] ids = new int[n * 100];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7919) % 1000;
    }
    Path f = tmp.resolve(name);
    Map<String, Column> cols = new LinkedHashMap<>();
    cols.put("x", Column.ofArray(DType.INT32, new long[] {100}, n, ids));
    cols.put("y", Column.ofArray(DType.INT64, new long[0], n, labels));
    try (NpzWriter w = new NpzWriter(f)) {
      w.write(cols, n);
      w.finish();
    }
    return f;
  }

  Fit fit(KerasModel m, Path data, String x) {
    return Fit.of(m).data(List.of(data)).x(x).y("y").loss("categorical_crossentropy").runDir(tmp.resolve("run"))
        .exportRoot(tmp.resolve("export"));
  }

  void nothingWritten() {
    assertThat(tmp.resolve("run")).doesNotExist();
    assertThat(tmp.resolve("export")).doesNotExist();
  }

  @Test
  void anUnsupportedLayerIsRefusedByNameAndIndex() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(model003b().toFile());
    ObjectNode lstm = (ObjectNode) root.get("config").get("layers").get(2);
    lstm.put("class_name", "Conv1D");
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .isInstanceOf(KerasFormatException.class)
        .hasMessageContaining("m.json: layer 1 (Conv1D 'lstm'): layer Conv1D is not supported; rnnport fit builds "
            + "InputLayer, Embedding");
    lstm.put("class_name", "SimpleRNN");
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("m.json: layer 1 (SimpleRNN 'lstm'): SimpleRNN is not supported yet");
    ((ObjectNode) lstm.put("class_name", "LSTM").get("config")).put("go_backwards", true);
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("layer 1 (LSTM 'lstm'): go_backwards=True is not supported");
    ((ObjectNode) lstm.get("config")).put("go_backwards", false).put("recurrent_dropout", 0.25);
    assertThatThrownBy(() -> KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"))
        .hasMessageContaining("layer 1 (LSTM 'lstm'): recurrent_dropout=0.25 is not supported");
  }

  @Test
  void aWrongXNameIsRefusedWithTheFile() throws Exception {
    Path f = npz("r.npz", new long[] {1, 2, 3});
    assertThatThrownBy(() -> fit(KerasModel.fromJson(model003b()), f, "tokens").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("r.npz").hasMessageContaining("tokens");
    nothingWritten();
  }

  @Test
  void aLabelOutsideTheOutputIsRefusedWithFileRowAndName() throws Exception {
    Path f = npz("r.npz", new long[] {1, 2, 46, 3});
    assertThatThrownBy(() -> fit(KerasModel.fromJson(model003b()), f, "x").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("r.npz").hasMessageContaining("row 2")
        .hasMessageContaining("label 46 is outside the model's 46 output classes");
    nothingWritten();
  }

  @Test
  void aRaggedRowIsRefusedWithFileRowAndName() throws Exception {
    Path f = tmp.resolve("r.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < 3; r++) {
      int len = r == 1 ? 99 : 100;
      sb.append("{\"x\": [");
      for (int i = 0; i < len; i++) {
        sb.append(i == 0 ? "" : ",").append(i + 1);
      }
      sb.append("], \"y\": 1}\n");
    }
    Files.writeString(f, sb);
    assertThatThrownBy(() -> fit(KerasModel.fromJson(model003b()), f, "x").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("r.jsonl").hasMessageContaining("x")
        .hasMessageContaining("99");
    nothingWritten();
  }

  @Test
  void aTokenIdBeyondTheEmbeddingIsRefused() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(model003b().toFile());
    ((ObjectNode) root.get("config").get("layers").get(1).get("config")).put("input_dim", 500);
    Path f = npz("r.npz", new long[] {1, 2, 3});
    assertThatThrownBy(() -> fit(KerasModel.fromJson(JSON.writeValueAsString(root), "m.json"), f, "x").run(QUIET))
        .isInstanceOf(InputException.class).hasMessageContaining("row 0").hasMessageContaining("input_dim [0, 500)");
    nothingWritten();
  }
}
