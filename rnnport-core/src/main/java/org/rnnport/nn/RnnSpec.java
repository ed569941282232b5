package org.rnnport.nn;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * Which recurrent layer a MNIST model uses: the cell (TF1 {@code BasicRNNCell}, {@code BasicLSTMCell}
 * or {@code GRUCell}), its units, how many stacked layers ({@code MultiRNNCell}) and whether it runs
 * both ways ({@code bidirectional_rnn/fw|bw}). The notebooks each use one plain cell.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RnnSpec(String cell, int units, int layers, boolean bidirectional) {

  public RnnSpec {
    if (!List.of("rnn", "lstm", "gru").contains(cell)) {
      throw new IllegalArgumentException("cell must be rnn, lstm or gru, got '" + cell + "'");
    }
    if (units <= 0 || layers <= 0) {
      throw new IllegalArgumentException("units and layers must be positive, got " + units + " and " + layers);
    }
  }

  /** A fresh cell (or stack of cells) of this spec. */
  public RnnCell newCell() {
    if (layers == 1) {
      return single();
    }
    List<RnnCell> cells = new ArrayList<>();
    for (int k = 0; k < layers; k++) {
      cells.add(single());
    }
    return new MultiRnnCell(cells);
  }

  private RnnCell single() {
    return switch (cell) {
      case "rnn" -> new BasicRnnCell(units);
      case "lstm" -> new BasicLstmCell(units, 1.0f);
      default -> new GruCell(units);
    };
  }

  /** Width of the per-step output: units, doubled when bidirectional. */
  public int outputWidth() {
    return bidirectional ? 2 * units : units;
  }

  /** A name suffix for non-default specs, e.g. {@code gru-x2-bi}. */
  public String suffix() {
    return cell + (layers > 1 ? "-x" + layers : "") + (bidirectional ? "-bi" : "");
  }
}
