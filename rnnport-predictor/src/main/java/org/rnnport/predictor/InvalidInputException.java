package org.rnnport.predictor;

/**
 * Inputs a model cannot take as given: an unknown key or signature, a wrong dtype, rank or
 * dimension, an empty or oversized batch. The message names the input and the problem. A server
 * answers it as a client error (HTTP 400/413, gRPC INVALID_ARGUMENT/RESOURCE_EXHAUSTED by
 * {@link #tooLarge()}).
 */
public class InvalidInputException extends org.rnnport.tensorio.TensorIoException {

  /**
   * Inputs refused as a client error (HTTP 400, gRPC INVALID_ARGUMENT).
   *
   * @param message what is wrong, naming the input or signature
   */
  public InvalidInputException(String message) {
    this(message, false);
  }

  /**
   * Inputs refused, over a size limit or not.
   *
   * @param message what is wrong, naming the input or signature
   * @param tooLarge whether the inputs are well formed but over a size limit (HTTP 413, gRPC RESOURCE_EXHAUSTED)
   */
  public InvalidInputException(String message, boolean tooLarge) {
    super(null, message, tooLarge);
  }
}
