package org.rnnport.fit;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;

/**
 * Rows whose inputs stay in the files ({@link IndexedRows}, {@link StreamedRows}): rows {@code [first, first + rows)}
 * of the files' rows, their labels and targets in memory.
 */
abstract class FileRows implements FitRows {
  final List<Path> files;
  final DType dtype;
  final long[] rowShape;
  final int rowBytes;
  final long first;
  final int rows;
  final int[] labels;
  final int classes;
  final float[] targets;

  FileRows(List<Path> files, DType dtype, long[] rowShape, long first, int rows, int[] labels, int classes,
      float[] targets) {
    this.files = List.copyOf(files);
    this.dtype = dtype;
    this.rowShape = rowShape.clone();
    this.rowBytes = (int) Column.size(rowShape) * dtype.bytes();
    this.first = first;
    this.rows = rows;
    this.labels = labels;
    this.classes = classes;
    this.targets = targets;
  }

  /** The labels of rows {@code [from, from + n)} of these. */
  int[] labels(int from, int n) {
    return Arrays.copyOfRange(labels, from, from + n);
  }

  /** The targets of rows {@code [from, from + n)} of these, or null. */
  float[] targets(int from, int n) {
    return targets == null ? null : Arrays.copyOfRange(targets, from * classes, (from + n) * classes);
  }

  @Override
  public List<Path> files() {
    return files;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  @Override
  public long[] rowShape() {
    return rowShape.clone();
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int[] labels() {
    return labels;
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public float[] targets() {
    return targets;
  }
}
