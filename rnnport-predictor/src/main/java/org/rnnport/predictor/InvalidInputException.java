package org.rnnport.predictor;

/**
 * Inputs a model cannot take as given: an unknown key or signature, a wrong dtype, rank or
 * dimension, an empty or oversized batch. The message names the input and the problem. A server
 * answers it as a client error (HTTP 400/413, gRPC INVALID_ARGUMENT/RESOURCE_EXHAUSTED by
 * {@link #tooLarge()}).
 */
public class InvalidInputException extends IllegalArgumentException {
  private final boolean tooLarge;

  public InvalidInputException(String message) {
    this(message, false);
  }

  public InvalidInputException(String message, boolean tooLarge) {
    super(message);
    this.tooLarge = tooLarge;
  }

  /** True when the input is valid but over a size limit (a batch larger than the predictor's maximum). */
  public boolean tooLarge() {
    return tooLarge;
  }
}
