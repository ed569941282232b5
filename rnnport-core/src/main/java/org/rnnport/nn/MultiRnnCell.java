package org.rnnport.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * TF1 {@code MultiRNNCell(cells)}: the cells stacked, cell K under {@code multi_rnn_cell/cell_K}; the
 * state is the cells' states in order; the output is the last cell's.
 */
public final class MultiRnnCell implements RnnCell {
  private final List<RnnCell> cells;
  private Tf1Variables vars;
  private String scope;

  public MultiRnnCell(List<RnnCell> cells) {
    this.cells = List.copyOf(cells);
  }

  @Override
  public String name() {
    return "multi_rnn_cell";
  }

  @Override
  public int units() {
    return cells.get(cells.size() - 1).units();
  }

  @Override
  public int stateCount() {
    return cells.stream().mapToInt(RnnCell::stateCount).sum();
  }

  @Override
  public void build(Tf1Variables vars, String scope, long inputDepth, SeedSource seeds) {
    this.vars = vars;
    this.scope = scope + "/" + name();
    long depth = inputDepth;
    for (int k = 0; k < cells.size(); k++) {
      cells.get(k).build(vars, this.scope + "/cell_" + k, depth, seeds);
      depth = cells.get(k).units();
    }
  }

  @Override
  public Step call(Ops tf, Operand<TFloat32> input, List<Operand<TFloat32>> state) {
    List<Operand<TFloat32>> newState = new ArrayList<>();
    Operand<TFloat32> cur = input;
    int offset = 0;
    for (int k = 0; k < cells.size(); k++) {
      RnnCell c = cells.get(k);
      List<Operand<TFloat32>> sub = state.subList(offset, offset + c.stateCount());
      Step s = c.call(vars.scope(scope + "/cell_" + k + "/" + c.name()), cur, sub);
      cur = s.output();
      newState.addAll(s.state());
      offset += c.stateCount();
    }
    return new Step(cur, newState);
  }

  @Override
  public Operand<TFloat32> finalH(List<Operand<TFloat32>> state) {
    RnnCell last = cells.get(cells.size() - 1);
    return last.finalH(state.subList(state.size() - last.stateCount(), state.size()));
  }

  /** The stacked cells, bottom first. */
  public List<RnnCell> cells() {
    return cells;
  }
}
