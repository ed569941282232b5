package org.rnnport.serve;

import java.util.Arrays;

/**
 * One signature input or output: its key, dtype (as TensorFlow names it, e.g. {@code DT_FLOAT}),
 * shape ({@code -1} for an unknown dimension) and graph tensor name.
 */
public record TensorSpec(String key, String dtype, long[] shape, String tensorName) {
  @Override
  public String toString() {
    return key + ": " + dtype + " " + Arrays.toString(shape) + " (" + tensorName + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && key.equals(t.key) && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape)
        && tensorName.equals(t.tensorName);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
