package org.rnnport.cli;

import java.nio.file.Path;
import org.rnnport.export.GraphConversion;
import org.rnnport.nn.GraphKind;

/** {@code --graph} for commands that run a SavedModel: as it is, or rebuilt with the fast graph in a temp folder. */
final class GraphChoice {
  private GraphChoice() {}

  /** What a command does with the (possibly rebuilt) model folder. */
  interface ModelRun {
    int run(Path model) throws Exception;
  }

  /** Runs {@code run} on {@code model} ({@code faithful}), or on its fast rebuild, deleted afterwards. */
  static int run(Path model, String graph, ModelRun run) throws Exception {
    GraphKind kind = GraphKind.parse(graph);
    if (kind == GraphKind.FAITHFUL) {
      return run.run(model);
    }
    try (GraphConversion.Converted c = GraphConversion.convert(model, kind)) {
      System.out.println("graph: " + kind.label() + ", rebuilt from " + c.source());
      return run.run(c.dir());
    }
  }
}
