package org.rnnport.models;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.rnnport.nn.Tf1Variable;

/**
 * A notebook model built into a graph.
 *
 * @param inputKey the serving signature's input key
 * @param input the input placeholder
 * @param labels one-hot labels placeholder; null in an inference graph
 * @param logits {@code [-1, classes]}
 * @param probabilities softmax of the logits
 * @param classes argmax of the logits (int64)
 * @param loss mean cross-entropy; null in an inference graph
 * @param trainOp one optimizer step; null in an inference graph
 * @param modelVariables the model's own variables (what a SavedModel stores)
 * @param allVariables model variables plus the optimizer's slots, in creation order
 */
public record ModelGraph(
    String inputKey,
    Placeholder<? extends org.tensorflow.types.family.TType> input,
    Placeholder<TFloat32> labels,
    Operand<TFloat32> logits,
    Operand<TFloat32> probabilities,
    Operand<TInt64> classes,
    Operand<TFloat32> loss,
    Op trainOp,
    List<Tf1Variable> modelVariables,
    List<Tf1Variable> allVariables) {

  /** The Assign ops that set every variable to its initial value. */
  public List<GraphOperation> initializers() {
    List<GraphOperation> ops = new ArrayList<>();
    for (Tf1Variable v : allVariables) {
      ops.add(v.initializer());
    }
    return ops;
  }

}
