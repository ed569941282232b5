package org.rnnport.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnport.data.DataDir;
import org.rnnport.eval.Evaluator;
import org.rnnport.predict.DatasetEval;
import org.rnnport.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnport eval --model savedmodels/mnist-rnn[/N]}. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a SavedModel on its dataset's test split: accuracy, per-class precision/recall/F1, "
        + "confusion matrix, samples/s.")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--model", required = true,
      description = "SavedModel version folder, or a model folder (its latest version is used)")
  Path model;

  @Option(names = "--batch-size", defaultValue = "1000", description = "examples per Session run (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--limit", defaultValue = "0", description = "evaluate only the first N test examples (0 = all)")
  int limit;

  @Option(names = "--data-dir", description = "dataset folder (default: $RNNPORT_DATA_DIR or ./data)")
  Path dataDir;

  @Option(names = "--show", defaultValue = "0", description = "print the first N test examples with the prediction "
      + "(Reuters: the newswire's text, decoded with reuters_word_index.json)")
  int show;

  @Option(names = "--json", description = "also write the report as JSON to this file")
  Path json;

  @Option(names = "--workers", defaultValue = "0", description = "concurrent inference calls, as in predict "
      + "(default 0: one per core, at most 8)")
  int workers;

  @Option(names = "--graph", defaultValue = "faithful", description = "faithful (run the SavedModel as it is) or fast: "
      + "rebuild the model with its fast graph and the SavedModel's variables (default: ${DEFAULT-VALUE})")
  String graph;

  @Override
  public Integer call() throws Exception {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("--batch-size must be positive");
    }
    return GraphChoice.run(model, graph, this::run);
  }

  private int run(Path model) throws Exception {
    // eval is predict on the bundled test split: one pipeline (rnnport-predict's DatasetEval)
    Evaluator.Result r = DatasetEval.evaluate(model, DataDir.resolve(dataDir), batchSize, limit, workers);
    System.out.println("model: " + r.model() + " (" + r.modelName() + ")");
    System.out.print(r.report().toText());
    System.out.printf("%n%d examples in %.3f s (%.0f samples/s end to end at batch %d; %.3f s in Session calls)%n", r.examples(),
        r.seconds(), r.samplesPerSecond(), r.batchSize(), r.inferenceSeconds());
    for (Evaluator.Prediction p : Evaluator.predictions(model, DataDir.resolve(dataDir), show)) {
      System.out.printf("%n#%d true %d, predicted %d (p=%.3f)%s%n", p.index(), p.label(), p.predicted(), p.probability(),
          p.text() == null ? "" : "\n  " + p.text());
    }
    if (json != null) {
      Json.write(json, r.toJson());
      System.out.println("report: " + json);
    }
    return 0;
  }
}
