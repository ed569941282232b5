package org.rnnport.keras;

/** A Keras model definition rnnport cannot build as written: names the file, the layer's index and what is wrong. */
public final class KerasFormatException extends IllegalArgumentException {
  public KerasFormatException(String message) {
    super(message);
  }
}
