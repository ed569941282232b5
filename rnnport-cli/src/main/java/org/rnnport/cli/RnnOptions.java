package org.rnnport.cli;

import org.rnnport.models.NotebookModel;
import org.rnnport.nn.RnnSpec;
import picocli.CommandLine.Option;

/** {@code --cell/--units/--layers/--bidirectional}: another recurrent layer for a MNIST model. */
final class RnnOptions {
  @Option(names = "--cell", description = "rnn (BasicRNNCell), lstm (BasicLSTMCell) or gru (GRUCell); default: the notebook's")
  String cell;

  @Option(names = "--units", description = "units of the cell (default: the notebook's)")
  Integer units;

  @Option(names = "--layers", description = "stacked cells, MultiRNNCell (default: 1)")
  Integer layers;

  @Option(names = "--bidirectional", description = "run both ways (bidirectional_rnn/fw|bw), outputs concatenated")
  boolean bidirectional;

  boolean given() {
    return cell != null || units != null || layers != null || bidirectional;
  }

  /** {@code model} with the layer these options describe, on top of the model's own. */
  NotebookModel apply(NotebookModel model) {
    if (!given()) {
      return model;
    }
    RnnSpec base = model.rnn();
    if (base == null) {
      return model.withRnn(null); // throws: a model with a fixed architecture
    }
    RnnSpec s = new RnnSpec(cell != null ? cell : base.cell(), units != null ? units : base.units(),
        layers != null ? layers : base.layers(), bidirectional || base.bidirectional());
    return s.equals(base) ? model : model.withRnn(s);
  }
}
