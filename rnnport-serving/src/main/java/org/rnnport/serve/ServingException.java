package org.rnnport.serve;

import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.tensorio.TensorIoException;

/**
 * A request the serving library cannot answer, with TF Serving's status code (gRPC's canonical
 * codes). The library throws no protocol status: the REST server maps the code to HTTP, the gRPC
 * server to a gRPC status.
 */
public class ServingException extends RuntimeException {
  /** The canonical codes TF Serving answers with. */
  public enum Code { INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED, UNAVAILABLE, UNIMPLEMENTED, DEADLINE_EXCEEDED,
    FAILED_PRECONDITION, INTERNAL }

  private final Code code;
  private final boolean tooLarge;

  public ServingException(Code code, String message) {
    this(code, message, false);
  }

  private ServingException(Code code, String message, boolean tooLarge) {
    super(cut(message));
    this.code = code;
    this.tooLarge = tooLarge;
  }

  public static ServingException invalid(String message) {
    return new ServingException(Code.INVALID_ARGUMENT, message);
  }

  public static ServingException notFound(String message) {
    return new ServingException(Code.NOT_FOUND, message);
  }

  /** A valid request over a size limit (REST 413, gRPC RESOURCE_EXHAUSTED). */
  public static ServingException tooLarge(String message) {
    return new ServingException(Code.RESOURCE_EXHAUSTED, message, true);
  }

  /** The server is at its limit of queued work (REST 503, gRPC RESOURCE_EXHAUSTED). */
  public static ServingException busy(String message) {
    return new ServingException(Code.RESOURCE_EXHAUSTED, message, false);
  }

  public static ServingException unavailable(String message) {
    return new ServingException(Code.UNAVAILABLE, message);
  }

  /** Longest message answered; a longer one (e.g. echoing an 8 KB model name) is cut. */
  static final int MAX_MESSAGE = 512;

  /**
   * {@code message} as answered: at most {@link #MAX_MESSAGE} characters (the first 384, then how
   * many were cut, then the last 64), so a name a client sent, however long, never overflows a gRPC
   * trailer (8 KB) or floods a log line; line breaks become spaces (one log line per refusal).
   */
  public static String cut(String message) {
    if (message == null) {
      return null;
    }
    String m = message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0
        ? message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ') : message;
    if (m.length() <= MAX_MESSAGE) {
      return m;
    }
    return m.substring(0, 384) + "... [" + (m.length() - 448) + " characters cut] ..." + m.substring(m.length() - 64);
  }

  public Code code() {
    return code;
  }

  /** True for RESOURCE_EXHAUSTED because the request itself is too large (not because the server is busy). */
  public boolean tooLarge() {
    return tooLarge;
  }

  /** Any exception of a request as a ServingException (the predictor's own errors keep their meaning). */
  public static ServingException of(Throwable e) {
    if (e instanceof java.util.concurrent.CompletionException || e instanceof java.util.concurrent.ExecutionException) {
      if (e.getCause() != null) {
        return of(e.getCause());
      }
    }
    if (e instanceof ServingException s) {
      return s;
    }
    if (e instanceof TensorIoException i) { // the predictor's InvalidInputException too
      return i.tooLarge() ? tooLarge(i.getMessage()) : invalid(i.getMessage());
    }
    if (e instanceof SavedModelPredictor.ClosedException c) {
      return unavailable(c.getMessage() + "; retry");
    }
    if (e instanceof OutOfMemoryError) {
      // the slot is released all the same (Slot); the next request is served
      return busy("out of memory while handling the request (" + e.getMessage() + "); retry, or send a smaller one");
    }
    if (e instanceof java.util.concurrent.TimeoutException) {
      return new ServingException(Code.DEADLINE_EXCEEDED, "the request did not finish within its deadline");
    }
    if (e instanceof org.tensorflow.exceptions.TFInvalidArgumentException t) {
      return invalid(t.getMessage());
    }
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return new ServingException(Code.INTERNAL, "internal error: " + m);
  }
}
