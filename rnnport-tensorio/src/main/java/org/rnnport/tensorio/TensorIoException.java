package org.rnnport.tensorio;

/**
 * A value that cannot become a tensor (or a tensor that cannot become a value) as given: the message names the
 * input or output key and what is wrong. Servers answer it as a client error (gRPC INVALID_ARGUMENT, HTTP 400;
 * RESOURCE_EXHAUSTED or 413 when {@link #tooLarge()}).
 */
public class TensorIoException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The input or output key the error is about, or null when it is about the request as a whole. */
  private final String key;
  /** Whether the value is well formed but over a size limit. */
  private final boolean tooLarge;

  /**
   * An error about one tensor.
   *
   * @param key the input or output key (null when none applies)
   * @param message what is wrong; it should already name the key
   */
  public TensorIoException(String key, String message) {
    this(key, message, false);
  }

  /**
   * An error about one tensor, possibly a size limit.
   *
   * @param key the input or output key (null when none applies)
   * @param message what is wrong; it should already name the key
   * @param tooLarge true when the tensor is well formed but over a size limit
   */
  public TensorIoException(String key, String message, boolean tooLarge) {
    super(message);
    this.key = key;
    this.tooLarge = tooLarge;
  }

  /**
   * The key the error is about.
   *
   * @return the input or output key, or null
   */
  public String key() {
    return key;
  }

  /**
   * Whether the error is a size limit rather than malformed input.
   *
   * @return true for a tensor over a size limit
   */
  public boolean tooLarge() {
    return tooLarge;
  }

  /**
   * An error naming the input key: {@code input 'key': message}.
   *
   * @param key the input key
   * @param message what is wrong
   * @return the exception
   */
  public static TensorIoException input(String key, String message) {
    return new TensorIoException(key, "input '" + key + "': " + message);
  }
}
