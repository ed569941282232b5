package org.rnnport.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.models.MnistLstm;
import org.rnnport.util.Json;

/** rnnport.json: written with a format version and provenance, read back; legacy files read; unknown formats refused. */
class ModelInfoTest {
  @TempDir
  Path tmp;

  @Test
  void roundTripWithProvenance() throws IOException {
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("seed", 5);
    training.put("batchSize", 128);
    training.put("learningRate", 0.001);
    ModelInfo info = Provenance.modelInfo(new MnistLstm(), "x", training,
        Map.of("mnist/train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"));
    Json.write(tmp.resolve(ModelInfo.FILE), info);
    ModelInfo read = ModelInfo.read(tmp);
    assertThat(read).isEqualTo(info);
    assertThat(read.format()).isEqualTo(ModelInfo.FORMAT);
    assertThat(read.gitCommit()).isNotBlank();
    assertThat(read.datasetFiles()).containsEntry("mnist/train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609");
    assertThat(read.training()).containsEntry("seed", 5).containsEntry("batchSize", 128);
    assertThat(Files.readString(tmp.resolve(ModelInfo.FILE))).startsWith("{\n  \"format\" : 2,");
  }

  @Test
  void aFileWithoutFormatIsTheLegacyFormat() throws IOException {
    // the committed SavedModels were written before the format field existed
    Path committed = Path.of(System.getProperty("rnnport.basedir", ".")).resolve("savedmodels/mnist-lstm/1");
    ModelInfo legacy = ModelInfo.read(committed);
    assertThat(legacy.format()).isEqualTo(ModelInfo.LEGACY_FORMAT);
    assertThat(legacy.model()).isEqualTo("mnist-lstm");
    assertThat(legacy.gitCommit()).isNull();
  }

  @Test
  void anUnknownFormatIsAClearError() throws IOException {
    Path f = tmp.resolve(ModelInfo.FILE);
    Files.createDirectories(f.getParent());
    Files.writeString(f, "{\"format\": 7, \"model\": \"mnist-rnn\", \"classes\": 10}");
    assertThatThrownBy(() -> ModelInfo.read(tmp)).isInstanceOf(IOException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining("format version 7");
    Files.writeString(f, "{\"format\": \"two\"}");
    assertThatThrownBy(() -> ModelInfo.read(tmp)).hasMessageContaining(f.toString()).hasMessageContaining("'format'");
  }
}
