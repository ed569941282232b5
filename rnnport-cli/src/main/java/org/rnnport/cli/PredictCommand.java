package org.rnnport.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rnnport.predict.PredictJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnport predict --model DIR --input FILE... --output FILE}. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Score files with any SavedModel (rnnport's, Python TF1 or TF2/Keras), streaming: inputs matched "
        + "to the signature's keys by name, shapes as the signature says.",
        "Inputs: npy, npz, idx (gz or raw), jsonl, csv, tfrecord (tf.train.Example), parquet. "
            + "Outputs: jsonl, csv, npy, npz, parquet (written atomically)."})
final class PredictCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "SavedModel version folder, or a model folder "
      + "(its highest version; zero-padded version folders like 00000123 count as 123)")
  Path model;

  @Option(names = "--input", required = true, arity = "1..*", description = "input file(s), scored in order")
  List<Path> inputs;

  @Option(names = "--output", required = true, description = "output file (format from the extension)")
  Path output;

  @Option(names = "--signature", defaultValue = "serving_default", description = "signature key (default: ${DEFAULT-VALUE})")
  String signature;

  @Option(names = "--tag", defaultValue = "serve", description = "meta graph tag (default: ${DEFAULT-VALUE})")
  String tag;

  @Option(names = "--batch-size", defaultValue = "1000", description = "rows per inference call (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--format", description = "input format, if the extension does not say: npy, npz, idx, jsonl, "
      + "csv, tfrecord, parquet")
  String format;

  @Option(names = "--output-format", description = "output format, if the extension does not say: jsonl, csv, npy, npz, parquet")
  String outputFormat;

  @Option(names = "--output-keys", split = ",", description = "outputs to write (default: all; .npy takes one)")
  List<String> outputKeys;

  @Option(names = "--labels", description = "true labels, one per input row (integer or one-hot; npy, idx, csv, jsonl, ...): "
      + "prints and writes eval's report")
  Path labels;

  @Option(names = "--labels-format", description = "format of --labels, if its extension does not say")
  String labelsFormat;

  @Option(names = "--label-column", description = "the input column/key/feature/array holding the labels")
  String labelColumn;

  @Option(names = "--input-column", description = "KEY=COLUMN: the CSV or Parquet column (or COLUMN_0..COLUMN_N-1) "
      + "that feeds the signature's input KEY, when it is not named like KEY; repeatable")
  java.util.Map<String, String> inputColumns;

  @Option(names = "--num-classes", defaultValue = "0", description = "classes for the report (default: the width of "
      + "the probabilities/logits output)")
  int numClasses;

  @Option(names = "--report", description = "write the report (counts, timings, and with labels accuracy, "
      + "per-class P/R/F1, confusion) as JSON here")
  Path report;

  @Option(names = "--skip-bad-rows", description = "reject malformed rows into the rejects file instead of stopping")
  boolean skipBadRows;

  @Option(names = "--rejects", description = "rejects file, JSON Lines (default: OUTPUT.rejects.jsonl)")
  Path rejects;

  @Option(names = "--scale", defaultValue = "1", description = "multiply float inputs by this, e.g. 1/255 for raw "
      + "MNIST bytes (default: ${DEFAULT-VALUE})")
  String scale;

  @Option(names = "--workers", defaultValue = "0", description = "concurrent inference calls on the one loaded model "
      + "(default 0: one per core, at most 8)")
  int workers;

  @Option(names = "--graph", defaultValue = "faithful", description = "faithful (run the SavedModel as it is) or fast: "
      + "rebuild one of rnnport's models with its fast graph and the SavedModel's variables (default: ${DEFAULT-VALUE})")
  String graph;

  static double parseScale(String s) {
    String t = s.trim();
    int slash = t.indexOf('/');
    double v = slash < 0 ? Double.parseDouble(t)
        : Double.parseDouble(t.substring(0, slash)) / Double.parseDouble(t.substring(slash + 1));
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("--scale " + s + " is not a finite number");
    }
    return v;
  }

  @Override
  public Integer call() throws Exception {
    return GraphChoice.run(model, graph, this::run);
  }

  private int run(Path model) throws Exception {
    PredictJob.Options o = new PredictJob.Options(model, tag, signature, inputs, format, output, outputFormat,
        outputKeys, batchSize, workers, parseScale(scale), labels, labelsFormat, labelColumn, numClasses,
        skipBadRows, rejects, report, inputColumns);
    // SIGTERM/SIGINT: abandon the run after the batch being written; no output, the output path as it was
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Signals.onStop(() -> {
      System.err.println("stopping: abandoning the run; no output is written");
      System.err.flush();
      stop.set(true);
    });
    PredictJob.Summary s;
    try {
      s = PredictJob.run(o, stop::get);
    } catch (PredictJob.Stopped e) {
      System.err.println("stopped: " + output + " not written (temporary file removed)");
      return Signals.exitCode() != 0 ? Signals.exitCode() : 130;
    } finally {
      Signals.onStop(null);
    }
    System.out.println("model: " + s.model() + " (signature " + signature + ")");
    if (s.report() != null) {
      System.out.print(s.report().toText());
      System.out.println();
    }
    var oc = s.outcome();
    System.out.printf("%d rows in %.3f s (%.0f samples/s, batch %d, %d worker%s; %.3f s in Session calls)%s%n",
        oc.rows(), oc.seconds(), oc.samplesPerSecond(), batchSize, s.workers(), s.workers() == 1 ? "" : "s",
        oc.inferenceSeconds(),
        oc.rejected() > 0 || skipBadRows ? ", " + oc.rejected() + " rejected -> " + o.rejectsPath() : "");
    System.out.println("output: " + output);
    if (report != null) {
      System.out.println("report: " + report);
    }
    return 0;
  }
}
