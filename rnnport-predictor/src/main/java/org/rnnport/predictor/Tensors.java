package org.rnnport.predictor;

import java.util.Arrays;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * Java arrays to tensors and back, checked against a signature's {@link TensorSpec}: the dtype,
 * the rank and the known dimensions. Every error is an {@link InvalidInputException} that names the
 * input and the problem.
 */
public final class Tensors {
  private Tensors() {}

  /**
   * A tensor from a Java array: {@code float[]} to {@code float[][][]}, {@code double[]...},
   * {@code int[]...}, {@code long[]...} (first dimension the batch), of the spec's dtype, checked
   * against its shape.
   *
   * @param spec the input it is for
   * @param array the values
   * @return a new tensor, to be closed by the caller
   * @throws InvalidInputException for another Java type, another dtype than the spec's, or a shape the spec does not take
   */
  public static Tensor of(TensorSpec spec, Object array) {
    Tensor t = fromArray(spec, array);
    try {
      String dt = dtype(t);
      if (!dt.equals(spec.dtype())) {
        throw new InvalidInputException("input '" + spec.key() + "' is " + spec.dtype() + ", got a " + dt + " array");
      }
      checkShape(spec, t.shape().asArray());
      return t;
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  private static Tensor fromArray(TensorSpec spec, Object a) {
    if (a instanceof float[] x) {
      return TFloat32.vectorOf(x);
    } else if (a instanceof float[][] x) {
      return TFloat32.tensorOf(StdArrays.ndCopyOf(x));
    } else if (a instanceof float[][][] x) {
      return TFloat32.tensorOf(StdArrays.ndCopyOf(x));
    } else if (a instanceof double[] x) {
      return TFloat64.vectorOf(x);
    } else if (a instanceof double[][] x) {
      return TFloat64.tensorOf(StdArrays.ndCopyOf(x));
    } else if (a instanceof double[][][] x) {
      return TFloat64.tensorOf(StdArrays.ndCopyOf(x));
    } else if (a instanceof int[] x) {
      return TInt32.vectorOf(x);
    } else if (a instanceof int[][] x) {
      return TInt32.tensorOf(StdArrays.ndCopyOf(x));
    } else if (a instanceof int[][][] x) {
      return TInt32.tensorOf(StdArrays.ndCopyOf(x));
    } else if (a instanceof long[] x) {
      return TInt64.vectorOf(x);
    } else if (a instanceof long[][] x) {
      return TInt64.tensorOf(StdArrays.ndCopyOf(x));
    } else if (a instanceof long[][][] x) {
      return TInt64.tensorOf(StdArrays.ndCopyOf(x));
    }
    throw new InvalidInputException("input '" + spec.key() + "': unsupported Java type "
        + (a == null ? "null" : a.getClass().getSimpleName())
        + " (use float, double, int or long arrays of rank 1 to 3; for other tensors, use run())");
  }

  /**
   * A tensor of the spec's dtype from row-major values: the one conversion behind JSON, CSV and
   * other text inputs. Integral dtypes need integral values in range.
   *
   * @param spec the input it is for
   * @param shape the tensor's shape
   * @param v the values, row-major
   * @return a new tensor, to be closed by the caller
   * @throws InvalidInputException when the values do not fill the shape, or do not fit the dtype
   */
  public static Tensor of(TensorSpec spec, long[] shape, double[] v) {
    Shape s = Shape.of(shape);
    if (s.size() != v.length) {
      throw new InvalidInputException("input '" + spec.key() + "': " + v.length + " values for shape "
          + Arrays.toString(shape));
    }
    switch (spec.dtype()) {
      case "DT_FLOAT" -> {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
          f[i] = (float) v[i];
        }
        return TFloat32.tensorOf(s, DataBuffers.of(f, true, false));
      }
      case "DT_DOUBLE" -> {
        return TFloat64.tensorOf(s, DataBuffers.of(v, true, false));
      }
      case "DT_INT32" -> {
        int[] a = new int[v.length];
        for (int i = 0; i < v.length; i++) {
          if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE || v[i] != Math.rint(v[i])) {
            throw new InvalidInputException("input '" + spec.key() + "': " + v[i] + " is not an int32");
          }
          a[i] = (int) v[i];
        }
        return TInt32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case "DT_INT64" -> {
        long[] a = new long[v.length];
        for (int i = 0; i < v.length; i++) {
          if (v[i] != Math.rint(v[i])) {
            throw new InvalidInputException("input '" + spec.key() + "': " + v[i] + " is not an integer");
          }
          a[i] = (long) v[i];
        }
        return TInt64.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case "DT_UINT8" -> {
        byte[] a = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
          if (v[i] < 0 || v[i] > 255 || v[i] != Math.rint(v[i])) {
            throw new InvalidInputException("input '" + spec.key() + "': " + v[i] + " is not a uint8");
          }
          a[i] = (byte) v[i];
        }
        return TUint8.tensorOf(s, DataBuffers.of(a, true, false));
      }
      default -> throw new InvalidInputException("input '" + spec.key() + "' has dtype " + spec.dtype()
          + ", which cannot be built from numbers");
    }
  }

  /**
   * The dtype of a tensor as TensorFlow names it.
   *
   * @param t a tensor
   * @return the name, such as {@code DT_FLOAT}
   */
  public static String dtype(Tensor t) {
    String n = t.dataType().name();
    return n.startsWith("DT_") ? n : "DT_" + n;
  }

  /**
   * Checks the rank and the known dimensions of {@code shape} against the signature's; an unknown
   * rank accepts any shape.
   *
   * @param spec the input's spec
   * @param shape the shape of the tensor given for it
   * @throws InvalidInputException naming the input, the rank or dimension, and what the signature expects
   */
  public static void checkShape(TensorSpec spec, long[] shape) {
    if (spec.shape() == null) {
      return;
    }
    if (shape.length != spec.shape().length) {
      throw new InvalidInputException("input '" + spec.key() + "': rank " + shape.length + " " + Arrays.toString(shape)
          + ", the signature expects rank " + spec.shape().length + " " + Arrays.toString(spec.shape()));
    }
    for (int i = 0; i < shape.length; i++) {
      if (spec.shape()[i] >= 0 && spec.shape()[i] != shape[i]) {
        throw new InvalidInputException("input '" + spec.key() + "': dimension " + i + " is " + shape[i]
            + ", the signature expects " + spec.shape()[i] + " (shape " + Arrays.toString(spec.shape()) + ")");
      }
    }
  }

  /**
   * A tensor as a Java array: {@code float[]}..{@code float[][][]} for DT_FLOAT, likewise
   * {@code double}, {@code int} and {@code long}; a boxed scalar for rank 0.
   *
   * @param t a tensor of rank 0 to 3
   * @return the values as a Java array or a boxed scalar
   * @throws IllegalArgumentException for a higher rank or another dtype
   */
  public static Object toArray(Tensor t) {
    int rank = t.shape().numDimensions();
    if (rank > 3) {
      throw new IllegalArgumentException("rank " + rank + " tensors have no Java array form here; read the tensor");
    }
    if (t instanceof TFloat32 f) {
      return switch (rank) {
        case 0 -> f.getFloat();
        case 1 -> StdArrays.array1dCopyOf(f);
        case 2 -> StdArrays.array2dCopyOf(f);
        default -> StdArrays.array3dCopyOf(f);
      };
    } else if (t instanceof TFloat64 d) {
      return switch (rank) {
        case 0 -> d.getDouble();
        case 1 -> StdArrays.array1dCopyOf(d);
        case 2 -> StdArrays.array2dCopyOf(d);
        default -> StdArrays.array3dCopyOf(d);
      };
    } else if (t instanceof TInt64 l) {
      return switch (rank) {
        case 0 -> l.getLong();
        case 1 -> StdArrays.array1dCopyOf(l);
        case 2 -> StdArrays.array2dCopyOf(l);
        default -> StdArrays.array3dCopyOf(l);
      };
    } else if (t instanceof TInt32 i) {
      return switch (rank) {
        case 0 -> i.getInt();
        case 1 -> StdArrays.array1dCopyOf(i);
        case 2 -> StdArrays.array2dCopyOf(i);
        default -> StdArrays.array3dCopyOf(i);
      };
    }
    throw new IllegalArgumentException("a " + dtype(t) + " tensor has no Java array form here; read the tensor");
  }

  /**
   * The index of the largest value in each row of a {@code [batch, classes]} float tensor (the
   * first one on ties, like {@code tf.argmax}).
   *
   * @param scores a {@code [batch, classes]} tensor
   * @return the index of each row's largest value
   * @throws IllegalArgumentException for another rank
   */
  public static int[] argMax(TFloat32 scores) {
    long[] shape = scores.shape().asArray();
    if (shape.length != 2) {
      throw new IllegalArgumentException("argMax needs [batch, classes] scores, got shape " + Arrays.toString(shape));
    }
    int rows = (int) shape[0];
    int classes = (int) shape[1];
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) {
      int best = 0;
      float bv = scores.getFloat(r, 0);
      for (int c = 1; c < classes; c++) {
        float v = scores.getFloat(r, c);
        if (v > bv) {
          bv = v;
          best = c;
        }
      }
      out[r] = best;
    }
    return out;
  }
}
