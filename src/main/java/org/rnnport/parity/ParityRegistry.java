package org.rnnport.parity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which Python oracle module reproduces each model's notebook. Adding a notebook to the harness
 * means adding its oracle script under {@code parity/rnnport_oracle/} and one line here.
 */
public final class ParityRegistry {
  private static final Map<String, String> ORACLES = new LinkedHashMap<>();

  static {
    ORACLES.put("mnist-rnn", "rnnport_oracle.mnist_rnn");
  }

  private ParityRegistry() {}

  public static String oracle(String model) {
    String m = ORACLES.get(model);
    if (m == null) {
      throw new IllegalArgumentException("no parity oracle for '" + model + "'; models with one: " + ORACLES.keySet());
    }
    return m;
  }

  public static Map<String, String> all() {
    return java.util.Collections.unmodifiableMap(ORACLES);
  }
}
