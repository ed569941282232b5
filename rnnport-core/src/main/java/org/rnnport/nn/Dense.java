package org.rnnport.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The notebooks' output layer, {@code tf.matmul(x, W) + b}. */
public final class Dense {
  private Dense() {}

  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Tf1Variable w, Tf1Variable b) {
    return tf.withName("add").math.add(tf.linalg.matMul(x, w.read()), b.read());
  }
}
