package org.rnnport.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The metrics of {@code model.compile(metrics=[...])} as tf-keras 2.18 computes them: each a {@code MeanMetricWrapper}
 * whose per-example values the training graph sums per batch ({@code keras_metric_sum_<i>}, the
 * {@code reduce_sum(values)} of Keras' {@code Reduce.update_state}); the loop keeps Keras' float32 running
 * {@code total} and {@code count} over the epoch and reports {@code div_no_nan(total, count)}.
 * {@code accuracy}/{@code acc} resolve as {@code compile_utils.MetricsContainer._get_metric_object} does: binary_accuracy
 * when the output has one unit, sparse_categorical_accuracy for integer labels (sparse_categorical_crossentropy),
 * categorical_accuracy otherwise (also for a multi-unit sigmoid output with binary_crossentropy).
 */
public final class KerasMetrics {
  private KerasMetrics() {}

  /** The metric names rnnport fit computes. */
  public static final List<String> NAMES = List.of("accuracy", "acc", "binary_accuracy", "categorical_accuracy",
      "sparse_categorical_accuracy", "mae", "mean_absolute_error", "mse", "mean_squared_error");

  /** What a metric computes per example. */
  public enum Kind { BINARY_ACCURACY, CATEGORICAL_ACCURACY, SPARSE_CATEGORICAL_ACCURACY, MAE, MSE }

  /**
   * One metric: its name in the logs (the name the user gave, as in Keras' history) and what it computes.
   */
  public record Metric(String name, Kind kind) {}

  /** Resolves {@code names} for a model with {@code units} outputs trained with {@code loss}; unknown names refused. */
  public static List<Metric> resolve(List<String> names, String loss, int units) {
    List<Metric> out = new ArrayList<>();
    for (String n : names) {
      String k = n.trim();
      Kind kind = switch (k.toLowerCase(Locale.ROOT)) {
        case "accuracy", "acc" -> units == 1 ? Kind.BINARY_ACCURACY
            : loss.equals("sparse_categorical_crossentropy") ? Kind.SPARSE_CATEGORICAL_ACCURACY
            : Kind.CATEGORICAL_ACCURACY;
        case "binary_accuracy" -> Kind.BINARY_ACCURACY;
        case "categorical_accuracy" -> Kind.CATEGORICAL_ACCURACY;
        case "sparse_categorical_accuracy" -> Kind.SPARSE_CATEGORICAL_ACCURACY;
        case "mae", "mean_absolute_error" -> Kind.MAE;
        case "mse", "mean_squared_error" -> Kind.MSE;
        default -> throw new KerasFormatException("metric '" + k + "' is not supported; rnnport fit computes " + NAMES);
      };
      if (kind == Kind.SPARSE_CATEGORICAL_ACCURACY && !loss.equals("sparse_categorical_crossentropy")) {
        throw new KerasFormatException("metric '" + k + "' takes integer class labels "
            + "(loss sparse_categorical_crossentropy); the loss is " + loss);
      }
      if (out.stream().anyMatch(m -> m.name().equals(k))) {
        throw new KerasFormatException("metric '" + k + "' is given twice");
      }
      out.add(new Metric(k, kind));
    }
    return List.copyOf(out);
  }

  /**
   * A {@code .keras} archive's {@code compile_config.metrics} (names; a metric object is refused by name), or an empty
   * list.
   */
  public static List<String> compiled(java.nio.file.Path archive) throws java.io.IOException {
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(archive.toFile())) {
      java.util.zip.ZipEntry e = zip.getEntry("config.json");
      if (e == null) {
        return List.of();
      }
      com.fasterxml.jackson.databind.JsonNode m = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(zip.getInputStream(e)).path("compile_config").path("metrics");
      List<String> out = new ArrayList<>();
      if (m.isArray()) {
        for (com.fasterxml.jackson.databind.JsonNode n : m) {
          if (!n.isTextual()) {
            throw new KerasFormatException(archive + ": compile_config.metrics entry " + n + " is not supported; "
                + "metric names " + NAMES);
          }
          out.add(n.asText());
        }
      } else if (m.isTextual()) {
        out.add(m.asText());
      } else if (!m.isMissingNode() && !m.isNull()) {
        throw new KerasFormatException(archive + ": compile_config.metrics " + m + " is not supported; a list of "
            + "metric names " + NAMES);
      }
      return out;
    }
  }

  /** The graph op of metric {@code i}'s per-batch sum. */
  public static String sumOp(int i) {
    return "keras_metric_sum_" + i;
  }

  /**
   * Builds each metric's per-batch sum from the model's output {@code yPred} ({@code [batch, units]}, probabilities)
   * and the fed targets {@code yTrue} (one-hot classes, or the float targets), as tf-keras 2.18's metric functions:
   * binary_accuracy {@code mean(cast(equal(y_true, cast(y_pred > 0.5)), -1)}; categorical_accuracy (and sparse, whose
   * integer label is the one-hot's argmax) {@code cast(equal(argmax(y_true), argmax(y_pred)))}; mae/mse
   * {@code mean(abs(y_pred - y_true), -1)} / {@code mean(squared_difference(y_pred, y_true), -1)}; then
   * {@code reduce_sum} over the batch.
   */
  public static void build(Ops tf, List<Metric> metrics, Operand<TFloat32> yPred, Operand<TFloat32> yTrue) {
    for (int i = 0; i < metrics.size(); i++) {
      Ops m = tf.withSubScope("keras_metric_" + i);
      Operand<TFloat32> values = switch (metrics.get(i).kind()) {
        case BINARY_ACCURACY -> {
          Operand<TFloat32> thresholded = m.dtypes.cast(m.math.greater(yPred, m.constant(0.5f)), TFloat32.class);
          yield m.math.mean(m.dtypes.cast(m.math.equal(yTrue, thresholded), TFloat32.class), m.constant(-1));
        }
        case CATEGORICAL_ACCURACY, SPARSE_CATEGORICAL_ACCURACY -> m.dtypes.cast(m.math.equal(
            m.math.argMax(yTrue, m.constant(-1), TInt64.class), m.math.argMax(yPred, m.constant(-1), TInt64.class)),
            TFloat32.class);
        case MAE -> m.math.mean(m.math.abs(m.math.sub(yPred, yTrue)), m.constant(-1));
        case MSE -> m.math.mean(m.math.squaredDifference(yPred, yTrue), m.constant(-1));
      };
      tf.withName(sumOp(i)).sum(values, tf.constant(0));
    }
  }
}
