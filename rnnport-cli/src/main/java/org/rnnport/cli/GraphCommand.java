package org.rnnport.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnport.export.GraphText;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rnnport graph MODEL}: writes {@code graphs/MODEL.pbtxt}. */
@Command(name = "graph", mixinStandardHelpOptions = true,
    description = "Write a model's training GraphDef as protobuf text (default graphs/<model>.pbtxt).")
final class GraphCommand implements Callable<Integer> {
  @Parameters(description = "model name, e.g. mnist-rnn")
  String model;

  @Option(names = {"-o", "--out"}, description = "output file (default: graphs/<model>.pbtxt)")
  Path out;

  @Override
  public Integer call() throws Exception {
    NotebookModel m = ModelRegistry.get(model);
    Path file = out != null ? out : Path.of("graphs", m.name() + ".pbtxt");
    GraphText.write(m, file);
    System.out.println("wrote " + file);
    return 0;
  }
}
