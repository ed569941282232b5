package org.rnnport.fit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.data.BatchStream;
import org.rnnport.keras.KerasModel;
import org.rnnport.nn.PythonGradients;
import org.rnnport.parity.PythonEnv;
import org.rnnport.tensorio.DType;
import org.rnnport.train.History;

/**
 * fit reads every input format the same: scikit-learn's digits (classification) and diabetes (regression), written
 * by Python ({@code keras_fit.py --make-data}: numpy's npz, CSV, tf.io.TFRecordWriter's Example records, JSON Lines),
 * give the same batch losses bit for bit from each; a streamed file longer than its shuffle buffer is shuffled
 * through the buffer (tf.data's shuffle) and resumes bit for bit.
 */
class FitFormatsTest {
  static Path data;

  @TempDir
  Path tmp;

  @BeforeAll
  static void makeData() throws IOException {
    Path project = TestData.projectDir();
    Path work = project.resolve("target/fit-tests/formats");
    org.rnnport.util.AtomicFiles.deleteRecursively(work);
    Files.createDirectories(work);
    data = work.resolve("data");
    PythonEnv env = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.err);
    env.runModule(project.resolve("parity"), "rnnport_oracle.keras_fit", List.of("--make-data", data.toString()),
        System.err);
  }

  History fit(String model, String file, String loss, String optimizer, int batch, int epochs, boolean shuffle,
      Long buffer, String run) throws IOException {
    return Fit.of(KerasModel.read(data.resolve(model + ".json"))).name(model).data(List.of(data.resolve(file)))
        .x("x").y("y").loss(loss).optimizer(optimizer).batchSize(batch).epochs(epochs).shuffle(shuffle)
        .shuffleBuffer(buffer).seed(7).gradients(PythonGradients.Mode.PYTHON).runDir(tmp.resolve(run))
        .run(FitTest.QUIET);
  }

  static void sameBits(History got, History want, String what) {
    assertThat(got.batchCost).as(what + " batches").hasSameSizeAs(want.batchCost).isNotEmpty();
    for (int i = 0; i < want.batchCost.size(); i++) {
      assertThat(Float.floatToIntBits(got.batchCost.get(i))).as(what + " batch " + i + ": " + got.batchCost.get(i)
          + " vs " + want.batchCost.get(i)).isEqualTo(Float.floatToIntBits(want.batchCost.get(i)));
    }
  }

  @Test
  void digitsFromCsvTfrecordJsonlAndNpyGiveTheNpzLossesBitForBit() throws Exception {
    History npz = fit("digits-gru", "digits.npz", "sparse_categorical_crossentropy", "adam", 64, 2, true, null, "npz");
    assertThat(npz.batchCost).hasSize(2 * 29);
    for (String f : List.of("digits.csv", "digits.tfrecord", "digits.jsonl")) {
      sameBits(fit("digits-gru", f, "sparse_categorical_crossentropy", "adam", 64, 2, true, null, f), npz, f);
    }
    // an .npy holds the inputs; its labels are the sibling named after --y (the npz's members, unzipped)
    Path dir = Files.createDirectories(tmp.resolve("unzipped"));
    try (ZipFile z = new ZipFile(data.resolve("digits.npz").toFile())) {
      for (String m : List.of("x.npy", "y.npy")) {
        try (InputStream in = z.getInputStream(z.getEntry(m))) {
          Files.copy(in, dir.resolve(m));
        }
      }
    }
    History npy = Fit.of(KerasModel.read(data.resolve("digits-gru.json"))).name("digits-gru")
        .data(List.of(dir.resolve("x.npy"))).x("x").y("y").loss("sparse_categorical_crossentropy").optimizer("adam")
        .batchSize(64).epochs(2).seed(7).runDir(tmp.resolve("npy")).run(FitTest.QUIET);
    sameBits(npy, npz, "x.npy + y.npy");
  }

  @Test
  void aCompressedNpzIsStreamedNotReadByIndexAndGivesTheSameLosses() throws Exception {
    // np.savez_compressed's layout: the same members, deflated (a deflate stream cannot be read by index)
    Path zipped = tmp.resolve("digits-compressed.npz");
    try (ZipFile z = new ZipFile(data.resolve("digits.npz").toFile());
        java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zipped))) {
      out.setMethod(java.util.zip.ZipOutputStream.DEFLATED);
      for (String m : List.of("x.npy", "y.npy")) {
        out.putNextEntry(new ZipEntry(m));
        try (InputStream in = z.getInputStream(z.getEntry(m))) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    History npz = fit("digits-gru", "digits.npz", "sparse_categorical_crossentropy", "sgd", 128, 1, false, null, "npz");
    assertThat(npz.hyperparameters).containsEntry("dataAccess", "index");
    Fit f = Fit.of(KerasModel.read(data.resolve("digits-gru.json"))).name("digits-gru").data(List.of(zipped)).x("x")
        .y("y").loss("sparse_categorical_crossentropy").optimizer("sgd").batchSize(128).epochs(1).shuffle(false)
        .seed(7);
    History memory = f.runDir(tmp.resolve("memory")).run(FitTest.QUIET);
    History streamed = f.shuffleBuffer(100L).runDir(tmp.resolve("streamed")).run(FitTest.QUIET);
    assertThat(memory.hyperparameters).containsEntry("dataAccess", "memory");
    assertThat(streamed.hyperparameters).containsEntry("dataAccess", "stream");
    sameBits(memory, npz, "compressed npz in memory");
    sameBits(streamed, npz, "compressed npz streamed in file order");
  }

  @Test
  void validationFromEveryKindOfSourceIsTheSame() throws Exception {
    // --validation-split slices the rows: read by index (npz), in memory (JSON Lines), streamed (CSV over its buffer)
    Fit base = Fit.of(KerasModel.read(data.resolve("digits-gru.json"))).name("digits-gru").x("x").y("y")
        .loss("sparse_categorical_crossentropy").optimizer("adam").batchSize(64).epochs(2).shuffle(false).seed(7);
    History index = base.data(List.of(data.resolve("digits.npz"))).validationSplit(0.25)
        .runDir(tmp.resolve("split-npz")).run(FitTest.QUIET);
    History memory = base.data(List.of(data.resolve("digits.jsonl"))).runDir(tmp.resolve("split-jsonl"))
        .run(FitTest.QUIET);
    History stream = base.data(List.of(data.resolve("digits.csv"))).shuffleBuffer(100L)
        .runDir(tmp.resolve("split-csv")).run(FitTest.QUIET);
    assertThat(index.hyperparameters).containsEntry("dataAccess", "index");
    assertThat(stream.hyperparameters).containsEntry("dataAccess", "stream");
    sameBits(memory, index, "split, JSON Lines");
    sameBits(stream, index, "split, CSV streamed");
    assertThat(index.results).containsKey("validationLoss");
    assertThat(memory.results).isEqualTo(index.results);
    assertThat(stream.results).isEqualTo(index.results);
    // --validation-data streamed (CSV over a buffer of 100 rows) evaluates as the npz does
    Fit v = Fit.of(KerasModel.read(data.resolve("digits-gru.json"))).name("digits-gru").x("x").y("y")
        .loss("sparse_categorical_crossentropy").optimizer("adam").batchSize(64).epochs(1).seed(7)
        .data(List.of(data.resolve("digits.npz")));
    History vNpz = v.validationData(List.of(data.resolve("digits.npz"))).runDir(tmp.resolve("val-npz"))
        .run(FitTest.QUIET);
    History vCsv = v.validationData(List.of(data.resolve("digits.csv"))).shuffleBuffer(100L)
        .runDir(tmp.resolve("val-csv")).run(FitTest.QUIET);
    sameBits(vCsv, vNpz, "validation from CSV");
    assertThat(vCsv.epochMetrics).isEqualTo(vNpz.epochMetrics);
    assertThat(vCsv.results).isEqualTo(vNpz.results);
  }

  @Test
  void regressionFromCsvAndTfrecordGivesTheNpzLossesBitForBit() throws Exception {
    History npz = fit("diabetes-lstm", "diabetes.npz", "mse", "adam", 32, 2, true, null, "npz");
    for (String f : List.of("diabetes.csv", "diabetes.tfrecord")) {
      sameBits(fit("diabetes-lstm", f, "mse", "adam", 32, 2, true, null, f), npz, f);
    }
  }

  @Test
  void aStreamedFileInFileOrderIsKerasOrderWhateverTheBuffer() throws Exception {
    History npz = fit("digits-gru", "digits.npz", "sparse_categorical_crossentropy", "sgd", 128, 1, false, null, "npz");
    History csv = fit("digits-gru", "digits.csv", "sparse_categorical_crossentropy", "sgd", 128, 1, false, 100L, "csv");
    sameBits(csv, npz, "digits.csv streamed in file order (buffer 100 < 1797 rows)");
  }

  @Test
  void aFileLongerThanTheBufferIsShuffledThroughIt() throws Exception {
    long[] shape = {8, 8};
    FitRows rows = FitData.open(List.of(data.resolve("digits.tfrecord")), null, "x", "y", DType.FLOAT32, shape, 10,
        true, 0, 100, true);
    try (rows) {
      assertThat(rows.access()).isEqualTo("stream");
      assertThat(rows.rows()).isEqualTo(1797);
      ShuffleBufferBatches b = new ShuffleBufferBatches((StreamedRows) rows, 32, 7);
      List<int[]> epochs = new ArrayList<>();
      BatchStream.StreamState mid = null;
      List<Integer> afterMid = new ArrayList<>();
      for (int e = 0; e < 2; e++) {
        b.startEpoch();
        int[] seen = new int[rows.rows()];
        int at = 0;
        for (int s = 0; s < b.batchesPerPass(); s++) {
          b.next();
          for (int i = 0; i < b.size(); i++) {
            int r = b.row(i);
            // tf.data's buffer: the k-th example comes from the first buffer + k rows of the file
            assertThat(r).as("example " + at).isLessThan(100 + at);
            assertThat(b.label(i)).isEqualTo(rows.labels()[r]);
            seen[at++] = r;
            if (mid != null && e == 1) {
              afterMid.add(r);
            }
          }
          if (e == 1 && s == 20) {
            mid = b.state();
          }
        }
        assertThat(at).isEqualTo(rows.rows());
        int[] sorted = seen.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
          assertThat(sorted[i]).as("every row once per epoch").isEqualTo(i);
        }
        epochs.add(seen);
      }
      assertThat(epochs.get(0)).isNotEqualTo(epochs.get(1));
      // resumed in another stream: the same examples after the saved batch
      ShuffleBufferBatches c = new ShuffleBufferBatches((StreamedRows) rows, 32, 7);
      c.restore(mid);
      List<Integer> again = new ArrayList<>();
      for (int s = 21; s < c.batchesPerPass(); s++) {
        c.next();
        for (int i = 0; i < c.size(); i++) {
          again.add(c.row(i));
        }
      }
      assertThat(again).isEqualTo(afterMid);
    }
    // and fit trains on it: deterministic for the seed, and not the in-memory order's numbers
    History a = fit("digits-gru", "digits.tfrecord", "sparse_categorical_crossentropy", "adam", 64, 1, true, 100L, "a");
    History b = fit("digits-gru", "digits.tfrecord", "sparse_categorical_crossentropy", "adam", 64, 1, true, 100L, "b");
    History all = fit("digits-gru", "digits.tfrecord", "sparse_categorical_crossentropy", "adam", 64, 1, true, 1797L,
        "all");
    sameBits(a, b, "buffer 100, twice");
    assertThat(a.batchCost).hasSameSizeAs(all.batchCost).isNotEqualTo(all.batchCost);
    assertThat(a.hyperparameters).containsEntry("dataAccess", "stream").containsEntry("shuffleBuffer", 100L);
    assertThat(all.hyperparameters).containsEntry("dataAccess", "memory");
  }
}
