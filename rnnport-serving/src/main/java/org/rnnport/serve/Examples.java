package org.rnnport.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.predictor.TensorSpec;
import org.tensorflow.Tensor;
import org.tensorflow.example.BytesList;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.example.Int64List;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.Classification.Classifications;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.RegressionOuterClass.Regression;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

/**
 * TF Serving's Classify and Regress: tf.Examples (a list, or a list with a context merged into each)
 * serialized into the one DT_STRING input of a classify or regress signature; the outputs
 * ({@code classes} and/or {@code scores}; {@code outputs}) read back into results. The same for gRPC
 * ({@code Input}) and REST ({@code "examples"}, {@code "context"}). A model without a signature of the
 * kind answers UNIMPLEMENTED; a signature of another kind, INVALID_ARGUMENT.
 */
final class Examples {
  private Examples() {}

  static final String CLASSIFY = "tensorflow/serving/classify";
  static final String REGRESS = "tensorflow/serving/regress";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Serialized examples of a gRPC Input (the context, when there is one, merged into each). */
  static List<ByteString> serialized(Input in) {
    List<ByteString> out = new ArrayList<>();
    switch (in.getKindCase()) {
      case EXAMPLE_LIST -> in.getExampleList().getExamplesList().forEach(e -> out.add(e.toByteString()));
      case EXAMPLE_LIST_WITH_CONTEXT -> {
        ByteString ctx = in.getExampleListWithContext().getContext().toByteString();
        in.getExampleListWithContext().getExamplesList().forEach(e -> out.add(ctx.concat(e.toByteString())));
      }
      default -> { }
    }
    if (out.isEmpty()) {
      throw ServingException.invalid("Input is empty");
    }
    return out;
  }

  /** Serialized examples of a REST classify/regress body ({@code "examples"}, optional {@code "context"}). */
  static List<ByteString> serialized(JsonNode req) {
    if (req == null || !req.isObject()) {
      throw ServingException.invalid("the request body must be a JSON object with \"examples\"");
    }
    JsonNode ex = req.get("examples");
    if (ex == null || !ex.isArray()) {
      throw ServingException.invalid("\"examples\" must be a list of objects of feature values");
    }
    if (ex.isEmpty()) {
      throw ServingException.invalid("Input is empty");
    }
    ByteString ctx = req.has("context") ? example(req.get("context"), "context").toByteString() : ByteString.EMPTY;
    List<ByteString> out = new ArrayList<>();
    for (int i = 0; i < ex.size(); i++) {
      out.add(ctx.concat(example(ex.get(i), "examples[" + i + "]").toByteString()));
    }
    return out;
  }

  /** A tf.Example from a JSON object of feature values, as TF Serving maps them. */
  static Example example(JsonNode o, String where) {
    if (!o.isObject()) {
      throw ServingException.invalid(where + ": an example is a JSON object of features, got " + o.getNodeType());
    }
    Features.Builder fs = Features.newBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      fs.putFeature(e.getKey(), feature(e.getValue(), where + "['" + e.getKey() + "']"));
    }
    return Example.newBuilder().setFeatures(fs).build();
  }

  private static Feature feature(JsonNode v, String where) {
    List<JsonNode> values = new ArrayList<>();
    if (v.isArray()) {
      v.forEach(values::add);
    } else {
      values.add(v);
    }
    boolean strings = values.stream().allMatch(x -> x.isTextual() || isB64(x));
    boolean ints = values.stream().allMatch(JsonNode::isIntegralNumber);
    boolean numbers = values.stream().allMatch(JsonNode::isNumber);
    if (!values.isEmpty() && strings) {
      BytesList.Builder b = BytesList.newBuilder();
      for (JsonNode x : values) {
        b.addValue(x.isTextual() ? ByteString.copyFromUtf8(x.asText())
            : ByteString.copyFrom(b64(x.get("b64"), where)));
      }
      return Feature.newBuilder().setBytesList(b).build();
    }
    if (ints) {
      Int64List.Builder b = Int64List.newBuilder();
      values.forEach(x -> b.addValue(x.asLong()));
      return Feature.newBuilder().setInt64List(b).build();
    }
    if (numbers) {
      FloatList.Builder b = FloatList.newBuilder();
      values.forEach(x -> b.addValue((float) x.asDouble()));
      return Feature.newBuilder().setFloatList(b).build();
    }
    throw ServingException.invalid(where + ": a feature is a number, a string, {\"b64\": ...} or a list of one kind of "
        + "them, got " + v);
  }

  private static byte[] b64(JsonNode s, String where) {
    try {
      return Base64.getDecoder().decode(s.asText());
    } catch (IllegalArgumentException e) {
      throw ServingException.invalid(where + ": Unable to base64 decode");
    }
  }

  /**
   * Checks that the model has a signature of {@code method} (UNIMPLEMENTED otherwise) and that the
   * one asked for is of that kind with one input (INVALID_ARGUMENT otherwise).
   */
  static void checkKind(ModelRepository.Loaded l, SignatureSpec sig, String method) {
    String kind = method.equals(CLASSIFY) ? "classification" : "regression";
    if (l.predictor().signatures().values().stream().noneMatch(s -> s.methodName().equals(method))) {
      throw new ServingException(ServingException.Code.UNIMPLEMENTED, "model '" + l.name() + "' version " + l.version()
          + " has no " + kind + " signature (method_name " + method + "); its signatures: "
          + describe(l.predictor().signatures()) + ". Use Predict.");
    }
    if (!sig.methodName().equals(method)) {
      throw ServingException.invalid("Expected " + kind + " signature method_name to be " + method + ". Was: "
          + sig.methodName() + " (signature " + sig.key() + ")");
    }
    if (sig.inputs().size() != 1) {
      throw ServingException.invalid("Expected one input Tensor.");
    }
  }

  private static String describe(Map<String, SignatureSpec> sigs) {
    List<String> out = new ArrayList<>();
    sigs.forEach((k, s) -> out.add(k + " (" + s.methodName() + ")"));
    return String.join(", ", out);
  }

  /** The input tensor: the serialized examples, shape [n]. */
  static NamedTensors input(SignatureSpec sig, List<ByteString> examples) {
    TensorSpec in = sig.inputs().values().iterator().next();
    NdArray<byte[]> a = NdArrays.ofObjects(byte[].class, Shape.of(examples.size()));
    for (int i = 0; i < examples.size(); i++) {
      a.setObject(examples.get(i).toByteArray(), i);
    }
    return new NamedTensors().put(in.key(), TString.tensorOfBytes(a));
  }

  /** Runs Classify: the model's classify signature over the examples. */
  static CompletableFuture<Result<ClassificationResult>> classify(Inference inf, Inference.Spec spec, List<ByteString> ex) {
    ModelRepository.Loaded l = inf.resolve(spec);
    checkKind(l, l.predictor().signature(spec.signature()), CLASSIFY);
    return inf.run(spec, sig -> {
      checkKind(l, sig, CLASSIFY);
      return input(sig, ex);
    }, null).thenApply(a -> {
      try (a) {
        return new Result<>(a.loaded(), a.sig().key(), classifications(a.outputs(), ex.size()));
      }
    });
  }

  /** Runs Regress: the model's regress signature over the examples. */
  static CompletableFuture<Result<RegressionResult>> regress(Inference inf, Inference.Spec spec, List<ByteString> ex) {
    ModelRepository.Loaded l = inf.resolve(spec);
    checkKind(l, l.predictor().signature(spec.signature()), REGRESS);
    return inf.run(spec, sig -> {
      checkKind(l, sig, REGRESS);
      return input(sig, ex);
    }, null).thenApply(a -> {
      try (a) {
        return new Result<>(a.loaded(), a.sig().key(), regressions(a.outputs(), ex.size()));
      }
    });
  }

  /** A result with the version and signature that gave it. */
  record Result<T>(ModelRepository.Loaded loaded, String signature, T result) {}

  static ClassificationResult classifications(NamedTensors out, int n) {
    Tensor classes = out.has("classes") ? out.get("classes") : null;
    Tensor scores = out.has("scores") ? out.get("scores") : null;
    if (classes == null && scores == null) {
      throw ServingException.invalid("Expected classification signature outputs to contain at least one of "
          + "\"classes\" or \"scores\"; got " + out.keys());
    }
    long k = -1;
    if (classes != null) {
      long[] s = classes.shape().asArray();
      if (!(classes instanceof TString) || s.length != 2 || s[0] != n) {
        throw ServingException.invalid("Expected classes Tensor of DT_STRING and shape [batch_size, num_classes] = ["
            + n + ", ?]; got " + Tensors2.describe(classes));
      }
      k = s[1];
    }
    if (scores != null) {
      long[] s = scores.shape().asArray();
      if (!(scores instanceof TFloat32) || s.length != 2 || s[0] != n || k >= 0 && s[1] != k) {
        throw ServingException.invalid("Expected scores Tensor of DT_FLOAT and shape [batch_size, num_classes] = [" + n
            + ", " + (k >= 0 ? k : "?") + "]; got " + Tensors2.describe(scores));
      }
      k = s[1];
    }
    ClassificationResult.Builder r = ClassificationResult.newBuilder();
    for (int i = 0; i < n; i++) {
      Classifications.Builder c = Classifications.newBuilder();
      for (int j = 0; j < k; j++) {
        tensorflow.serving.Classification.Class.Builder one = tensorflow.serving.Classification.Class.newBuilder();
        if (classes != null) {
          one.setLabel(new String(((TString) classes).asBytes().getObject(i, j), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (scores != null) {
          one.setScore(((TFloat32) scores).getFloat(i, j));
        }
        c.addClasses(one);
      }
      r.addClassifications(c);
    }
    return r.build();
  }

  static RegressionResult regressions(NamedTensors out, int n) {
    if (!out.has("outputs")) {
      throw ServingException.invalid("No output Tensor named \"outputs\" in the regression signature; got " + out.keys());
    }
    Tensor t = out.get("outputs");
    long[] s = t.shape().asArray();
    if (!(t instanceof TFloat32 f) || s.length < 1 || s.length > 2 || s[0] != n || s.length == 2 && s[1] != 1) {
      throw ServingException.invalid("Expected output Tensor of DT_FLOAT and shape [batch_size] or [batch_size, 1] with "
          + "batch_size " + n + "; got " + Tensors2.describe(t));
    }
    RegressionResult.Builder r = RegressionResult.newBuilder();
    for (int i = 0; i < n; i++) {
      r.addRegressions(Regression.newBuilder().setValue(s.length == 1 ? f.getFloat(i) : f.getFloat(i, 0)));
    }
    return r.build();
  }

  /** TF Serving's REST answer of a classify ({@code [[label, score], ...]} per example) or regress call. */
  static JsonNode json(Object result) {
    ArrayNode results = F.arrayNode();
    if (result instanceof ClassificationResult c) {
      for (Classifications cs : c.getClassificationsList()) {
        ArrayNode one = F.arrayNode();
        cs.getClassesList().forEach(k -> one.add(F.arrayNode().add(k.getLabel()).add(k.getScore())));
        results.add(one);
      }
    } else {
      ((RegressionResult) result).getRegressionsList().forEach(g -> results.add(g.getValue()));
    }
    ObjectNode o = F.objectNode();
    o.set("results", results);
    return o;
  }

  /** The REST classify or regress call. */
  static CompletableFuture<JsonNode> rest(Inference inf, Inference.Spec spec, JsonNode req, boolean classify) {
    if (req != null && req.has("signature_name") && !req.get("signature_name").isTextual()) {
      throw ServingException.invalid("'signature_name' key must be a string value.");
    }
    List<ByteString> ex = serialized(req);
    return (classify ? classify(inf, spec, ex).thenApply(r -> json(r.result()))
        : regress(inf, spec, ex).thenApply(r -> json(r.result())));
  }

  /** Small descriptions of tensors for errors. */
  static final class Tensors2 {
    private Tensors2() {}

    static String describe(Tensor t) {
      return t.dataType() + " " + java.util.Arrays.toString(t.shape().asArray());
    }
  }

  /** TF Serving's base64 object: exactly one key, {@code b64}, a string. */
  static boolean isB64(JsonNode n) {
    return n.isObject() && n.size() == 1 && n.has("b64") && n.get("b64").isTextual();
  }
}
