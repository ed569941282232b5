package org.rnnport.parity;

/** Element-wise comparisons of float arrays. */
public final class Compare {
  private Compare() {}

  /** Max absolute and relative difference and how many elements differ in any bit. */
  public record Diff(double maxAbs, double maxRel, long differing, long total) {
    public boolean bitIdentical() {
      return differing == 0;
    }

    public String describe() {
      if (bitIdentical()) {
        return "bit-identical (" + total + " values)";
      }
      return String.format("max abs %.3g, max rel %.3g, %d of %d differ", maxAbs, maxRel, differing, total);
    }
  }

  public static Diff diff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    double maxAbs = 0;
    double maxRel = 0;
    long differing = 0;
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
        differing++;
        double d = Math.abs((double) a[i] - (double) b[i]);
        maxAbs = Math.max(maxAbs, d);
        double scale = Math.max(Math.abs((double) a[i]), Math.abs((double) b[i]));
        if (scale > 0) {
          maxRel = Math.max(maxRel, d / scale);
        }
      }
    }
    return new Diff(maxAbs, maxRel, differing, a.length);
  }

  /** Merges per-variable diffs into one. */
  public static Diff merge(Iterable<Diff> diffs) {
    double abs = 0;
    double rel = 0;
    long d = 0;
    long t = 0;
    for (Diff x : diffs) {
      abs = Math.max(abs, x.maxAbs());
      rel = Math.max(rel, x.maxRel());
      d += x.differing();
      t += x.total();
    }
    return new Diff(abs, rel, d, t);
  }

  /** {@code ||a - b|| / ||b||} (L2; the absolute norm when b is all zeros). */
  public static double relativeL2(float[] a, float[] b) {
    double diff = 0;
    double norm = 0;
    for (int k = 0; k < a.length; k++) {
      diff += ((double) a[k] - b[k]) * ((double) a[k] - b[k]);
      norm += (double) b[k] * b[k];
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }
}
