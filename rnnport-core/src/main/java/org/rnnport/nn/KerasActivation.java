package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The Keras activations rnnport builds, as tf-keras 2.18's {@code keras.activations} computes them on a
 * float32 tensor: {@code linear} (identity), {@code tanh} ({@code tf.tanh}), {@code sigmoid}
 * ({@code tf.sigmoid}), {@code relu} ({@code tf.nn.relu}), {@code softmax} ({@code tf.nn.softmax}, last axis).
 */
public enum KerasActivation {
  LINEAR("linear"),
  TANH("tanh"),
  SIGMOID("sigmoid"),
  RELU("relu"),
  SOFTMAX("softmax");

  private final String keras;

  KerasActivation(String keras) {
    this.keras = keras;
  }

  /** The name Keras' config uses. */
  public String keras() {
    return keras;
  }

  /** The activations by Keras name. */
  public static List<String> names() {
    return java.util.Arrays.stream(values()).map(KerasActivation::keras).toList();
  }

  /** The activation Keras names {@code name}, or null. */
  public static KerasActivation of(String name) {
    for (KerasActivation a : values()) {
      if (a.keras.equals(name)) {
        return a;
      }
    }
    return null;
  }

  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case LINEAR -> x;
      case TANH -> tf.math.tanh(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case RELU -> tf.nn.relu(x);
      case SOFTMAX -> tf.nn.softmax(x);
    };
  }
}
