package org.rnnport.predictor;

import java.util.Map;

/**
 * A signature of a SavedModel: its key, method name ({@code tensorflow/serving/predict},
 * {@code .../classify}, {@code .../regress}) and its inputs and outputs by key, in key order.
 */
public record SignatureSpec(String key, String methodName, Map<String, TensorSpec> inputs,
    Map<String, TensorSpec> outputs) {

  /**
   * The single input's spec.
   *
   * @return the only input
   * @throws InvalidInputException when the signature has several inputs (or none)
   */
  public TensorSpec singleInput() {
    if (inputs.size() != 1) {
      throw new InvalidInputException("signature " + key + " takes " + inputs.size() + " inputs " + inputs.keySet()
          + ", not one");
    }
    return inputs.values().iterator().next();
  }
}
