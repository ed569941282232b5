package org.rnnport.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Accuracy, per-class precision/recall/F1 and the confusion matrix ({@code confusion[true][pred]}).
 */
public final class ClassificationReport {
  private final int classes;
  private final long[][] confusion;
  private long total;
  private long correct;

  public ClassificationReport(int classes) {
    this.classes = classes;
    this.confusion = new long[classes][classes];
  }

  public void add(int truth, int predicted) {
    if (predicted < 0 || predicted >= classes) {
      throw new IllegalArgumentException("predicted class " + predicted + " outside 0.." + (classes - 1));
    }
    confusion[truth][predicted]++;
    total++;
    if (truth == predicted) {
      correct++;
    }
  }

  public long total() {
    return total;
  }

  public double accuracy() {
    return total == 0 ? 0 : (double) correct / total;
  }

  public long[][] confusion() {
    return confusion;
  }

  /** Per-class metrics. */
  public record ClassMetrics(int label, long support, double precision, double recall, double f1) {}

  public List<ClassMetrics> perClass() {
    List<ClassMetrics> out = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      long tp = confusion[c][c];
      long predicted = 0;
      long actual = 0;
      for (int k = 0; k < classes; k++) {
        predicted += confusion[k][c];
        actual += confusion[c][k];
      }
      double p = predicted == 0 ? 0 : (double) tp / predicted;
      double r = actual == 0 ? 0 : (double) tp / actual;
      double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
      out.add(new ClassMetrics(c, actual, p, r, f1));
    }
    return out;
  }

  /** A plain-text table of the per-class metrics and the confusion matrix. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("accuracy %.4f (%d/%d)%n%n", accuracy(), correct, total));
    sb.append(String.format("%5s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
    for (ClassMetrics m : perClass()) {
      sb.append(String.format("%5d %9.4f %9.4f %9.4f %8d%n", m.label(), m.precision(), m.recall(), m.f1(), m.support()));
    }
    sb.append(String.format("%nconfusion matrix (rows: true class, columns: predicted)%n      "));
    for (int c = 0; c < classes; c++) {
      sb.append(String.format("%6d", c));
    }
    sb.append('\n');
    for (int t = 0; t < classes; t++) {
      sb.append(String.format("%6d", t));
      for (int p = 0; p < classes; p++) {
        sb.append(String.format("%6d", confusion[t][p]));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
