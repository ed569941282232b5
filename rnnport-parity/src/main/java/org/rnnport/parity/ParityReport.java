package org.rnnport.parity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outcome of a parity run: named checks with measured values and thresholds, plus details. */
public final class ParityReport {
  public String model;
  public Map<String, Object> settings = new LinkedHashMap<>();
  public Map<String, String> versions = new LinkedHashMap<>();
  public List<Check> checks = new ArrayList<>();
  public Map<String, Object> details = new LinkedHashMap<>();
  public List<Float> javaLosses = new ArrayList<>();
  public List<Float> pythonLosses = new ArrayList<>();

  /** One comparison. {@code passed} is false when the threshold was missed. */
  public record Check(String name, String measured, String threshold, boolean passed) {}

  public void check(String name, String measured, String threshold, boolean passed) {
    checks.add(new Check(name, measured, threshold, passed));
  }

  public boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }

  public List<Check> failures() {
    return checks.stream().filter(c -> !c.passed()).toList();
  }

  /** The Markdown table of the checks. */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| check | measured | threshold | result |\n|---|---|---|---|\n");
    for (Check c : checks) {
      sb.append("| ").append(c.name()).append(" | ").append(c.measured()).append(" | ").append(c.threshold())
          .append(" | ").append(c.passed() ? "pass" : "**FAIL**").append(" |\n");
    }
    return sb.toString();
  }
}
