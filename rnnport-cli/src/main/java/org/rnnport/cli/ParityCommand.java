package org.rnnport.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.DataDir;
import org.rnnport.parity.ParityReport;
import org.rnnport.parity.ParityRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rnnport parity MODEL}: the Java port against the Python oracle, number for number. */
@Command(name = "parity", mixinStandardHelpOptions = true,
    description = "Run the Python TensorFlow oracle of a notebook and the Java port on the same batches and compare "
        + "graphs, initial weights, losses, variables, logits and cross-loaded SavedModels. Exits 1 when a "
        + "threshold is missed.")
final class ParityCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", description = "model name, e.g. mnist-rnn (or --all)")
  String model;

  @Option(names = "--all", description = "every notebook model and five GRU, stacked and bidirectional "
      + "variants; writes <out>/summary.md and summary.json")
  boolean all;

  @Option(names = "--jobs", defaultValue = "2", description = "with --all: models run at a time, each with its own "
      + "oracle process and Sessions; the figures do not depend on it (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--variant", description = "faithful (default) or fixed, as for train")
  String variant;

  @picocli.CommandLine.Mixin
  RnnOptions rnnOptions = new RnnOptions();

  @Option(names = "--steps", defaultValue = "100", description = "training steps on each side (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--order", defaultValue = "SEQUENTIAL",
      description = "batch order: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  BatchOrder order;

  @Option(names = "--seed", defaultValue = "1", description = "set_random_seed / np.random.seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--init", defaultValue = "checkpoint", description = "Java's initial weights: checkpoint (restore "
      + "Python's initial checkpoint by name) or python-seed (Java's own initializers with Python's seed rule); "
      + "either way both are compared (default: ${DEFAULT-VALUE})")
  String init;

  @Option(names = "--gradients", defaultValue = "python", description = "python (default): shared weights' per-step "
      + "gradients summed in Python's order and with Python's ops; tf: TF Java's C++ gradient builder")
  String gradients;

  @Option(names = "--graph", defaultValue = "faithful", description = "faithful (default): the notebook's graph; fast: "
      + "also check the fast graph against the same oracle run (losses, final variables and test logits within "
      + "tolerances, its SavedModel's signature and Python loading it)")
  String graph;

  @Option(names = "--test-count", defaultValue = "1000", description = "test images whose logits are compared")
  int testCount;

  @Option(names = "--data-dir", description = "dataset folder (default: $RNNPORT_DATA_DIR or ./data)")
  Path dataDir;

  @Option(names = "--parity-dir", defaultValue = "parity", description = "the oracle folder (default: ${DEFAULT-VALUE})")
  Path parityDir;

  @Option(names = {"-o", "--out"}, defaultValue = "target/parity", description = "report folder (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--update-graphs", description = "copy the oracle's GraphDef to graphs/<model>.python.pbtxt")
  boolean updateGraphs;

  @Option(names = "--keras-model", paramLabel = "MODEL.json", description = "compare rnnport fit with tf-keras 2.18 "
      + "on this Keras model (model.to_json() or .keras) instead of a notebook")
  Path kerasModel;

  @Option(names = "--data", paramLabel = "FILE.npz", description = "with --keras-model: the npz both sides train on")
  Path kerasData;

  @Option(names = "--fit-data", paramLabel = "FILE", description = "with --keras-model: the same rows in another "
      + "format for rnnport fit (default: --data)")
  Path fitData;

  @Option(names = "--x", defaultValue = "x", description = "with --keras-model: the inputs' array (default: x)")
  String x;

  @Option(names = "--y", defaultValue = "y", description = "with --keras-model: the labels' array (default: y)")
  String y;

  @Option(names = "--loss", description = "with --keras-model: the loss (default: the .keras archive's)")
  String loss;

  @Option(names = "--optimizer", description = "with --keras-model: adam, sgd or rmsprop (default: adam)")
  String optimizer;

  @Option(names = {"--learning-rate", "--lr"}, description = "with --keras-model: the learning rate")
  Float learningRate;

  @Option(names = "--momentum", description = "with --keras-model: SGD's or RMSprop's momentum")
  Double momentum;

  @Option(names = "--nesterov", arity = "1", description = "with --keras-model: SGD's nesterov")
  Boolean nesterov;

  @Option(names = "--batch-size", defaultValue = "32", description = "with --keras-model: batch size (default: 32)")
  int batchSize;

  @Option(names = "--epochs", defaultValue = "1", description = "with --keras-model: epochs (default: 1)")
  int epochs;

  /** {@code --keras-model}: one model, the oracle then rnnport fit, bit for bit. */
  private int keras() throws Exception {
    if (kerasData == null) {
      throw new IllegalArgumentException("--keras-model needs --data FILE.npz (the rows both sides train on)");
    }
    String name = kerasModel.getFileName().toString().replaceFirst("\\.(json|keras)$", "");
    org.rnnport.fit.KerasParity.Case c = new org.rnnport.fit.KerasParity.Case(name, kerasModel, kerasData,
        fitData != null ? fitData : kerasData, x, y, loss, optimizer, learningRate, momentum, nesterov, null, batchSize,
        epochs, seed, 0);
    Path dir = out.resolve(name);
    org.rnnport.fit.KerasParity.oracle(org.rnnport.parity.PythonEnv.ensure(parityDir.resolve("requirements.txt"),
        System.err), parityDir, java.util.List.of(c), dir.resolve("python"), System.err);
    org.rnnport.fit.KerasParity.Result r = org.rnnport.fit.KerasParity.compare(c, dir.resolve("python"),
        dir.resolve("java"));
    org.rnnport.util.Json.write(dir.resolve("report.json"), r);
    System.out.println("| model | batches | losses differing | weights differing | predictions differing | |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.println(org.rnnport.fit.KerasParity.line(r));
    r.losses().forEach(l -> System.out.println("  " + l));
    r.weights().forEach(l -> System.out.println("  " + l));
    System.out.println("\nreport: " + dir.resolve("report.json"));
    System.out.println(r.passed() ? "parity passed (bit for bit)" : "parity FAILED");
    return r.passed() ? 0 : 1;
  }

  @Override
  public Integer call() throws Exception {
    if (kerasModel != null) {
      return keras();
    }
    ParityRunner.Init i = switch (init) {
      case "checkpoint" -> ParityRunner.Init.CHECKPOINT;
      case "python-seed" -> ParityRunner.Init.PYTHON_SEED;
      default -> throw new IllegalArgumentException("--init must be checkpoint or python-seed, got '" + init + "'");
    };
    if (steps <= 0 || testCount <= 0 || testCount > 10000) {
      throw new IllegalArgumentException("--steps must be positive and --test-count 1..10000");
    }
    org.rnnport.nn.PythonGradients.Mode grads = org.rnnport.nn.PythonGradients.Mode.parse(gradients);
    boolean fast = org.rnnport.nn.GraphKind.parse(graph) == org.rnnport.nn.GraphKind.FAST;
    if (all) {
      if (model != null || variant != null || rnnOptions.given()) {
        throw new IllegalArgumentException("--all takes no model, --variant or layer options");
      }
      Path data = DataDir.resolve(dataDir);
      java.util.List<org.rnnport.parity.ParitySummary.Row> rows = org.rnnport.parity.ParitySummary.runAll(
          org.rnnport.parity.ParitySummary.models(),
          m -> new ParityRunner.Options(m, steps, order, seed, i, data, parityDir, out, testCount, grads, fast), out,
          System.err, jobs);
      System.out.print(org.rnnport.parity.ParitySummary.markdown(rows));
      System.out.println("\nsummary: " + out.resolve("summary.md") + ", " + out.resolve("summary.json"));
      boolean ok = rows.stream().allMatch(org.rnnport.parity.ParitySummary.Row::passed);
      System.out.println(ok ? "parity passed (every model)" : "parity FAILED");
      return ok ? 0 : 1;
    }
    if (model == null) {
      throw new IllegalArgumentException("give a model, e.g. mnist-rnn, or --all");
    }
    org.rnnport.models.NotebookModel m = rnnOptions.apply(org.rnnport.models.ModelRegistry.get(model, variant));
    ParityReport r = ParityRunner.run(new ParityRunner.Options(m, steps, order, seed, i, DataDir.resolve(dataDir),
        parityDir, out, testCount, grads, fast), System.err);
    model = m.name();
    System.out.print(ParityRunner.markdown(r));
    Path dir = out.resolve(model);
    System.out.println("\nreport: " + dir.resolve("report.md") + ", " + dir.resolve("report.json") + ", "
        + dir.resolve("losses.png"));
    if (updateGraphs) {
      Path g = Path.of("graphs", model + ".python.pbtxt");
      Files.createDirectories(g.getParent());
      Files.copy(dir.resolve("python/graph.pbtxt"), g, StandardCopyOption.REPLACE_EXISTING);
      System.out.println("wrote " + g);
    }
    if (!r.passed()) {
      System.out.println("parity FAILED: " + r.failures().stream().map(ParityReport.Check::name).toList());
      return 1;
    }
    System.out.println("parity passed");
    return 0;
  }
}
