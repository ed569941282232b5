package org.rnnport.predict;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.Pointer;
import org.rnnport.tensorio.DType;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataStorageVisitor;

/**
 * A tensor's own memory as a direct {@link ByteBuffer}, so that a reader can fill it straight from
 * a file ({@code FileChannel.read}) with no Java array between the file and TensorFlow. The view
 * is only valid while the tensor is open: callers use it within the read that fills it and keep
 * no reference.
 *
 * <p>TF Java hands out the address of a tensor's host memory through its public
 * {@link DataStorageVisitor#visit(long, long, long)}; JavaCPP (TF Java's own native bridge)
 * turns an address into a direct buffer with JNI's {@code NewDirectByteBuffer}.
 */
public final class TensorMemory {
  private TensorMemory() {}

  /** Whether tensors hold their values in the layout of a little-endian file (the NPY layout). */
  public static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  /**
   * A new tensor of {@code dtype} and {@code shape}, its memory not yet filled: any fixed-size dtype TF Java has a
   * tensor class for ({@link DType#tensorType()}).
   */
  public static Tensor allocate(DType dtype, Shape shape) {
    if (dtype.tensorType() == null || dtype == DType.STRING) {
      throw new IllegalArgumentException("no tensor memory view for " + dtype.label());
    }
    return Tensor.of(dtype.tensorType(), shape);
  }

  /**
   * The tensor's bytes as a direct buffer in native order, position 0, limit its byte size; null
   * if TF Java keeps them elsewhere than in native memory (then fill it through its NdArray API).
   */
  public static ByteBuffer view(Tensor t) {
    ByteBuffer b = t.asRawTensor().data().accept(new DataStorageVisitor<ByteBuffer>() {
      @Override
      public ByteBuffer visit(long address, long length, long scale) {
        if (length > Integer.MAX_VALUE) {
          return null;
        }
        // no deallocator: the pointer owns nothing, so it needs no closing
        return new Address(address, length).asByteBuffer();
      }

      @Override
      public ByteBuffer fallback() {
        return null;
      }
    });
    return b == null ? null : b.order(ByteOrder.nativeOrder());
  }

  /** A JavaCPP pointer over memory it does not own: no deallocator. */
  private static final class Address extends Pointer {
    Address(long address, long bytes) {
      this.address = address;
      this.limit = bytes;
      this.capacity = bytes;
    }

    @Override
    public int sizeof() {
      return 1;
    }
  }
}
