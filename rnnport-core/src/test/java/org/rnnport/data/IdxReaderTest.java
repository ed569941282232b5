package org.rnnport.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;

class IdxReaderTest {
  @TempDir
  Path tmp;

  @Test
  void readsTheRealMnistFiles() throws IOException {
    Path dir = TestData.ensure("mnist");
    IdxReader.IdxArray images = IdxReader.read(dir.resolve(Mnist.TRAIN_IMAGES), 3);
    assertThat(images.dims()).containsExactly(60000, 28, 28);
    assertThat(images.data()).hasSize(47040000);
    IdxReader.IdxArray labels = IdxReader.read(dir.resolve(Mnist.TRAIN_LABELS), 1);
    assertThat(labels.dims()).containsExactly(60000);
    byte[] first = java.util.Arrays.copyOf(labels.data(), 10);
    assertThat(first).containsExactly(5, 0, 4, 1, 9, 2, 1, 3, 1, 4);
    IdxReader.IdxArray test = IdxReader.read(dir.resolve(Mnist.TEST_LABELS), 1);
    assertThat(java.util.Arrays.copyOf(test.data(), 10)).containsExactly(7, 2, 1, 0, 4, 1, 4, 9, 5, 9);
  }

  /** An IDX image file with the given header fields and data length, gzip or plain. */
  private Path idx(String name, int magic, int[] dims, int dataBytes, boolean gzip) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      for (int i = 0; i < dataBytes; i++) {
        out.writeByte(i % 256);
      }
    }
    Path f = tmp.resolve(name);
    try (OutputStream os = Files.newOutputStream(f);
         OutputStream o = gzip ? new GZIPOutputStream(os) : os) {
      o.write(bytes.toByteArray());
    }
    return f;
  }

  @Test
  void readsAGoodGeneratedFileGzippedOrNot() throws IOException {
    for (boolean gz : new boolean[] {true, false}) {
      Path f = idx("ok" + gz, 0x803, new int[] {3, 28, 28}, 3 * 784, gz);
      IdxReader.IdxArray a = IdxReader.read(f, 3);
      assertThat(a.count()).isEqualTo(3);
      assertThat(a.itemSize()).isEqualTo(784);
      assertThat(a.data()[257] & 0xff).isEqualTo(1);
    }
  }

  @Test
  void truncatedDataIsReportedWithTheFileName() throws IOException {
    Path f = idx("truncated.gz", 0x803, new int[] {3, 28, 28}, 3 * 784 - 100, true);
    assertThatThrownBy(() -> IdxReader.read(f, 3))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("truncated.gz")
        .hasMessageContaining("truncated")
        .hasMessageContaining("2352");
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path f = tmp.resolve("short-header");
    Files.write(f, new byte[] {0, 0, 8, 3, 0, 0});
    assertThatThrownBy(() -> IdxReader.read(f, 3)).isInstanceOf(DataException.class)
        .hasMessageContaining("short-header").hasMessageContaining("truncated");
  }

  @Test
  void wrongMagicIsRejected() throws IOException {
    Path f = idx("magic.gz", 0x0d03, new int[] {1, 28, 28}, 784, true);
    assertThatThrownBy(() -> IdxReader.read(f, 3)).isInstanceOf(DataException.class)
        .hasMessageContaining("magic.gz").hasMessageContaining("bad magic number 0x00000D03");
    Path labels = idx("labels-as-images.gz", 0x801, new int[] {5}, 5, true);
    assertThatThrownBy(() -> IdxReader.read(labels, 3)).isInstanceOf(DataException.class)
        .hasMessageContaining("1 dimensions, expected 3");
  }

  @Test
  void trailingBytesAreRejected() throws IOException {
    Path f = idx("long.gz", 0x803, new int[] {1, 28, 28}, 784 + 5, true);
    assertThatThrownBy(() -> IdxReader.read(f, 3)).isInstanceOf(DataException.class)
        .hasMessageContaining("trailing bytes");
  }

  @Test
  void corruptGzipIsReported() throws IOException {
    Path good = idx("good.gz", 0x803, new int[] {20, 28, 28}, 20 * 784, true);
    byte[] b = Files.readAllBytes(good);
    for (int i = 20; i < b.length - 10; i += 7) {
      b[i] ^= 0x5a;
    }
    Path bad = tmp.resolve("corrupt.gz");
    Files.write(bad, b);
    assertThatThrownBy(() -> IdxReader.read(bad, 3)).isInstanceOf(DataException.class)
        .hasMessageContaining("corrupt.gz");
  }

  @Test
  void missingFileSaysHowToGetIt() {
    assertThatThrownBy(() -> IdxReader.read(tmp.resolve("nope.gz"), 3)).isInstanceOf(DataException.class)
        .hasMessageContaining("nope.gz").hasMessageContaining("rnnport data fetch");
  }

  @Test
  void mnistChecksImagesAgainstLabels() throws IOException {
    Path images = idx("img.gz", 0x803, new int[] {4, 28, 28}, 4 * 784, true);
    Path labels = idx("lab.gz", 0x801, new int[] {3}, 3, true);
    assertThatThrownBy(() -> Mnist.read(images, labels, -1)).isInstanceOf(DataException.class)
        .hasMessageContaining("lab.gz").hasMessageContaining("3 labels but img.gz holds 4 images");
    Path small = idx("small.gz", 0x803, new int[] {3, 20, 20}, 3 * 400, true);
    assertThatThrownBy(() -> Mnist.read(small, labels, -1)).isInstanceOf(DataException.class)
        .hasMessageContaining("20x20");
    Path badLabels = idx("badlab.gz", 0x801, new int[] {4}, 0, true);
    Files.write(badLabels, gz(new byte[] {0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 11, 3}));
    assertThatThrownBy(() -> Mnist.read(images, badLabels, -1)).isInstanceOf(DataException.class)
        .hasMessageContaining("label 11 at index 2");
  }

  private static byte[] gz(byte[] raw) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      g.write(raw);
    }
    return b.toByteArray();
  }
}
