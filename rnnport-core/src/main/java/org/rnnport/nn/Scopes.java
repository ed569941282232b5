package org.rnnport.nn;

import org.tensorflow.op.Ops;

/** Name-scope helpers: TF Java scopes take one path component at a time. */
public final class Scopes {
  private Scopes() {}

  /** {@code tf} within the nested scope {@code "a/b/c"}. */
  public static Ops sub(Ops tf, String path) {
    Ops s = tf;
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        s = s.withSubScope(part);
      }
    }
    return s;
  }
}
