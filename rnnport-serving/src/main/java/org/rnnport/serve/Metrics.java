package org.rnnport.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** Request counters and latency histograms per model, in Prometheus' text format. */
public final class Metrics {
  static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  private static final class PerModel {
    final Map<Integer, LongAdder> byCode = new ConcurrentHashMap<>();
    final LongAdder[] buckets = new LongAdder[BUCKETS.length];
    final DoubleAdder sum = new DoubleAdder();
    final LongAdder count = new LongAdder();

    PerModel() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }
  }

  private final Map<String, PerModel> models = new ConcurrentHashMap<>();
  public final AtomicInteger inFlight = new AtomicInteger();
  public final LongAdder rejectedBusy = new LongAdder();

  /**
   * Records one request to {@code model}: a model the server knows, or null (unknown models and other
   * endpoints share the series {@code model=""}, so a URL cannot create series).
   */
  public void record(String model, int status, double seconds) {
    PerModel m = models.computeIfAbsent(model == null ? "" : model, k -> new PerModel());
    m.byCode.computeIfAbsent(status, k -> new LongAdder()).increment();
    m.count.increment();
    m.sum.add(seconds);
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        m.buckets[i].increment();
      }
    }
  }

  /** Prometheus exposition text. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP rnnport_requests_total Requests by model and HTTP status.\n# TYPE rnnport_requests_total counter\n");
    Map<String, PerModel> sorted = new TreeMap<>(models);
    sorted.forEach((name, m) -> new TreeMap<>(m.byCode).forEach((code, n) -> sb.append("rnnport_requests_total{model=\"")
        .append(name).append("\",code=\"").append(code).append("\"} ").append(n.sum()).append('\n')));
    sb.append("# HELP rnnport_request_errors_total Requests answered with a 4xx or 5xx status.\n"
        + "# TYPE rnnport_request_errors_total counter\n");
    sorted.forEach((name, m) -> sb.append("rnnport_request_errors_total{model=\"").append(name).append("\"} ")
        .append(m.byCode.entrySet().stream().filter(e -> e.getKey() >= 400).mapToLong(e -> e.getValue().sum()).sum())
        .append('\n'));
    sb.append("# HELP rnnport_request_duration_seconds Request latency.\n"
        + "# TYPE rnnport_request_duration_seconds histogram\n");
    sorted.forEach((name, m) -> {
      for (int i = 0; i < BUCKETS.length; i++) {
        sb.append("rnnport_request_duration_seconds_bucket{model=\"").append(name).append("\",le=\"").append(BUCKETS[i])
            .append("\"} ").append(m.buckets[i].sum()).append('\n');
      }
      sb.append("rnnport_request_duration_seconds_bucket{model=\"").append(name).append("\",le=\"+Inf\"} ")
          .append(m.count.sum()).append('\n');
      sb.append("rnnport_request_duration_seconds_sum{model=\"").append(name).append("\"} ").append(m.sum.sum()).append('\n');
      sb.append("rnnport_request_duration_seconds_count{model=\"").append(name).append("\"} ").append(m.count.sum())
          .append('\n');
    });
    sb.append("# HELP rnnport_inflight_predictions Predictions running now.\n# TYPE rnnport_inflight_predictions gauge\n");
    sb.append("rnnport_inflight_predictions ").append(inFlight.get()).append('\n');
    sb.append("# HELP rnnport_rejected_busy_total Predictions refused with 503 because too many were in flight.\n"
        + "# TYPE rnnport_rejected_busy_total counter\n");
    sb.append("rnnport_rejected_busy_total ").append(rejectedBusy.sum()).append('\n');
    return sb.toString();
  }
}
