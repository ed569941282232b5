package org.rnnport.fit;

import java.nio.file.Path;
import java.util.List;
import org.rnnport.tensorio.DType;
import org.tensorflow.Tensor;

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
