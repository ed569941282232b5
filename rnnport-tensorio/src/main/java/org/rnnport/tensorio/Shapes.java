package org.rnnport.tensorio;

import java.util.Arrays;

/** Element counts and byte sizes of shapes, checked for negative dimensions and overflow before anything is allocated. */
public final class Shapes {
  private Shapes() {}

  /** The most bytes one tensor may hold on the Java heap (the largest Java array). */
  public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  /**
   * The number of elements of a fully defined shape.
   *
   * @param key the input or output key, for errors
   * @param shape the dimensions, each at least 0
   * @return their product
   * @throws TensorIoException naming the key for a negative dimension or a product past 2^63 - 1
   */
  public static long count(String key, long[] shape) {
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw TensorIoException.input(key, "dimension " + i + " of shape " + Arrays.toString(shape) + " is " + shape[i]
            + "; a tensor's dimensions are at least 0");
      }
    }
    for (long d : shape) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        if (Arrays.stream(shape).anyMatch(x -> x == 0)) {
          return 0;
        }
        throw TensorIoException.input(key, "shape " + Arrays.toString(shape) + " has more than 2^63 - 1 elements");
      }
    }
    return n;
  }

  /**
   * The bytes of a fixed-size dtype's tensor of a shape.
   *
   * @param key the input or output key, for errors
   * @param dtype a dtype other than {@link DType#STRING}
   * @param shape the dimensions
   * @return element count times element size
   * @throws TensorIoException naming the key when the count or the product overflows
   */
  public static long bytes(String key, DType dtype, long[] shape) {
    long n = count(key, shape);
    try {
      return Math.multiplyExact(n, (long) Math.max(1, dtype.bytes()));
    } catch (ArithmeticException e) {
      throw TensorIoException.input(key, n + " elements of " + dtype.label() + " are more than 2^63 - 1 bytes");
    }
  }

  /**
   * Checks that a tensor of {@code bytes} bytes fits on the Java heap.
   *
   * @param key the input or output key
   * @param dtype the dtype, for the message
   * @param shape the shape, for the message
   * @param bytes the tensor's bytes
   * @throws TensorIoException naming the key when it is more than {@link #MAX_BYTES}
   */
  public static void checkCarried(String key, DType dtype, long[] shape, long bytes) {
    if (bytes > MAX_BYTES) {
      throw TensorIoException.input(key, "a " + dtype.label() + " tensor of shape " + Arrays.toString(shape) + " needs "
          + bytes + " bytes, more than one tensor can carry (" + MAX_BYTES + ")");
    }
  }
}
