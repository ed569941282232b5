package org.rnnport.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.rnnport.nn.KerasActivation;

/**
 * A Keras {@code Sequential} model as {@code model.to_json()} of tf-keras 2.18 writes it (Keras 2 format), or a
 * {@code .keras} archive's {@code config.json} (with its {@code compile_config}), checked against the layers and
 * options rnnport builds bit for bit like Keras: {@value #SUPPORTED}. Anything else is refused by name with the
 * layer's index (0 = the first layer after the input).
 *
 * @param name the model's name
 * @param inputShape one example's shape without the batch dimension ({@code [time]} of token ids before an
 *     Embedding, {@code [time, features]} of floats otherwise)
 * @param layers the layers after the input, in order
 * @param compile the archive's compile_config, or null ({@code to_json()} has none)
 */
public record KerasModel(String name, long[] inputShape, List<KerasLayer> layers, KerasCompile compile) {

  /** What rnnport fit builds (the other layers are refused until they match Keras). */
  public static final String SUPPORTED = "InputLayer, Embedding(mask_zero), Masking(mask_value) first, "
      + "SimpleRNN (activation tanh/relu, use_bias), GRU (reset_after True or False) and LSTM (activation tanh, "
      + "recurrent_activation sigmoid, use_bias), Bidirectional(SimpleRNN|GRU|LSTM, merge_mode concat/sum/ave/mul), "
      + "Dense (linear/relu/tanh/sigmoid/softmax, use_bias), Dropout(rate, noise_shape=None, seed), TimeDistributed(Dense) or Dense on a sequence after the "
      + "last recurrent layer (per-timestep output); return_sequences between stacked recurrent layers; a Dense "
      + "(softmax for categorical crossentropy, sigmoid for binary) last";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads {@code model.to_json()} output. */
  public static KerasModel fromJson(Path file) throws IOException {
    return parse(JSON.readTree(file.toFile()), file.toString());
  }

  /** Parses {@code model.to_json()} text; {@code where} names it in errors. */
  public static KerasModel fromJson(String json, String where) throws IOException {
    return parse(JSON.readTree(json), where);
  }

  /** Reads a {@code .keras} archive's {@code config.json} and {@code compile_config} (the weights are not read). */
  public static KerasModel fromKerasArchive(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry e = zip.getEntry("config.json");
      if (e == null) {
        throw new KerasFormatException(file + ": not a .keras archive (no config.json)");
      }
      JsonNode root = JSON.readTree(zip.getInputStream(e));
      KerasModel m = parse(root, file.toString());
      JsonNode cc = root.get("compile_config");
      return cc == null || cc.isNull() ? m : new KerasModel(m.name, m.inputShape, m.layers,
          KerasCompile.fromConfig(cc, file.toString()));
    }
  }

  /** {@code .keras} archives by extension, JSON otherwise. */
  public static KerasModel read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new KerasFormatException(file + ": no such model file");
    }
    return file.getFileName().toString().endsWith(".keras") ? fromKerasArchive(file) : fromJson(file);
  }

  /** True when the first layer is an Embedding (the input is int32 token ids). */
  public boolean tokenInput() {
    return layers.get(0) instanceof KerasLayer.Embedding;
  }

  /** The last layer's units (classes of a classifier). */
  public int outputUnits() {
    return outputDense().units();
  }

  /** The output layer's activation. */
  public KerasActivation outputActivation() {
    return outputDense().activation();
  }

  private KerasLayer.Dense outputDense() {
    KerasLayer last = layers.get(layers.size() - 1);
    return last instanceof KerasLayer.TimeDistributed t ? t.layer() : (KerasLayer.Dense) last;
  }

  /**
   * The output's time steps when the model gives one output per step ({@code [batch, time, units]}: a Dense or
   * TimeDistributed(Dense) on the last recurrent layer's {@code return_sequences=True}), else 0.
   */
  public long outputSteps() {
    boolean sequence = true;
    for (KerasLayer l : layers) {
      if (l instanceof KerasLayer.Recurrent r) {
        sequence = r.returnSequences();
      } else if (l instanceof KerasLayer.Bidirectional b) {
        sequence = b.layer().returnSequences();
      }
    }
    return sequence ? inputShape[0] : 0;
  }

  /** True when the first layer is an Embedding(mask_zero=True) or a Masking: a mask flows through the model. */
  public boolean masked() {
    KerasLayer f = layers.get(0);
    return f instanceof KerasLayer.Masking || f instanceof KerasLayer.Embedding e && e.maskZero();
  }

  // ---- parsing ----

  private static final Set<String> COMMON = Set.of("name", "trainable", "dtype", "batch_input_shape", "input_shape");

  static KerasModel parse(JsonNode root, String where) {
    String cls = root.path("class_name").asText("");
    if (!cls.equals("Sequential")) {
      throw new KerasFormatException(where + ": a " + (cls.isEmpty() ? "document without class_name" : cls)
          + " model; rnnport fit reads a Keras Sequential (model.to_json() of tf-keras 2.18)");
    }
    JsonNode cfg = root.path("config");
    JsonNode layers = cfg.path("layers");
    if (!layers.isArray() || layers.isEmpty()) {
      throw new KerasFormatException(where + ": the Sequential has no layers");
    }
    long[] inputShape = null;
    String inputDtype = null;
    List<KerasLayer> out = new ArrayList<>();
    int index = 0;
    for (JsonNode l : layers) {
      String lc = l.path("class_name").asText("");
      JsonNode c = l.path("config");
      String lname = c.path("name").asText("?");
      String at = where + ": layer " + index + " (" + lc + " '" + lname + "')";
      if (c.has("batch_input_shape") && inputShape == null) {
        inputShape = shape(c.get("batch_input_shape"), at);
        inputDtype = c.path("dtype").asText("float32");
      }
      if (lc.equals("InputLayer")) {
        if (index != 0) {
          throw new KerasFormatException(at + ": an InputLayer must come first");
        }
        if (c.path("sparse").asBoolean(false) || c.path("ragged").asBoolean(false)) {
          throw new KerasFormatException(at + ": sparse or ragged inputs are not supported");
        }
        continue;
      }
      if (inputShape == null && l.has("build_config")) {
        inputShape = shape(l.path("build_config").path("input_shape"), at);
      }
      out.add(layer(lc, c, at));
      index++;
    }
    if (out.isEmpty()) {
      throw new KerasFormatException(where + ": the Sequential has only an InputLayer");
    }
    if (inputShape == null) {
      throw new KerasFormatException(where + ": the input shape is not given (add keras.Input(shape=...) first)");
    }
    check(out, inputShape, inputDtype, where);
    return new KerasModel(cfg.path("name").asText("sequential"), inputShape, List.copyOf(out), null);
  }

  private static long[] shape(JsonNode batchShape, String at) {
    if (!batchShape.isArray() || batchShape.size() < 2) {
      throw new KerasFormatException(at + ": input shape " + batchShape + " has no example dimensions");
    }
    long[] s = new long[batchShape.size() - 1];
    for (int i = 1; i < batchShape.size(); i++) {
      JsonNode d = batchShape.get(i);
      s[i - 1] = d.isNull() ? -1 : d.asLong();
    }
    return s;
  }

  private static KerasLayer layer(String cls, JsonNode c, String at) {
    return switch (cls) {
      case "Embedding" -> {
        allowOnly(c, at, "input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer",
            "activity_regularizer", "embeddings_constraint", "mask_zero", "input_length", "sparse");
        nulls(c, at, "embeddings_regularizer", "activity_regularizer", "embeddings_constraint");
        if (c.path("sparse").asBoolean(false)) {
          throw new KerasFormatException(at + ": sparse=True is not supported");
        }
        JsonNode init = c.path("embeddings_initializer");
        String ic = init.path("class_name").asText("");
        if (!ic.equals("RandomUniform")) {
          throw new KerasFormatException(at + ": embeddings_initializer " + ic + " is not supported; RandomUniform");
        }
        yield new KerasLayer.Embedding(name(c), c.path("input_dim").asInt(), c.path("output_dim").asInt(),
            (float) init.path("config").path("minval").asDouble(-0.05),
            (float) init.path("config").path("maxval").asDouble(0.05), c.path("mask_zero").asBoolean(false));
      }
      case "Masking" -> {
        allowOnly(c, at, "mask_value");
        JsonNode mv = c.path("mask_value");
        if (!mv.isNumber()) {
          throw new KerasFormatException(at + ": mask_value " + mv + " is not supported (a number)");
        }
        float v = (float) mv.asDouble();
        if ((double) v != mv.asDouble()) {
          // Keras compares float32 inputs with the float32 cast of mask_value; refuse what that cast would change
          throw new KerasFormatException(at + ": mask_value " + mv.asText() + " is not a float32 value");
        }
        yield new KerasLayer.Masking(name(c), v);
      }
      case "TimeDistributed" -> {
        allowOnly(c, at, "layer");
        JsonNode inner = c.path("layer");
        String ic = inner.path("class_name").asText("");
        if (!ic.equals("Dense")) {
          throw new KerasFormatException(at + ": TimeDistributed(" + ic + ") is not supported; it wraps a Dense");
        }
        yield new KerasLayer.TimeDistributed(name(c), (KerasLayer.Dense) layer(ic, inner.path("config"),
            at + " wrapping Dense"));
      }
      case "SimpleRNN", "GRU", "LSTM" -> recurrent(cls, c, at);
      case "Bidirectional" -> {
        allowOnly(c, at, "layer", "merge_mode", "backward_layer");
        if (c.hasNonNull("backward_layer")) {
          throw new KerasFormatException(at + ": a separate backward_layer is not supported");
        }
        String merge = c.path("merge_mode").isNull() ? "None" : c.path("merge_mode").asText("concat");
        if (!List.of("concat", "sum", "ave", "mul").contains(merge)) {
          throw new KerasFormatException(at + ": merge_mode " + merge + " is not supported; concat, sum, ave or mul");
        }
        JsonNode inner = c.path("layer");
        String ic = inner.path("class_name").asText("");
        if (!ic.equals("LSTM") && !ic.equals("GRU") && !ic.equals("SimpleRNN")) {
          throw new KerasFormatException(at + ": Bidirectional(" + ic + ") is not supported; it wraps SimpleRNN, GRU "
              + "or LSTM");
        }
        KerasLayer r = layer(ic, inner.path("config"), at + " wrapping " + ic);
        yield new KerasLayer.Bidirectional(name(c), (KerasLayer.Recurrent) r, merge);
      }
      case "Dense" -> {
        allowOnly(c, at, "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
            "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint");
        nulls(c, at, "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
            "bias_constraint");
        initializer(c, "kernel_initializer", "GlorotUniform", at);
        initializer(c, "bias_initializer", "Zeros", at);
        yield new KerasLayer.Dense(name(c), c.path("units").asInt(), activation(c, "activation", at),
            c.path("use_bias").asBoolean(true));
      }
      case "Dropout" -> {
        allowOnly(c, at, "rate", "noise_shape", "seed");
        nulls(c, at, "noise_shape");
        double rate = c.path("rate").asDouble(Double.NaN);
        if (!(rate >= 0 && rate < 1)) {
          throw new KerasFormatException(at + ": rate " + c.path("rate") + " is not supported; a number in [0, 1)");
        }
        JsonNode seed = c.path("seed");
        if (!seed.isMissingNode() && !seed.isNull() && !(seed.isIntegralNumber() && seed.asLong() >= 0)) {
          throw new KerasFormatException(at + ": seed " + seed + " is not supported; a non-negative integer or null");
        }
        yield new KerasLayer.Dropout(name(c), rate, seed.isIntegralNumber() ? seed.asLong() : null);
      }
      default -> throw new KerasFormatException(at + ": layer " + cls + " is not supported; rnnport fit builds "
          + SUPPORTED);
    };
  }

  private static KerasLayer recurrent(String cls, JsonNode c, String at) {
    KerasLayer.Kind kind = switch (cls) {
      case "SimpleRNN" -> KerasLayer.Kind.SIMPLE_RNN;
      case "GRU" -> KerasLayer.Kind.GRU;
      default -> KerasLayer.Kind.LSTM;
    };
    allowOnly(c, at, RNN_FIELDS.toArray(String[]::new));
    for (String f : List.of("return_state", "go_backwards", "stateful", "unroll", "time_major",
        "zero_output_for_mask")) {
      if (c.path(f).asBoolean(false)) {
        throw new KerasFormatException(at + ": " + f + "=True is not supported");
      }
    }
    for (String f : List.of("dropout", "recurrent_dropout")) {
      if (c.path(f).asDouble(0) != 0) {
        throw new KerasFormatException(at + ": " + f + "=" + c.path(f).asDouble() + " is not supported (0 only)");
      }
    }
    nulls(c, at, "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "recurrent_constraint", "bias_constraint");
    initializer(c, "kernel_initializer", "GlorotUniform", at);
    initializer(c, "recurrent_initializer", "Orthogonal", at);
    initializer(c, "bias_initializer", "Zeros", at);
    if (c.path("recurrent_initializer").path("config").path("gain").asDouble(1.0) != 1.0) {
      throw new KerasFormatException(at + ": Orthogonal(gain != 1) is not supported");
    }
    boolean useBias = c.path("use_bias").asBoolean(true);
    KerasActivation act = activation(c, "activation", at);
    if (kind == KerasLayer.Kind.SIMPLE_RNN && !SIMPLE_RNN_ACTIVATIONS.contains(act)) {
      throw new KerasFormatException(at + ": SimpleRNN is supported with activation tanh or relu");
    }
    if (kind != KerasLayer.Kind.SIMPLE_RNN) {
      // tf-keras builds LSTM/GRU with other activations (or no bias) through the generic cell: another graph
      if (act != KerasActivation.TANH || activation(c, "recurrent_activation", at) != KerasActivation.SIGMOID) {
        throw new KerasFormatException(at + ": " + cls + " is supported with activation='tanh', "
            + "recurrent_activation='sigmoid' only");
      }
      if (!useBias) {
        throw new KerasFormatException(at + ": " + cls + "(use_bias=False) is not supported");
      }
      if (kind == KerasLayer.Kind.LSTM && !c.path("unit_forget_bias").asBoolean(true)) {
        throw new KerasFormatException(at + ": LSTM(unit_forget_bias=False) is not supported");
      }
    }
    if (c.path("implementation").asInt(2) != 2 && kind != KerasLayer.Kind.SIMPLE_RNN) {
      throw new KerasFormatException(at + ": implementation=" + c.path("implementation").asInt() + " is not supported (2)");
    }
    return new KerasLayer.Recurrent(kind, name(c), c.path("units").asInt(), act, useBias,
        c.path("return_sequences").asBoolean(false), kind == KerasLayer.Kind.GRU && c.path("reset_after").asBoolean(true));
  }

  /** The activations a SimpleRNN is built (and checked against Keras) with. */
  private static final Set<KerasActivation> SIMPLE_RNN_ACTIVATIONS = Set.of(KerasActivation.TANH, KerasActivation.RELU);

  private static String name(JsonNode c) {
    return c.path("name").asText();
  }

  private static KerasActivation activation(JsonNode c, String field, String at) {
    String a = c.path(field).asText("linear");
    KerasActivation k = KerasActivation.of(a);
    if (k == null) {
      throw new KerasFormatException(at + ": " + field + " '" + a + "' is not supported; one of "
          + KerasActivation.names());
    }
    return k;
  }

  private static void initializer(JsonNode c, String field, String expected, String at) {
    JsonNode i = c.path(field);
    String cls = i.path("class_name").asText(i.asText(""));
    if (!cls.equals(expected)) {
      throw new KerasFormatException(at + ": " + field + " " + cls + " is not supported; " + expected
          + " (Keras' default)");
    }
  }

  private static void nulls(JsonNode c, String at, String... fields) {
    for (String f : fields) {
      if (c.hasNonNull(f)) {
        throw new KerasFormatException(at + ": " + f + " is not supported (null only)");
      }
    }
  }

  private static final Set<String> RNN_FIELDS = Set.of("return_sequences", "return_state", "go_backwards", "stateful",
      "unroll", "time_major", "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
      "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
      "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
      "dropout", "recurrent_dropout", "implementation", "reset_after", "seed", "zero_output_for_mask");

  /** Refuses a config field rnnport does not know for this layer (it could change the computation). */
  private static void allowOnly(JsonNode c, String at, String... fields) {
    Set<String> ok = new java.util.HashSet<>(Arrays.asList(fields));
    ok.addAll(COMMON);
    for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext();) {
      String f = it.next().getKey();
      if (!ok.contains(f)) {
        throw new KerasFormatException(at + ": option " + f + " is not supported");
      }
    }
  }

  /** Shapes through the stack: fixed time steps, an Embedding first or not at all, a Dense classifier last. */
  private static void check(List<KerasLayer> layers, long[] input, String dtype, String where) {
    boolean tokens = layers.get(0) instanceof KerasLayer.Embedding;
    if (tokens ? input.length != 1 : input.length != 2) {
      throw new KerasFormatException(where + ": input shape " + Arrays.toString(input) + ": "
          + (tokens ? "an Embedding takes [time] token ids" : "a recurrent layer takes [time, features]"));
    }
    if (input[0] < 0) {
      throw new KerasFormatException(where + ": the time dimension must be fixed (rnnport unrolls the steps; "
          + "pad the sequences and give keras.Input(shape=(T, ...)))");
    }
    if (!tokens && input[1] < 0) {
      throw new KerasFormatException(where + ": the feature dimension must be fixed, got " + Arrays.toString(input));
    }
    if (tokens && dtype != null && !dtype.startsWith("int")) {
      // Keras casts float ids to int; rnnport feeds int32 ids and refuses to change a value's type
      throw new KerasFormatException(where + ": the Embedding's input dtype is " + dtype + "; give keras.Input("
          + "dtype='int32') (rnnport feeds token ids as int32)");
    }
    boolean sequence = true; // [batch, time, d] until a recurrent layer drops time
    for (int i = 0; i < layers.size(); i++) {
      KerasLayer l = layers.get(i);
      String at = where + ": layer " + i + " (" + l.getClass().getSimpleName() + " '" + l.name() + "')";
      if (l instanceof KerasLayer.Embedding && i > 0) {
        throw new KerasFormatException(at + ": an Embedding must be the first layer");
      } else if (l instanceof KerasLayer.Masking && (i > 0 || tokens)) {
        throw new KerasFormatException(at + ": a Masking must be the first layer, on float [time, features] inputs");
      } else if (l instanceof KerasLayer.TimeDistributed && !sequence) {
        throw new KerasFormatException(at + ": TimeDistributed needs a time axis (the layer before has "
            + "return_sequences=False)");
      } else if ((l instanceof KerasLayer.Dense || l instanceof KerasLayer.TimeDistributed) && sequence
          && !recurrentBefore(layers, i)) {
        throw new KerasFormatException(at + ": a Dense on the sequence before any recurrent layer is not supported; "
            + "supported: " + SUPPORTED);
      } else if (l instanceof KerasLayer.Recurrent && denseBefore(layers, i)
          || l instanceof KerasLayer.Bidirectional && denseBefore(layers, i)) {
        throw new KerasFormatException(at + ": a recurrent layer after a Dense is not supported; supported: "
            + SUPPORTED);
      } else if (l instanceof KerasLayer.Recurrent r) {
        if (!sequence) {
          throw new KerasFormatException(at + ": its input has no time axis (the layer before has "
              + "return_sequences=False)");
        }
        sequence = r.returnSequences();
      } else if (l instanceof KerasLayer.Bidirectional b) {
        if (!sequence) {
          throw new KerasFormatException(at + ": its input has no time axis (the layer before has "
              + "return_sequences=False)");
        }
        sequence = b.layer().returnSequences();
      }
    }
    KerasLayer last = layers.get(layers.size() - 1);
    if (!(last instanceof KerasLayer.Dense) && !(last instanceof KerasLayer.TimeDistributed)) {
      throw new KerasFormatException(where + ": the last layer must be a Dense or TimeDistributed(Dense) (the output)");
    }
  }

  private static boolean recurrentBefore(List<KerasLayer> layers, int i) {
    for (int k = 0; k < i; k++) {
      if (layers.get(k) instanceof KerasLayer.Recurrent || layers.get(k) instanceof KerasLayer.Bidirectional) {
        return true;
      }
    }
    return false;
  }

  private static boolean denseBefore(List<KerasLayer> layers, int i) {
    for (int k = 0; k < i; k++) {
      if (layers.get(k) instanceof KerasLayer.Dense || layers.get(k) instanceof KerasLayer.TimeDistributed) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KerasModel k && name.equals(k.name) && Arrays.equals(inputShape, k.inputShape)
        && layers.equals(k.layers) && java.util.Objects.equals(compile, k.compile);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(name, Arrays.hashCode(inputShape), layers, compile);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(inputShape) + layers;
  }
}
