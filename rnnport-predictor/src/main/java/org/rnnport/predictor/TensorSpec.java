package org.rnnport.predictor;

import java.util.Arrays;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.tensorflow.Tensor;

/**
 * One signature input or output: its key, dtype ({@code null} when the signature declares one rnnport does not
 * carry, e.g. DT_RESOURCE; {@link #dtypeName()} names it then), shape ({@code -1} for an unknown dimension;
 * {@code null} for an unknown rank) and graph tensor name.
 *
 * @param key the input or output key
 * @param dtype the dtype, or null for one rnnport does not carry
 * @param shape the dimensions, or null for an unknown rank
 * @param tensorName the graph tensor, e.g. {@code input_X:0}
 * @param dtypeName TensorFlow's name of the dtype ({@code DT_FLOAT})
 */
public record TensorSpec(String key, DType dtype, long[] shape, String tensorName, String dtypeName) {
  /**
   * A spec of a dtype rnnport carries.
   *
   * @param key the key
   * @param dtype the dtype
   * @param shape the dimensions, or null for an unknown rank
   * @param tensorName the graph tensor
   */
  public TensorSpec(String key, DType dtype, long[] shape, String tensorName) {
    this(key, dtype, shape, tensorName, dtype.tfName());
  }

  /**
   * True when the rank is unknown (the signature says nothing about the shape).
   *
   * @return whether the shape is null
   */
  public boolean unknownRank() {
    return shape == null;
  }

  /**
   * The shape as {@code saved_model_cli} prints it.
   *
   * @return {@code (-1, 28, 28)}, or {@code unknown_rank}
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
   * Whether the dtype is an integer type.
   *
   * @return true for int8 to uint64
   */
  public boolean integral() {
    return dtype != null && dtype.integral();
  }

  /**
   * A tensor for this input from a Java value of its dtype's carrier ({@link HostTensor#ofArray}: {@code float[][][]}
   * for a float32 input of rank 3, {@code long[]} for int64, ...), checked against the rank and known dimensions.
   *
   * @param value the Java value, or a {@link HostTensor}
   * @return a tensor the caller closes
   * @throws InvalidInputException naming the input for another Java type, a value the dtype does not hold exactly,
   *     or a shape the signature does not take
   */
  public Tensor tensor(Object value) {
    if (dtype == null) {
      throw new InvalidInputException("input '" + key + "' is " + dtypeName + ", which rnnport does not carry");
    }
    HostTensor h;
    try {
      h = value instanceof HostTensor t ? t.withKey(key) : HostTensor.ofArray(key, dtype, value);
    } catch (org.rnnport.tensorio.TensorIoException e) {
      throw new InvalidInputException(e.getMessage());
    }
    if (h.dtype() != dtype) {
      throw new InvalidInputException("input '" + key + "' is " + dtype.label() + ", got " + h.dtype().label());
    }
    checkShape(h.shape());
    try {
      return h.toTensor();
    } catch (org.rnnport.tensorio.TensorIoException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  /**
   * Checks the rank and the known dimensions of {@code s} against this spec's; an unknown rank accepts any shape.
   *
   * @param s the shape of a value for this input
   * @throws InvalidInputException naming the input and the dimension that differs
   */
  public void checkShape(long[] s) {
    if (shape == null) {
      return;
    }
    if (s.length != shape.length) {
      throw new InvalidInputException("input '" + key + "': rank " + s.length + " " + Arrays.toString(s)
          + ", the signature expects rank " + shape.length + " " + Arrays.toString(shape));
    }
    for (int i = 0; i < s.length; i++) {
      if (shape[i] >= 0 && shape[i] != s[i]) {
        throw new InvalidInputException("input '" + key + "': dimension " + i + " is " + s[i]
            + ", the signature expects " + shape[i] + " (shape " + Arrays.toString(shape) + ")");
      }
    }
  }

  @Override
  public String toString() {
    return key + ": " + dtypeName + " " + shapeText() + " (" + tensorName + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && key.equals(t.key) && dtypeName.equals(t.dtypeName)
        && Arrays.equals(shape, t.shape) && tensorName.equals(t.tensorName);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
