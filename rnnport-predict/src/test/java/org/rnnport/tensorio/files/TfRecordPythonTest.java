package org.rnnport.tensorio.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;

/**
 * tensor I/O's one TFRecord framer against TensorFlow's own: files {@code tf.io.TFRecordWriter} wrote (plain and
 * GZIP) read back record for record, files {@link TfRecordOutput} wrote read by {@code tf.data.TFRecordDataset}
 * (which checks both masked CRC-32Cs), and a damaged or cut file refused naming the file and the record.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class TfRecordPythonTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Path dir;
  static PythonEnv python;
  static List<byte[]> records = new ArrayList<>();

  @TempDir
  Path tmp;

  @BeforeAll
  static void write() throws IOException {
    dir = TestData.projectDir().resolve("target/predict-tests/tfrecords");
    org.rnnport.util.AtomicFiles.deleteRecursively(dir);
    python = PythonEnv.ensure(TestData.projectDir().resolve("parity/requirements.txt"), System.err);
    python.runModule(TestData.projectDir().resolve("parity"), "rnnport_oracle.tfrecords", List.of("write", "--out",
        dir.toString()), System.err);
    for (JsonNode n : JSON.readTree(dir.resolve("records.json").toFile())) {
      records.add(Base64.getDecoder().decode(n.asText()));
    }
  }

  static List<byte[]> readAll(Path f) throws IOException {
    List<byte[]> got = new ArrayList<>();
    try (TfRecordInput in = TfRecordInput.open(f)) {
      for (byte[] r = in.next(); r != null; r = in.next()) {
        got.add(r);
      }
      assertThat(in.records()).isEqualTo(got.size());
    }
    return got;
  }

  @Test
  void readsWhatTensorFlowWrites() throws IOException {
    for (String name : List.of("plain.tfrecord", "gzip.tfrecord")) {
      List<byte[]> got = readAll(dir.resolve(name));
      assertThat(got).as(name).hasSameSizeAs(records);
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i)).as("%s record %d", name, i + 1).isEqualTo(records.get(i));
      }
    }
    // the framing is TensorFlow's byte for byte
    Path mine = tmp.resolve("mine.tfrecord");
    try (TfRecordOutput out = new TfRecordOutput(new BufferedOutputStream(Files.newOutputStream(mine)))) {
      for (byte[] r : records) {
        out.write(r);
      }
    }
    assertThat(Files.readAllBytes(mine)).isEqualTo(Files.readAllBytes(dir.resolve("plain.tfrecord")));
  }

  @Test
  void tensorFlowReadsWhatTheFramerWrites() throws IOException {
    Path plain = tmp.resolve("w.tfrecord");
    Path gz = tmp.resolve("w.tfrecord.gz");
    try (TfRecordOutput a = new TfRecordOutput(new BufferedOutputStream(Files.newOutputStream(plain)));
        TfRecordOutput b = new TfRecordOutput(new GZIPOutputStream(Files.newOutputStream(gz)))) {
      for (byte[] r : records) {
        a.write(r);
        b.write(r, 0, r.length);
      }
      assertThat(a.records()).isEqualTo(records.size());
    }
    Path json = tmp.resolve("read.json");
    python.runModule(TestData.projectDir().resolve("parity"), "rnnport_oracle.tfrecords", List.of("read", "--out",
        json.toString(), plain.toString(), gz.toString()), System.err);
    JsonNode read = JSON.readTree(json.toFile());
    List<String> want = records.stream().map(r -> Base64.getEncoder().encodeToString(r)).toList();
    for (Path f : List.of(plain, gz)) {
      List<String> got = new ArrayList<>();
      read.get(f.getFileName().toString()).forEach(n -> got.add(n.asText()));
      assertThat(got).as(f.getFileName().toString()).isEqualTo(want);
    }
  }

  @Test
  void aBadChecksumOrACutFileIsNamedWithTheFileAndTheRecord() throws IOException {
    byte[] good = Files.readAllBytes(dir.resolve("plain.tfrecord"));
    // record 4's data (100,000 bytes) starts after records 1-3: 16 + 17 + 271 bytes, then its 12-byte header
    int r4 = 16 + 17 + (12 + 255 + 4) + 12;
    byte[] data = good.clone();
    data[r4 + 500] ^= 0x01;
    Path flipped = tmp.resolve("flipped.tfrecord");
    Files.write(flipped, data);
    try (TfRecordInput in = TfRecordInput.open(flipped)) {
      for (int i = 0; i < 3; i++) {
        assertThat(in.next()).isEqualTo(records.get(i));
      }
      assertThatThrownBy(in::next).isInstanceOf(FileFormatException.class)
          .hasMessageContaining("flipped.tfrecord").hasMessageContaining("record 4")
          .hasMessageContaining("data's masked CRC32C")
          .satisfies(e -> assertThat(((FileFormatException) e).resumable()).isTrue());
      assertThat(in.next()).as("the next record still reads").isEqualTo(records.get(4));
    }
    byte[] len = good.clone();
    len[r4 - 12 + 1] ^= 0x01; // record 4's length
    Path badLength = tmp.resolve("length.tfrecord");
    Files.write(badLength, len);
    assertThatThrownBy(() -> readAll(badLength)).hasMessageContaining("length.tfrecord: record 4: corrupt: the "
        + "length's masked CRC32C").satisfies(e -> assertThat(((FileFormatException) e).resumable()).isFalse());
    Path cut = tmp.resolve("cut.tfrecord");
    Files.write(cut, Arrays.copyOf(good, r4 + 99));
    assertThatThrownBy(() -> readAll(cut)).hasMessageContaining("cut.tfrecord: record 4: truncated: 99 of the "
        + "100000 data bytes");
    Path header = tmp.resolve("header.tfrecord");
    Files.write(header, Arrays.copyOf(good, 16 + 5));
    assertThatThrownBy(() -> readAll(header)).hasMessageContaining("header.tfrecord: record 2: truncated: 5 of the "
        + "12 header bytes");
  }
}
