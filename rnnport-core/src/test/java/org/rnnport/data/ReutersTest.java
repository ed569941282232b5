package org.rnnport.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;

/** Against the Keras test vectors in shared/data/README.md. */
class ReutersTest {
  static Reuters.Raw raw;

  @TempDir
  Path tmp;

  @BeforeAll
  static void load() throws IOException {
    raw = Reuters.readRaw(TestData.ensure("reuters"));
  }

  @Test
  void rawFileMatchesTheReadme() {
    assertThat(raw.x()).hasSize(11228);
    assertThat(Arrays.copyOf(raw.x().get(0), 10)).containsExactly(6216, 667, 1907, 1, 118, 4, 1, 6680, 662, 2342);
    assertThat(raw.y()[0]).isZero();
    long tokens = raw.x().stream().mapToLong(s -> s.length).sum();
    assertThat(tokens).isEqualTo(1_627_658);
    assertThat(raw.x().stream().mapToInt(s -> Arrays.stream(s).max().orElse(0)).max().orElse(0)).isEqualTo(30979);
  }

  @Test
  void loadDataMatchesKeras() {
    Reuters.Split all = Reuters.loadData(raw, 0, 0.2, 113);
    assertThat(all.xTrain()).hasSize(8982);
    assertThat(all.xTest()).hasSize(2246);
    assertThat(Arrays.copyOf(all.xTrain().get(0), 10)).containsExactly(1, 27595, 28842, 8, 43, 10, 447, 5, 25, 207);
    assertThat(all.xTrain().get(0)).hasSize(87);
    assertThat(all.yTrain()[0]).isEqualTo(3);
    assertThat(Arrays.copyOf(all.xTest().get(0), 10)).containsExactly(1, 4, 1378, 2025, 9, 697, 4622, 111, 8, 25);
    assertThat(all.yTest()[0]).isEqualTo(3);
    // num_words=None: Keras' max-index quirk turns the single 30982 into OOV
    int max = all.xTrain().stream().mapToInt(s -> Arrays.stream(s).max().orElse(0)).max().orElse(0);
    max = Math.max(max, all.xTest().stream().mapToInt(s -> Arrays.stream(s).max().orElse(0)).max().orElse(0));
    assertThat(max).isEqualTo(30981);

    Reuters.Split tenK = Reuters.loadData(raw, 10000, 0.2, 113);
    assertThat(Arrays.copyOf(tenK.xTrain().get(0), 10)).containsExactly(1, 2, 2, 8, 43, 10, 447, 5, 25, 207);
  }

  @Test
  void padSequencesPreTruncatesAndPrePads() throws IOException {
    SequenceSet s = Reuters.pad(java.util.List.of(new int[] {1, 2, 3}, new int[] {1, 2, 3, 4, 5, 6}), new int[] {0, 1}, 4);
    assertThat(s.tokens()).containsExactly(0, 1, 2, 3, 3, 4, 5, 6);
    Reuters.Padded p = Reuters.notebook(TestData.ensure("reuters"));
    assertThat(p.train().size()).isEqualTo(8982);
    assertThat(p.test().size()).isEqualTo(2246);
    // x_train[0] has 87 tokens: 13 zeros of padding, then the sequence with words >= 1000 as OOV (2)
    assertThat(Arrays.copyOfRange(p.train().tokens(), 0, 13)).containsOnly(0);
    assertThat(Arrays.copyOfRange(p.train().tokens(), 13, 23)).containsExactly(1, 2, 2, 8, 43, 10, 447, 5, 25, 207);
    assertThat(Arrays.stream(p.train().tokens()).max().orElse(0)).isLessThan(1000);
  }

  @Test
  void wordIndexDecodes() throws IOException {
    Reuters.WordIndex w = Reuters.WordIndex.load(TestData.ensure("reuters"));
    assertThat(w.size()).isEqualTo(30979);
    assertThat(w.decode(new int[] {0, 1, 4, 5, 2})).isEqualTo("<start> the of <oov>");
  }

  @Test
  void malformedFilesGetClearErrors() throws IOException {
    Path dir = tmp.resolve("reuters");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("reuters.npz"), "not a zip");
    assertThatThrownBy(() -> Reuters.readRaw(tmp)).isInstanceOf(DataException.class)
        .hasMessageContaining("reuters.npz");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(dir.resolve("reuters.npz")))) {
      z.putNextEntry(new ZipEntry("y.npy"));
      z.write(new byte[] {1, 2, 3});
    }
    assertThatThrownBy(() -> Reuters.readRaw(tmp)).isInstanceOf(DataException.class)
        .hasMessageContaining("bad magic");
    byte[] header = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }          \n".getBytes();
    byte[] npy = new byte[10 + header.length + 4];
    npy[0] = (byte) 0x93;
    System.arraycopy("NUMPY".getBytes(), 0, npy, 1, 5);
    npy[6] = 1;
    npy[8] = (byte) header.length;
    System.arraycopy(header, 0, npy, 10, header.length);
    npy[10 + header.length] = (byte) 0x80;
    npy[10 + header.length + 1] = 2;
    npy[10 + header.length + 2] = (byte) 0xff; // not an opcode
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(dir.resolve("reuters.npz")))) {
      z.putNextEntry(new ZipEntry("x.npy"));
      z.write(npy);
      z.putNextEntry(new ZipEntry("y.npy"));
      byte[] yh = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }         \n".getBytes();
      byte[] ynpy = new byte[10 + yh.length + 16];
      ynpy[0] = (byte) 0x93;
      System.arraycopy("NUMPY".getBytes(), 0, ynpy, 1, 5);
      ynpy[6] = 1;
      ynpy[8] = (byte) yh.length;
      System.arraycopy(yh, 0, ynpy, 10, yh.length);
      z.write(ynpy);
    }
    assertThatThrownBy(() -> Reuters.readRaw(tmp)).isInstanceOf(DataException.class)
        .hasMessageContaining("x: malformed pickle");
  }
}
