package org.rnnport.nn;

import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * A TF1 reference variable as {@code tf.compat.v1} builds it: a {@code VariableV2} op named exactly
 * {@code name}, its {@code name/Assign} initializer and its {@code name/read} snapshot.
 *
 * @param name the exact TF1 variable name (checkpoint key)
 * @param ref the VariableV2 output (a ref tensor: what Assign and ApplyAdam update)
 * @param read the {@code name/read} Identity that the model reads
 * @param initializer the {@code name/Assign} op that sets the initial value
 */
public record Tf1Variable(String name, Shape shape, Output<TFloat32> ref, Operand<TFloat32> read,
    GraphOperation initializer) {}
