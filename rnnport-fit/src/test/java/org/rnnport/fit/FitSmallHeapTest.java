package org.rnnport.fit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.ImageSet;
import org.rnnport.keras.KerasModel;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.files.NpyHeader;
import org.rnnport.util.Json;

/**
 * A file larger than the heap still trains: the MNIST training images (55,000 of 28 x 28 float32, 172 MB) as an
 * .npy, fit in a forked JVM of {@code -Xmx48m}, one epoch of a few large batches read by index (the checking pass
 * streams it in chunks; each batch is gathered from the file by positioned reads).
 */
class FitSmallHeapTest {
  static final String HEAP = "-Xmx48m";

  @TempDir
  Path tmp;

  /** The child: {@code MODEL X.NPY RUN_DIR BATCH}; prints the heap it had. */
  public static void main(String[] a) throws Exception {
    System.out.println("maxMemory=" + Runtime.getRuntime().maxMemory());
    Fit.of(KerasModel.read(Path.of(a[0]))).name("mnist-gru16").data(List.of(Path.of(a[1]))).x("x").y("y")
        .loss("sparse_categorical_crossentropy").optimizer("adam").batchSize(Integer.parseInt(a[3])).epochs(1).seed(3)
        .runDir(Path.of(a[2])).run(System.out);
  }

  @Test
  void anNpyLargerThanTheHeapTrainsByIndex() throws Exception {
    ImageSet train = TestData.mnist().train();
    int n = train.size();
    int px = train.imageSize();
    Path x = tmp.resolve("x.npy");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(x), 1 << 20)) {
      out.write(NpyHeader.encode(DType.FLOAT32, new long[] {n, 28, 28}, 0));
      float[] row = new float[px];
      ByteBuffer b = ByteBuffer.allocate(px * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        train.copyPixels(i, 1, row, 0);
        b.clear();
        b.asFloatBuffer().put(row);
        out.write(b.array());
      }
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.resolve("y.npy")))) {
      out.write(NpyHeader.encode(DType.INT64, new long[] {n}, 0));
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        b.clear();
        out.write(b.putLong(train.label(i)).array());
      }
    }
    long size = Files.size(x);
    Path model = Path.of(FitSmallHeapTest.class.getResource("/keras/mnist-gru16.json").toURI());
    Path run = tmp.resolve("run");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // JavaCPP caps the process's physical memory at 4 x the heap by default (192 MB here), which TensorFlow's own
        // native memory (not the heap, and not the file) passes at a batch of 5,000: lifted, the heap stays 48 MB
        HEAP, "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-cp", System.getProperty("java.class.path"), FitSmallHeapTest.class.getName(), model.toString(),
        x.toString(), run.toString(), "5000"));
    Path log = tmp.resolve("child.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the child finished in 5 minutes").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    long heap = Long.parseLong(out.replaceAll("(?s).*maxMemory=(\\d+).*", "$1"));
    assertThat(heap).as("the child's heap").isLessThan(size / 3);
    JsonNode h = Json.MAPPER.readTree(run.resolve("history.json").toFile());
    assertThat(h.get("hyperparameters").get("dataAccess").asText()).isEqualTo("index");
    JsonNode losses = h.get("batchCost");
    assertThat(losses.size()).isEqualTo((n + 4999) / 5000);
    for (JsonNode l : losses) {
      assertThat(l.asDouble()).isFinite().isPositive();
    }
    // Adam learns on real digits even in 11 steps: the last batches' loss is below the first's (ln 10 = 2.30)
    assertThat(losses.get(losses.size() - 1).asDouble()).isLessThan(losses.get(0).asDouble());
  }
}
