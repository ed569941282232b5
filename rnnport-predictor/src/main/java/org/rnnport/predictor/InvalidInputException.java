package org.rnnport.predictor;

/**
 * Inputs a model cannot take as given: an unknown key or signature, a wrong dtype, rank or
 * dimension, an empty or oversized batch. The message names the input and the problem. A server
 * answers it as a client error (HTTP 400/413, gRPC INVALID_ARGUMENT/RESOURCE_EXHAUSTED by
 * {@link #tooLarge()}).
 */
public class InvalidInputException extends IllegalArgumentException {
  /** Whether the input is valid but over a size limit. */
  private final boolean tooLarge;

  /**
   * An input the model cannot take.
   *
   * @param message what is wrong, naming the input
   */
  public InvalidInputException(String message) {
    this(message, false);
  }

  /**
   * An input the model cannot take, or one over a size limit.
   *
   * @param message what is wrong, naming the input
   * @param tooLarge true when the input is valid but over a size limit
   */
  public InvalidInputException(String message, boolean tooLarge) {
    super(message);
    this.tooLarge = tooLarge;
  }

  /**
   * Whether the input is valid but over a size limit (a batch larger than the predictor's maximum).
   *
   * @return true for a size limit, false for an input the model cannot take at all
   */
  public boolean tooLarge() {
    return tooLarge;
  }
}
