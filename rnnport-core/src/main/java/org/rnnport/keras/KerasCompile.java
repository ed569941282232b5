package org.rnnport.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Keras {@code model.compile(loss=..., optimizer=...)} as rnnport trains it: the loss, and the optimizer with
 * Keras' defaults unless set ({@code adam}: lr 0.001; {@code sgd}: lr 0.01, momentum 0, nesterov false;
 * {@code rmsprop}: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7).
 */
public record KerasCompile(String loss, String optimizer, float learningRate, double momentum, boolean nesterov,
    double rho, double epsilon) {

  public static final List<String> LOSSES = List.of("categorical_crossentropy", "sparse_categorical_crossentropy",
      "binary_crossentropy", "mse", "mae");
  /** The losses whose targets are classes (fed one-hot); the others take float targets of the output's shape. */
  public static final List<String> CLASS_LOSSES = List.of("categorical_crossentropy",
      "sparse_categorical_crossentropy");
  public static final List<String> OPTIMIZERS = List.of("adam", "sgd", "rmsprop");

  public KerasCompile {
    loss = switch (loss) {
      case "mean_squared_error" -> "mse";
      case "mean_absolute_error" -> "mae";
      default -> loss;
    };
    if (!LOSSES.contains(loss)) {
      throw new KerasFormatException("loss '" + loss + "' is not supported; rnnport fit trains " + LOSSES);
    }
    if (!OPTIMIZERS.contains(optimizer)) {
      throw new KerasFormatException("optimizer '" + optimizer + "' is not supported; one of " + OPTIMIZERS);
    }
  }

  /**
   * Whether the loss takes targets in [0, 1] of the output's shape (binary_crossentropy: 0/1 integers or floats),
   * read like mse's float targets but range-checked.
   */
  public boolean binaryLoss() {
    return loss.equals("binary_crossentropy");
  }

  /** Whether the loss takes classes (categorical crossentropies) rather than float targets (bce, mse, mae). */
  public boolean classLoss() {
    return CLASS_LOSSES.contains(loss);
  }

  /** {@code optimizer} with Keras' defaults, the learning rate {@code lr} if not null. */
  public static KerasCompile of(String loss, String optimizer, Float lr) {
    String o = optimizer.toLowerCase(java.util.Locale.ROOT);
    float d = o.equals("sgd") ? 0.01f : 0.001f;
    return new KerasCompile(loss, o, lr == null ? d : lr, 0.0, false, 0.9, 1e-7);
  }

  /** With {@code --learning-rate}. */
  public KerasCompile withLearningRate(float lr) {
    return new KerasCompile(loss, optimizer, lr, momentum, nesterov, rho, epsilon);
  }

  public KerasCompile withLoss(String l) {
    return new KerasCompile(l, optimizer, learningRate, momentum, nesterov, rho, epsilon);
  }

  /**
   * A {@code .keras} archive's {@code compile_config}: {@code loss} a string, {@code optimizer} a string or
   * {@code {"class_name": "SGD", "config": {...}}}.
   */
  static KerasCompile fromConfig(JsonNode cc, String where) {
    JsonNode lossNode = cc.path("loss");
    if (!lossNode.isTextual()) {
      throw new KerasFormatException(where + ": compile_config.loss must be a loss name, got " + lossNode);
    }
    JsonNode opt = cc.path("optimizer");
    if (opt.isTextual()) {
      return of(lossNode.asText(), opt.asText(), null);
    }
    String cls = opt.path("class_name").asText("");
    JsonNode c = opt.path("config");
    for (String unsupported : List.of("weight_decay", "clipnorm", "global_clipnorm", "clipvalue")) {
      if (c.hasNonNull(unsupported)) {
        throw new KerasFormatException(where + ": optimizer " + cls + " with " + unsupported + " is not supported");
      }
    }
    if (c.path("use_ema").asBoolean(false)) {
      throw new KerasFormatException(where + ": optimizer " + cls + " with use_ema is not supported");
    }
    KerasCompile k = of(lossNode.asText(), cls, c.has("learning_rate") ? (float) c.get("learning_rate").asDouble()
        : null);
    switch (k.optimizer()) {
      case "adam" -> {
        if (c.path("amsgrad").asBoolean(false) || c.path("beta_1").asDouble(0.9) != 0.9
            || c.path("beta_2").asDouble(0.999) != 0.999 || c.path("epsilon").asDouble(1e-7) != 1e-7) {
          throw new KerasFormatException(where + ": Adam is supported with beta_1=0.9, beta_2=0.999, epsilon=1e-7, "
              + "amsgrad=False only");
        }
      }
      case "sgd" -> k = new KerasCompile(k.loss, k.optimizer, k.learningRate, c.path("momentum").asDouble(0.0),
          c.path("nesterov").asBoolean(false), k.rho, k.epsilon);
      case "rmsprop" -> {
        if (c.path("centered").asBoolean(false)) {
          throw new KerasFormatException(where + ": RMSprop(centered=True) is not supported");
        }
        k = new KerasCompile(k.loss, k.optimizer, k.learningRate, c.path("momentum").asDouble(0.0), false,
            c.path("rho").asDouble(0.9), c.path("epsilon").asDouble(1e-7));
      }
      default -> throw new IllegalStateException();
    }
    return k;
  }
}
