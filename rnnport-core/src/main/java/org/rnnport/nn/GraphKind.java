package org.rnnport.nn;

import java.util.function.Supplier;

/**
 * Which graph a model builds for the same variables: the notebook's own ({@link #FAITHFUL}, the default, used
 * for parity) or {@link #FAST} ({@link FastRnn}: TF's fused cell kernels, the last step read directly, and a
 * hand-built backward pass through time). Both have the same variables (names, shapes, dtypes) and the same
 * serving signature, so checkpoints and SavedModels restore into either by name.
 */
public enum GraphKind {
  FAITHFUL,
  FAST;

  private static final ThreadLocal<GraphKind> BUILDING = ThreadLocal.withInitial(() -> FAITHFUL);

  /** {@code faithful} or {@code fast}. */
  public static GraphKind parse(String s) {
    return switch (s.toLowerCase()) {
      case "faithful" -> FAITHFUL;
      case "fast" -> FAST;
      default -> throw new IllegalArgumentException("--graph must be faithful or fast, got '" + s + "'");
    };
  }

  /** Runs {@code build} (a model's graph construction) building graphs of this kind on this thread. */
  public <T> T building(Supplier<T> build) {
    GraphKind before = BUILDING.get();
    BUILDING.set(this);
    try {
      return build.get();
    } finally {
      BUILDING.set(before);
    }
  }

  /** The kind of the graph being built on this thread. */
  public static GraphKind current() {
    return BUILDING.get();
  }

  /** True while a fast graph is being built on this thread. */
  public static boolean fast() {
    return current() == FAST;
  }

  /** The lower-case name, as the command line spells it. */
  public String label() {
    return name().toLowerCase();
  }
}
