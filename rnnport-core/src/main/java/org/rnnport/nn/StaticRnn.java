package org.rnnport.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Unrolls a cell over a fixed number of time steps. TF Java has no gradients for While loops, so
 * {@code dynamic_rnn} becomes a static unroll: the same variables and the same per-step kernels
 * (only the order in which gradients of the shared weights are summed can differ from Python).
 */
public final class StaticRnn {
  private StaticRnn() {}

  /** Outputs of every step and the final state. */
  public record Result(List<Operand<TFloat32>> outputs, List<Operand<TFloat32>> finalState) {
    public Operand<TFloat32> last() {
      return outputs.get(outputs.size() - 1);
    }
  }

  /**
   * {@code static_rnn(cell, inputs)} under variable scope {@code scope}: creates the cell's
   * variables, then applies it to each input in turn, starting from the zero state.
   *
   * @param inputs one {@code [batch, depth]} tensor per time step
   */
  public static Result unroll(String scope, RnnCell cell, List<Operand<TFloat32>> inputs,
      long inputDepth, Tf1Variables vars, SeedSource seeds) {
    cell.build(vars, scope, inputDepth, seeds);
    Ops s = vars.scope(scope);
    Operand<TInt32> batch = s.withName("batch_size").stridedSlice(s.shape(inputs.get(0)),
        org.tensorflow.ndarray.index.Indices.at(0));
    List<Operand<TFloat32>> state = cell.zeroState(s, batch);
    List<Operand<TFloat32>> outputs = new ArrayList<>(inputs.size());
    Ops cellScope = vars.scope(scope + "/" + cell.name());
    for (Operand<TFloat32> x : inputs) {
      RnnCell.Step step = cell.call(cellScope, x, state);
      outputs.add(step.output());
      state = PythonGradients.loopState(vars, cellScope, step.state());
    }
    return new Result(outputs, state);
  }

  /**
   * tf-keras 2.18's {@code backend.rnn} with a mask, unrolled: at every step the cell runs on the step's input, then
   * {@code output = where(mask_t, output, prev)} ({@code prev}: zeros with {@code zeroOutputForMask}, else the
   * previous step's masked output, zeros before the first) and each {@code state = where(mask_t, new_state, state)}
   * (SelectV2 with {@code mask_t} as {@code [batch, 1]}, broadcast over the units). A masked step so keeps the
   * previous state. {@link Result#last()} is the last step's masked output, as Keras' {@code outputs[-1]}.
   *
   * @param mask one {@code bool [batch]} tensor per step (the same order as {@code inputs})
   */
  public static Result unrollMasked(String scope, RnnCell cell, List<Operand<TFloat32>> inputs,
      List<Operand<org.tensorflow.types.TBool>> mask, boolean zeroOutputForMask, long inputDepth, Tf1Variables vars,
      SeedSource seeds) {
    cell.build(vars, scope, inputDepth, seeds);
    Ops s = vars.scope(scope);
    Operand<TInt32> batch = s.withName("batch_size").stridedSlice(s.shape(inputs.get(0)),
        org.tensorflow.ndarray.index.Indices.at(0));
    List<Operand<TFloat32>> state = cell.zeroState(s, batch);
    List<Operand<TFloat32>> outputs = new ArrayList<>(inputs.size());
    Ops cellScope = vars.scope(scope + "/" + cell.name());
    Ops maskScope = vars.scope(scope + "/mask");
    // Keras' flat_zero_output: zeros of the output's shape ([batch, units], the zero state's first tensor's)
    Operand<TFloat32> zeros = maskScope.withName("zero_output").zerosLike(state.get(0));
    Operand<TFloat32> prev = zeros;
    for (int t = 0; t < inputs.size(); t++) {
      RnnCell.Step step = cell.call(cellScope, inputs.get(t), state);
      Operand<org.tensorflow.types.TBool> m = maskScope.expandDims(mask.get(t), maskScope.constant(-1));
      if (zeroOutputForMask) {
        prev = zeros;
      }
      Operand<TFloat32> out = maskScope.select(m, step.output(), prev);
      outputs.add(out);
      prev = out;
      List<Operand<TFloat32>> next = new ArrayList<>();
      for (int k = 0; k < state.size(); k++) {
        next.add(maskScope.select(m, step.state().get(k), state.get(k)));
      }
      state = PythonGradients.loopState(vars, cellScope, next);
    }
    return new Result(outputs, state);
  }

  /**
   * The recurrent layer a {@link RnnSpec} describes, over per-step inputs: {@code rnn/<cell>} one way,
   * or {@code bidirectional_rnn/fw|bw/<cell>} both ways (the backward pass reads the steps reversed
   * and its outputs are reversed back). Outputs are per step, forward and backward concatenated on
   * the feature axis; the final h is the last layer's, forward then backward.
   */
  public static Bidi layer(RnnSpec spec, List<Operand<TFloat32>> inputs, long inputDepth, Tf1Variables vars,
      SeedSource seeds) {
    if (!spec.bidirectional()) {
      RnnCell cell = spec.newCell();
      Result r = unroll("rnn", cell, inputs, inputDepth, vars, seeds);
      return new Bidi(r.outputs(), cell.finalH(r.finalState()));
    }
    RnnCell fw = spec.newCell();
    Result f = unroll("bidirectional_rnn/fw", fw, inputs, inputDepth, vars, seeds);
    List<Operand<TFloat32>> reversed = new ArrayList<>(inputs);
    java.util.Collections.reverse(reversed);
    RnnCell bw = spec.newCell();
    Result b = unroll("bidirectional_rnn/bw", bw, reversed, inputDepth, vars, seeds);
    List<Operand<TFloat32>> bwOut = new ArrayList<>(b.outputs());
    java.util.Collections.reverse(bwOut);
    Ops s = vars.scope("bidirectional_rnn");
    List<Operand<TFloat32>> outs = new ArrayList<>();
    for (int t = 0; t < inputs.size(); t++) {
      outs.add(s.concat(List.of(f.outputs().get(t), bwOut.get(t)), s.constant(1)));
    }
    Operand<TFloat32> h = s.concat(List.of(fw.finalH(f.finalState()), bw.finalH(b.finalState())), s.constant(1));
    return new Bidi(outs, h);
  }

  /** Per-step outputs and the final h of a (possibly bidirectional, stacked) layer. */
  public record Bidi(List<Operand<TFloat32>> outputs, Operand<TFloat32> finalH) {
    public Operand<TFloat32> last() {
      return outputs.get(outputs.size() - 1);
    }
  }

  /** {@code tf.unstack(x, steps, 1)}: the per-step {@code [batch, depth]} slices. */
  public static List<Operand<TFloat32>> unstackTime(Ops tf, Operand<TFloat32> x, int steps) {
    Unstack<TFloat32> u = tf.unstack(x, (long) steps, Unstack.axis(1L));
    return new ArrayList<>(u.output());
  }

  /** The step outputs stacked batch-major, {@code [batch, time, units]} (dynamic_rnn's outputs). */
  public static Operand<TFloat32> stackBatchMajor(Ops tf, List<Operand<TFloat32>> outputs) {
    return tf.stack(outputs, Stack.axis(1L));
  }
}
