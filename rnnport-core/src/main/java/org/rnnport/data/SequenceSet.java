package org.rnnport.data;

/**
 * Padded integer sequences with class labels, row-major {@code [size, length]} int32, as
 * {@code pad_sequences} gives them.
 */
public record SequenceSet(int[] tokens, int[] labels, int length, int numClasses) implements EvalSet {
  public int size() {
    return labels.length;
  }

  @Override
  public org.tensorflow.Tensor x(int from, int n, long[] inputDims) {
    return SequenceBatches.range(this, from, n);
  }

  @Override
  public org.tensorflow.types.TFloat32 y(int from, int n) {
    return SequenceBatches.rangeLabels(this, from, n);
  }

  @Override
  public int label(int i) {
    return labels[i];
  }
}
