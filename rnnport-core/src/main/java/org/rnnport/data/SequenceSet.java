package org.rnnport.data;

/**
 * Padded integer sequences with class labels, row-major {@code [size, length]} int32, as
 * {@code pad_sequences} gives them.
 */
public record SequenceSet(int[] tokens, int[] labels, int length, int numClasses) {
  public int size() {
    return labels.length;
  }
}
