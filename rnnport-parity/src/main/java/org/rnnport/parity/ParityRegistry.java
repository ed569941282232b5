package org.rnnport.parity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Python oracle reproduces each model's notebook. Adding a notebook to the harness means
 * adding its oracle module under {@code parity/rnnport_oracle/} and one line here.
 */
public final class ParityRegistry {

  /** A Python module of {@code parity/rnnport_oracle} and its extra arguments. */
  public record Oracle(String module, List<String> args) {}

  private static final Map<String, Oracle> ORACLES = new LinkedHashMap<>();

  static {
    ORACLES.put("mnist-rnn", new Oracle("rnnport_oracle.mnist_rnn", List.of()));
    ORACLES.put("mnist-lstm", new Oracle("rnnport_oracle.mnist_lstm", List.of()));
    ORACLES.put("mnist-lstm-state", new Oracle("rnnport_oracle.mnist_lstm_state", List.of("--variant", "faithful")));
    ORACLES.put("mnist-lstm-state-fixed", new Oracle("rnnport_oracle.mnist_lstm_state", List.of("--variant", "fixed")));
    ORACLES.put("reuters-lstm", new Oracle("rnnport_oracle.reuters_lstm", List.of()));
  }

  private ParityRegistry() {}

  public static Oracle oracle(String model) {
    Oracle m = ORACLES.get(model);
    if (m == null) {
      throw new IllegalArgumentException("no parity oracle for '" + model + "'; models with one: " + ORACLES.keySet());
    }
    return m;
  }

  public static Map<String, Oracle> all() {
    return java.util.Collections.unmodifiableMap(ORACLES);
  }
}
