package org.rnnport.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.rnnport.fit.Fit;
import org.rnnport.nn.PythonGradients;
import org.rnnport.train.History;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnport fit}: Keras {@code compile} + {@code fit} of a Keras model file on the user's files ({@link Fit}). */
@Command(name = "fit", mixinStandardHelpOptions = true,
    description = "Train a Keras Sequential (model.to_json() of tf-keras 2.18, or a .keras archive) on your files "
        + "with Keras' fit semantics; write history.json, loss.png, TensorBoard events, checkpoints and a SavedModel.")
final class FitCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "MODEL.json", description = "model.to_json() output, or a .keras archive")
  Path model;

  @Option(names = "--data", split = ",", paramLabel = "FILE", description = "training files (npy/npz, Parquet, "
      + "TFRecord Example, CSV, JSON Lines), read whole into memory")
  List<Path> data;

  @Option(names = "--format", description = "input format of every file (default: by extension)")
  String format;

  @Option(names = "--x", description = "the array, column or feature holding the inputs (also the SavedModel's "
      + "input key)")
  String x;

  @Option(names = "--y", description = "the array, column or feature holding the labels (class or one-hot; "
      + "for mse/mae float32 targets of the output's shape)")
  String y;

  @Option(names = "--validation-data", split = ",", paramLabel = "FILE", description = "validation files")
  List<Path> validationData;

  @Option(names = "--validation-split", description = "the last fraction of the rows as validation (Keras' "
      + "validation_split)")
  Double validationSplit;

  @Option(names = "--loss", description = "categorical_crossentropy, sparse_categorical_crossentropy, mse or mae "
      + "(default: the .keras archive's compile_config)")
  String loss;

  @Option(names = "--optimizer", description = "adam (default), sgd or rmsprop, with Keras' defaults")
  String optimizer;

  @Option(names = {"--learning-rate", "--lr"}, description = "learning rate (default: Keras' for the optimizer)")
  Float learningRate;

  @Option(names = "--momentum", description = "SGD's or RMSprop's momentum (default 0)")
  Double momentum;

  @Option(names = "--nesterov", arity = "1", description = "SGD's nesterov: true or false (default false)")
  Boolean nesterov;

  @Option(names = "--rho", description = "RMSprop's rho (default 0.9)")
  Double rho;

  @Option(names = "--batch-size", description = "batch size (default: 32, Keras')", defaultValue = "32")
  int batchSize;

  @Option(names = "--epochs", description = "epochs (default: 1, Keras')", defaultValue = "1")
  int epochs;

  @Option(names = "--shuffle", arity = "1", description = "shuffle the rows every epoch: true (default) or false",
      defaultValue = "true")
  boolean shuffle;

  @Option(names = "--shuffle-order", description = "keras (default): tf-keras model.fit's own order for the seed; "
      + "numpy: RandomState(seed).permutation(n) per epoch, rnnport train's", defaultValue = "keras")
  String shuffleOrder;

  @Option(names = "--shuffle-buffer", paramLabel = "ROWS", description = "streamed formats (Parquet, TFRecord, CSV, "
      + "JSON Lines, compressed npz): a file of at most ROWS rows is held in memory and shuffled in Keras' order, a "
      + "longer one shuffled through a buffer of ROWS rows as tf.data's shuffle does (not Keras' order); default: the "
      + "rows that fit a quarter of the heap. npy and stored npz are read by index, whatever it is")
  Long shuffleBuffer;

  @Option(names = "--seed", description = "seed of the initializers (Keras': keras.utils.set_random_seed(SEED)) and the row order (default: 0)", defaultValue = "0")
  long seed;

  @Option(names = "--metrics", split = ",", description = "Keras metrics to report: accuracy/acc (resolved as Keras "
      + "does), binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, mae, mse (default: a .keras "
      + "archive's compile_config metrics, else none)")
  List<String> metrics;

  @Option(names = "--gradients", description = "python (default: summed as Keras' graph sums them, Keras' numbers "
      + "bit for bit) or tf (TF Java's own sums)", defaultValue = "python")
  String gradients;

  @Option(names = "--initializers", description = "keras (default: a fresh run starts from tf-keras 2.18's initial "
      + "weights after keras.utils.set_random_seed(SEED), bit for bit) or tf1 (TF1 graph-seeded ops, as rnnport train)",
      defaultValue = "keras")
  String initializers;

  @Option(names = "--init", paramLabel = "CKPT_PREFIX", description = "start the weights from this checkpoint, by "
      + "Keras' variable names (e.g. Keras' own initial weights)")
  Path init;

  @Option(names = "--fresh-weights", description = "with a .keras archive that holds weights: start from Keras' "
      + "initializers drawn from --seed instead of the archive's weights (the default, as Keras' load_model does)")
  boolean freshWeights;

  @Option(names = {"-o", "--out"}, description = "run folder (default: runs/<model>-<time>)")
  Path out;

  @Option(names = "--export-dir", description = "SavedModel root (default: savedmodels)", defaultValue = "savedmodels")
  Path exportDir;

  @Option(names = "--export-version", description = "version folder to export as (default: next free)")
  Integer exportVersion;

  @Option(names = "--no-export", description = "do not export a SavedModel")
  boolean noExport;

  @Option(names = "--checkpoint-every", description = "also write a checkpoint every N steps", defaultValue = "0")
  int checkpointEvery;

  @Option(names = "--early-stopping-patience", description = "stop after N epochs without val_loss improving")
  Integer patience;

  @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue the run in RUN_DIR from its newest "
      + "intact checkpoint, with its recorded options")
  Path resume;

  @Override
  public Integer call() throws Exception {
    Fit f;
    if (resume != null) {
      if (model != null || data != null || x != null || y != null) {
        throw new IllegalArgumentException("--resume continues the run with its own options (" + Fit.RECORD
            + "); give no --model, --data, --x or --y");
      }
      f = Fit.resume(resume);
      System.out.println("resuming the fit in " + resume);
    } else {
      if (model == null || data == null || x == null || y == null) {
        throw new IllegalArgumentException("give --model, --data, --x and --y");
      }
      f = Fit.of(model);
      Path run = out != null ? out : Path.of("runs", model.getFileName().toString().replaceFirst("\\.(json|keras)$", "")
          + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      f.data(data).format(format).x(x).y(y).loss(loss).optimizer(optimizer).learningRate(learningRate)
          .momentum(momentum).nesterov(nesterov).rho(rho).batchSize(batchSize).epochs(epochs).shuffle(shuffle)
          .shuffleOrder(shuffleOrder).shuffleBuffer(shuffleBuffer).seed(seed).gradients(PythonGradients.Mode.parse(gradients))
          .initializers(initializers).initCheckpoint(init).archiveWeights(!freshWeights).runDir(run)
          .exportRoot(noExport ? null : exportDir).exportVersion(exportVersion).checkpointEvery(checkpointEvery)
          .earlyStoppingPatience(patience).metrics(metrics);
      if (validationData != null) {
        f.validationData(validationData);
      }
      if (validationSplit != null) {
        f.validationSplit(validationSplit);
      }
    }
    History h = f.run(System.out);
    Path run = f.runDirectory();
    System.out.println("history: " + run.resolve("history.json") + ", plot: " + run.resolve("loss.png")
        + ", tensorboard --logdir " + run.resolve("tensorboard"));
    return h.interrupted ? 130 : 0;
  }
}
