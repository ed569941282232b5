package org.rnnport.predictor;

import java.util.Arrays;

/**
 * One signature input or output: its key, dtype (as TensorFlow names it, e.g. {@code DT_FLOAT}),
 * shape ({@code -1} for an unknown dimension; {@code null} for an unknown rank) and graph tensor
 * name.
 */
public record TensorSpec(String key, String dtype, long[] shape, String tensorName) {
  /**
   * Whether the rank is unknown (the signature says nothing about the shape).
   *
   * @return true when {@link #shape()} is null
   */
  public boolean unknownRank() {
    return shape == null;
  }

  /**
   * The shape as {@code saved_model_cli} prints it.
   *
   * @return {@code (-1, 28, 28)}, {@code (-1,)}, or {@code unknown_rank}
   */
  public String shapeText() {
    if (shape == null) {
      return "unknown_rank";
    }
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i > 0 ? ", " : "").append(shape[i]);
    }
    return b.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /**
   * Whether the dtype is DT_INT32 or DT_INT64.
   *
   * @return true for those two
   */
  public boolean integral() {
    return dtype.equals("DT_INT32") || dtype.equals("DT_INT64");
  }

  @Override
  public String toString() {
    return key + ": " + dtype + " " + shapeText() + " (" + tensorName + ")";
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
