package org.rnnport.serve;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.predictor.TensorSpec;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.json.JsonTensors;

/**
 * TF Serving's REST predict request (JSON bytes) to named tensors for a signature, through
 * {@link JsonTensors}: the outline first (signature name, row or columnar format), the values once the signature
 * and so the dtypes are known. Errors name the input.
 */
final class RestRequests {
  private RestRequests() {}

  /** A predict body whose outline has been read. */
  record Predict(JsonTensors.Request request) {
    String signatureName() {
      return request.signatureName();
    }

    boolean rowFormat() {
      return request.rowFormat();
    }

    /** The input tensors for {@code sig} (the caller closes them). */
    NamedTensors tensors(SignatureSpec sig) {
      Map<String, DType> dtypes = new LinkedHashMap<>();
      for (TensorSpec s : sig.inputs().values()) {
        dtypes.put(s.key(), s.dtype());
      }
      Map<String, HostTensor> values = JsonTensors.inputs(request, dtypes);
      NamedTensors out = new NamedTensors();
      try {
        for (Map.Entry<String, HostTensor> e : values.entrySet()) {
          out.put(e.getKey(), e.getValue().toTensor());
        }
        return out;
      } catch (RuntimeException | Error e) {
        out.close();
        throw e;
      }
    }
  }

  static Predict predict(byte[] body) {
    return new Predict(JsonTensors.scan(body));
  }
}
