package org.rnnport.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.predictor.TensorSpec;

/**
 * TF Serving's REST predict request (JSON) to named tensors for a signature: the row format
 * ({@code "instances"}: a value per instance, or an object of input keys) and the columnar one
 * ({@code "inputs"}). Errors are INVALID_ARGUMENT {@link ServingException}s naming the input.
 */
final class RestRequests {
  private RestRequests() {}

  /** A parsed predict body: the signature it names, its format, and its inputs as JSON. */
  record Predict(String signatureName, boolean rowFormat, JsonNode body) {
    /** The input tensors for {@code sig} (the caller closes them). */
    NamedTensors tensors(SignatureSpec sig) {
      NamedTensors out = new NamedTensors();
      try {
        if (rowFormat) {
          rows(sig, body.get("instances"), out);
        } else {
          columns(sig, body.get("inputs"), out);
        }
        return out;
      } catch (RuntimeException | Error e) {
        out.close();
        throw e;
      }
    }
  }

  static Predict predict(JsonNode req) {
    if (req == null || !req.isObject()) {
      throw ServingException.invalid("the request body must be a JSON object with \"instances\" or \"inputs\"");
    }
    JsonNode sigName = req.get("signature_name");
    if (sigName != null && !sigName.isTextual()) {
      throw ServingException.invalid("signature_name must be a string");
    }
    boolean rows = req.has("instances");
    if (rows == req.has("inputs")) {
      throw ServingException.invalid("give exactly one of \"instances\" (row format) or \"inputs\" (columnar format)");
    }
    if (rows) {
      JsonNode inst = req.get("instances");
      if (!inst.isArray()) {
        throw ServingException.invalid("\"instances\" must be a list of instances");
      }
      if (inst.isEmpty()) {
        throw ServingException.invalid("empty instances: nothing to predict");
      }
    }
    return new Predict(sigName == null ? null : sigName.asText(), rows, req);
  }

  private static void rows(SignatureSpec sig, JsonNode inst, NamedTensors out) {
    for (TensorSpec spec : sig.inputs().values()) {
      List<JsonNode> values = new ArrayList<>(inst.size());
      for (int i = 0; i < inst.size(); i++) {
        values.add(rowValue(inst.get(i), spec, sig, i));
      }
      out.put(spec.key(), JsonTensors.fromRows(spec, values, "instances[#]" + (sig.inputs().size() > 1
          ? "['" + spec.key() + "']" : "")));
    }
  }

  private static void columns(SignatureSpec sig, JsonNode in, NamedTensors out) {
    boolean named = in.isObject();
    if (!named && sig.inputs().size() != 1) {
      throw ServingException.invalid("\"inputs\" must be an object of " + sig.inputs().keySet() + " for this signature");
    }
    for (TensorSpec spec : sig.inputs().values()) {
      JsonNode v = named ? in.get(spec.key()) : in;
      if (v == null) {
        throw ServingException.invalid("\"inputs\" lacks '" + spec.key() + "'; the signature takes " + sig.inputs().keySet());
      }
      out.put(spec.key(), JsonTensors.fromColumn(spec, v, "inputs" + (named ? "['" + spec.key() + "']" : "")));
    }
    if (named) {
      for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!sig.inputs().containsKey(k)) {
          throw ServingException.invalid("unknown input '" + k + "'; the signature takes " + sig.inputs().keySet());
        }
      }
    }
  }

  private static JsonNode rowValue(JsonNode instance, TensorSpec spec, SignatureSpec sig, int i) {
    if (instance.isObject() && !isB64(instance)) {
      JsonNode v = instance.get(spec.key());
      if (v == null) {
        throw ServingException.invalid("instances[" + i + "] lacks '" + spec.key() + "'; the signature takes "
            + sig.inputs().keySet());
      }
      if (instance.size() != sig.inputs().size()) {
        List<String> keys = new ArrayList<>();
        instance.fieldNames().forEachRemaining(keys::add);
        throw ServingException.invalid("instances[" + i + "] has keys " + keys + "; the signature takes "
            + sig.inputs().keySet());
      }
      return v;
    }
    if (sig.inputs().size() != 1) {
      throw ServingException.invalid("instances[" + i + "] must be an object of " + sig.inputs().keySet());
    }
    return instance;
  }

  static boolean isB64(JsonNode n) {
    return n.isObject() && n.size() == 1 && n.has("b64");
  }
}
