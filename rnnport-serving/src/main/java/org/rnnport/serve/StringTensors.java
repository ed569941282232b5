package org.rnnport.serve;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.types.TString;

/** Copies of string tensors (variable-size, so not through {@link TensorRows}' bytes). */
final class StringTensors {
  private StringTensors() {}

  static Tensor copy(Tensor t) {
    if (t instanceof TString s) {
      NdArray<byte[]> bytes = NdArrays.ofObjects(byte[].class, s.shape());
      s.asBytes().copyTo(bytes);
      return TString.tensorOfBytes(bytes);
    }
    throw new IllegalArgumentException("outputs of dtype " + t.dataType() + " are not supported");
  }
}
