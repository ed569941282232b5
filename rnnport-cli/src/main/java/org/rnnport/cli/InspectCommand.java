package org.rnnport.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnport.eval.Inspector;
import org.rnnport.predictor.ModelVersions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rnnport inspect DIR}. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show a SavedModel like `saved_model_cli show --all`, plus its variables.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(description = "SavedModel version folder, or a model folder (latest version)")
  Path dir;

  @Override
  public Integer call() throws Exception {
    Path d = ModelVersions.resolve(dir);
    System.out.println("SavedModel: " + d);
    System.out.print(Inspector.show(d));
    return 0;
  }
}
