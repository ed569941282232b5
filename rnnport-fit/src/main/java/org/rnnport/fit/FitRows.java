package org.rnnport.fit;

import java.nio.file.Path;
import java.util.List;
import org.rnnport.tensorio.DType;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The checked rows of a fit, however they are held: in memory ({@link FitData}), read by index from an npy or a
 * stored npz member ({@link IndexedRows}), or streamed from a file read in order ({@link StreamedRows}). Labels (one
 * int per row) and regression targets are always in memory; only the inputs stay in the file.
 */
interface FitRows extends AutoCloseable {
  List<Path> files();

  DType dtype();

  /** One example's shape. */
  long[] rowShape();

  int rows();

  /** One class per row ({@code -1} for a regression loss). */
  int[] labels();

  /** The output classes (units). */
  int classes();

  /** Regression targets {@code float32 [rows, classes]}, row-major, or null for a class loss. */
  float[] targets();

  /** Rows {@code [from, from + n)} (Keras' validation_split takes the last ones). */
  FitRows slice(int from, int n);

  /**
   * The inputs of rows {@code order[from .. from + n)} ({@code order} null: rows {@code from .. from + n}) as one
   * batch tensor {@code [n] + rowShape}. A {@link StreamedRows} reads only ascending consecutive rows.
   */
  Tensor x(int[] order, int from, int n);

  /**
   * The labels of rows {@code order[from .. from + n)} ({@code order} null: rows {@code from .. from + n}) as the
   * batch's {@code float32 [n, classes]}: one-hot classes, or for a regression loss the float targets. The one place
   * a batch's labels are made, for every source and batch order.
   */
  default TFloat32 y(int[] order, int from, int n) {
    int k = classes();
    float[] y = new float[n * k];
    for (int i = 0; i < n; i++) {
      int r = order == null ? from + i : order[from + i];
      if (targets() != null) {
        System.arraycopy(targets(), r * k, y, i * k, k);
      } else {
        y[i * k + labels()[r]] = 1f;
      }
    }
    return TFloat32.tensorOf(Shape.of(n, k), DataBuffers.of(y, true, false));
  }

  /** How the inputs are read: {@code memory}, {@code index} or {@code stream}. */
  String access();

  /** Values of one row. */
  default int rowSize() {
    return (int) org.rnnport.tensorio.batch.Column.size(rowShape());
  }

  /** Closes the files a source keeps open (nothing for memory). */
  @Override
  default void close() throws java.io.IOException {}
}
