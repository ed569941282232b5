package org.rnnport.serve;

/** A request the model cannot answer as given; the message says what is wrong (HTTP 400, or the given status). */
public class BadRequestException extends RuntimeException {
  private final int status;

  public BadRequestException(String message) {
    this(400, message);
  }

  public BadRequestException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
