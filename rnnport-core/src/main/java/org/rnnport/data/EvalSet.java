package org.rnnport.data;

import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/** A labelled split evaluated in batches (validation, test). Tensors are new on every call; close them. */
public interface EvalSet {
  int size();

  /** Inputs of examples {@code [from, from+n)}, shaped {@code inputDims} with the batch dimension set to n. */
  Tensor x(int from, int n, long[] inputDims);

  /** One-hot labels of examples {@code [from, from+n)}. */
  TFloat32 y(int from, int n);

  /** Label of example {@code i}. */
  int label(int i);
}
