package org.rnnport.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnport.export.GraphConversion;
import org.rnnport.nn.GraphKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnport export --model DIR[/N] --graph fast --out DIR}: one of rnnport's SavedModels rebuilt with another graph. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Rebuild one of rnnport's SavedModels with the fast (or the faithful) graph into a new SavedModel: "
        + "the same variables and signature, for serving or predict. Written to a temp folder, checked to load, then "
        + "renamed: a failed export leaves nothing at --out.")
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "SavedModel version folder, or a model folder (latest version)")
  Path model;

  @Option(names = "--graph", defaultValue = "fast", description = "fast or faithful (default: ${DEFAULT-VALUE})")
  String graph;

  @Option(names = "--out", required = true, description = "the new SavedModel folder (must not exist), e.g. "
      + "models/mnist-rnn/2 beside a TF Serving model's other versions")
  Path out;

  @Override
  public Integer call() throws Exception {
    GraphKind kind = GraphKind.parse(graph);
    Path written = GraphConversion.export(model, kind, out);
    System.out.println("exported the " + kind.label() + " graph of " + model + " to " + written);
    return 0;
  }
}
