package org.rnnport.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.rnnport.predict.PredictFixtures.images;
import static org.rnnport.predict.PredictFixtures.map;
import static org.rnnport.predict.PredictFixtures.npy;
import static org.rnnport.predict.PredictFixtures.npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.predict.formats.ArraysReader;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Batches read straight into tensor memory ({@link Column.Native}) hold the bytes the array path
 * reads, in the signature's layout, on real MNIST test images; what cannot go that way does not.
 */
class TensorMemoryTest {
  static final int N = 300;

  @TempDir
  Path tmp;

  private static ReadOptions opts(InputBinding b, boolean tensorMemory) {
    return new ReadOptions(List.of(b), null, false).withTensorMemory(tensorMemory);
  }

  /** Every batch of the file, values on the heap; the native ones are checked and closed. */
  private static List<Column> readAll(ArraysReader r, int batch, boolean expectNative, long[] rowShape)
      throws IOException {
    List<Column> out = new ArrayList<>();
    try (r) {
      for (Chunk c; (c = r.read(batch)) != null; ) {
        Column col = c.inputs().values().iterator().next();
        assertThat(col.data() instanceof Column.Native).as("tensor memory").isEqualTo(expectNative);
        assertThat(col.rowShape()).containsExactly(rowShape);
        if (col.data() instanceof Column.Native n) {
          long[] full = n.tensor().shape().asArray();
          assertThat(full[0]).isEqualTo(col.rows());
          assertThat(Arrays.copyOfRange(full, 1, full.length)).containsExactly(rowShape);
        }
        out.add(col.onHeap());
        c.release();
      }
    }
    return out;
  }

  private static float[] floats(List<Column> cols) {
    int n = cols.stream().mapToInt(c -> c.rows() * c.rowSize()).sum();
    float[] all = new float[n];
    int at = 0;
    for (Column c : cols) {
      float[] a = c.toHost("t").floats();
      System.arraycopy(a, 0, all, at, a.length);
      at += a.length;
    }
    return all;
  }

  @Test
  void npyBatchesInTensorMemoryHoldTheArrayPathsValuesInTheSignaturesLayout() throws IOException {
    Path flat = tmp.resolve("flat.npy");
    npy(flat, images(N));
    InputBinding rows = new InputBinding("input_X", DType.FLOAT32, new long[] {-1, 28, 28});
    long[] shape = {28, 28};
    List<Column> heap = readAll(ArraysReader.npy(flat, opts(rows, false)), 128, false, shape);
    List<Column> tensors = readAll(ArraysReader.npy(flat, opts(rows, true)), 128, true, shape);
    assertThat(tensors.stream().mapToInt(Column::rows)).containsExactly(128, 128, 44);
    float[] want = images(N).toHost("t").floats();
    assertThat(floats(heap)).containsExactly(want);
    assertThat(floats(tensors)).containsExactly(want);
  }

  @Test
  void npzEntriesGoThroughABufferIntoTensorMemory() throws IOException {
    Path z = tmp.resolve("in.npz");
    npz(z, map("input_X", images(N)));
    InputBinding flat = new InputBinding("input_X", DType.FLOAT32, new long[] {-1, 784});
    List<Column> tensors = readAll(ArraysReader.npz(z, opts(flat, true)), 100, true, new long[] {784});
    assertThat(floats(tensors)).containsExactly(images(N).toHost("t").floats());
  }

  @Test
  void otherDtypesAndByteOrdersStayOnTheHeap() throws IOException {
    float[] px = images(N).toHost("t").floats();
    double[] wide = new double[px.length];
    for (int i = 0; i < wide.length; i++) {
      wide[i] = px[i];
    }
    Path f8 = tmp.resolve("f8.npy");
    npy(f8, Column.ofArray(DType.FLOAT64, new long[] {784}, N, wide));
    InputBinding in = new InputBinding("input_X", DType.FLOAT32, new long[] {-1, 784});
    List<Column> cols = readAll(ArraysReader.npy(f8, opts(in, true)), 100, false, new long[] {784});
    assertThat(cols.get(2).getDouble(5)).isEqualTo(wide[200 * 784 + 5]);
    // a float32 IDX file: the dtype is the input's, the byte order (big-endian) is not the tensor's
    ByteBuffer idx = ByteBuffer.allocate(12 + px.length * 4).order(ByteOrder.BIG_ENDIAN);
    idx.putInt(0x00000D02).putInt(N).putInt(784);
    idx.asFloatBuffer().put(px);
    Path big = tmp.resolve("images-f4-idx");
    Files.write(big, idx.array());
    assertThat(floats(readAll(ArraysReader.idx(big, opts(in, true)), 128, false, new long[] {784})))
        .containsExactly(px);
  }

  @Test
  void aTensorColumnIsFedAsItIsOrConvertedWhenScaled() throws IOException {
    Path flat = tmp.resolve("flat.npy");
    npy(flat, images(10));
    InputBinding in = new InputBinding("input_X", DType.FLOAT32, new long[] {-1, 784});
    try (ArraysReader r = ArraysReader.npy(flat, opts(in, true))) {
      Column c = r.read(10).inputs().get("input_X");
      Tensor t = ((Column.Native) c.data()).tensor();
      try (Tensor fed = in.tensor(c, c.rowShape(), 1, flat, "rows 0..9")) {
        assertThat(fed).isSameAs(t);
      }
    }
    try (ArraysReader r = ArraysReader.npy(flat, opts(in, true))) {
      Column c = r.read(10).inputs().get("input_X");
      try (TFloat32 half = (TFloat32) in.tensor(c, c.rowShape(), 0.5, flat, "rows 0..9")) {
        float[] px = images(10).toHost("t").floats();
        assertThat(half).isNotSameAs(((Column.Native) c.data()).tensor());
        assertThat(half.getFloat(3, 400)).isEqualTo(px[3 * 784 + 400] * 0.5f);
      }
    }
  }

  @Test
  void aTruncatedBodyNamesTheRowsAndKeepsNoTensor() throws IOException {
    Path flat = tmp.resolve("flat.npy");
    npy(flat, images(N));
    byte[] b = Files.readAllBytes(flat);
    Path cut = tmp.resolve("cut.npy");
    Files.write(cut, Arrays.copyOf(b, b.length - 1000));
    InputBinding in = new InputBinding("input_X", DType.FLOAT32, new long[] {-1, 784});
    try (ArraysReader r = ArraysReader.npy(cut, opts(in, true))) {
      r.read(200).release();
      assertThatThrownBy(() -> r.read(200)).isInstanceOf(InputException.class).hasMessageContaining("cut.npy")
          .hasMessageContaining("truncated").hasMessageContaining("rows 200..299");
    }
  }

  @Test
  void theHeapCopyOfATensorColumnIsExplicit() throws IOException {
    Path flat = tmp.resolve("flat.npy");
    npy(flat, images(5));
    InputBinding in = new InputBinding("input_X", DType.FLOAT32, new long[] {-1, 784});
    try (ArraysReader r = ArraysReader.npy(flat, opts(in, true))) {
      Chunk ch = r.read(5);
      Column c = ch.inputs().get("input_X");
      assertThatThrownBy(() -> c.getDouble(0)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("onHeap");
      assertThat(c.onHeap().getDouble(784 + 300)).isEqualTo((images(5).toHost("t").floats())[784 + 300]);
      ch.release();
      ch.release(); // twice is harmless
    }
  }
}
