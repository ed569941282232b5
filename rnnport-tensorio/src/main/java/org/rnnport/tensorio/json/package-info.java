/**
 * TF Serving's REST JSON to and from {@link org.rnnport.tensorio.HostTensor}, by its rules ({@code api_rest.md},
 * {@code json_tensor.cc}): the row ({@code "instances"}) and columnar ({@code "inputs"}) formats, {@code {"b64": ...}}
 * bytes, the {@code NaN}, {@code Infinity} and {@code -Infinity} tokens, integers parsed from their text per dtype
 * (int64 and uint64 exact over their whole range, never through a double), floats printed as the shortest decimal
 * that reads back to the same float, {@code _bytes} outputs as base64.
 *
 * <p>May depend on {@code org.rnnport.tensorio} and Jackson's streaming {@code jackson-core} only (an optional
 * dependency of the module: a user of the JSON codec declares it; the predictor does not pull it).
 */
package org.rnnport.tensorio.json;
