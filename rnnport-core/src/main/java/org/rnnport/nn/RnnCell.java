package org.rnnport.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A recurrent cell with TF1 semantics: it creates its variables once ({@link #build}) under the
 * RNN's scope, then maps (input, state) to (output, new state) at every unrolled time step.
 */
public interface RnnCell {

  /** The cell's TF1 scope name, e.g. {@code basic_rnn_cell}. */
  String name();

  /** Number of units (size of the output). */
  int units();

  /** Number of state tensors (1 for RNN/GRU, 2 for LSTM's (c, h)). */
  int stateCount();

  /**
   * Creates the cell's variables, named {@code <scope>/<name()>/kernel} etc.
   *
   * @param scope the enclosing variable scope, e.g. {@code rnn}
   */
  void build(Tf1Variables vars, String scope, long inputDepth, SeedSource seeds);

  /** One time step; {@code tf} is already in the cell's op scope. */
  Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state);

  /** Zero state for a batch of {@code batchSize}. */
  default List<Operand<TFloat32>> zeroState(Ops tf, Operand<TInt32> batchSize) {
    Ops s = Scopes.sub(tf, name() + "ZeroState");
    Operand<TInt32> dims = s.stack(List.of(batchSize, s.constant(units())));
    Operand<TFloat32> zeros = s.withName("zeros").fill(dims, s.constant(0f));
    return java.util.Collections.nCopies(stateCount(), zeros);
  }

  /** The cell's h in a state (the state itself for RNN/GRU, the second of LSTM's (c, h)). */
  default Operand<TFloat32> finalH(List<Operand<TFloat32>> state) {
    return state.get(state.size() - 1);
  }

  /** The output and the new state of one step. */
  record Step(Operand<TFloat32> output, List<Operand<TFloat32>> state) {}
}
