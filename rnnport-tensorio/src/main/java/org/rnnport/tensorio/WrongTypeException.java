package org.rnnport.tensorio;

import java.util.Arrays;

/**
 * A typed read of a tensor that does not match its dtype or rank (for instance {@code floats2d("classes")} on an
 * int64 vector): names the tensor, its dtype and its shape, and what was asked. A {@link ClassCastException}, as the
 * wrong cast of an untyped answer would have been.
 */
public class WrongTypeException extends ClassCastException {
  private static final long serialVersionUID = 1L;

  /**
   * An error for a read of {@code key}.
   *
   * @param key the tensor's key
   * @param dtype its dtype
   * @param shape its shape
   * @param asked what the caller asked for, e.g. {@code float[][]}
   */
  public WrongTypeException(String key, DType dtype, long[] shape, String asked) {
    super("'" + key + "' is " + dtype.label() + " of shape " + Arrays.toString(shape) + ", which cannot be read as "
        + asked + " (read it as " + HostTensor.javaTypeName(dtype, shape.length) + ")");
  }
}
