package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.eval.ClassificationReport;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Json;

/**
 * {@code rnnport predict}: every input file through a SavedModel signature into one output file,
 * written through a temporary file and renamed at the end, so a failed run leaves no output (nor
 * rejects file, nor report).
 */
public final class PredictJob {
  private PredictJob() {}

  /** Everything {@code rnnport predict} takes. */
  public record Options(Path model, String tag, String signature, List<Path> inputs, String format, Path output,
      String outputFormat, List<String> outputKeys, int batchSize, int workers, double scale, Path labels,
      String labelsFormat, String labelColumn, int numClasses, boolean skipBadRows, Path rejects, Path report,
      Map<String, String> inputColumns) {
    public Options {
      inputColumns = inputColumns == null ? Map.of() : Map.copyOf(inputColumns);
    }

    public Path rejectsPath() {
      return rejects != null ? rejects : output.resolveSibling(output.getFileName() + ".rejects.jsonl");
    }
  }

  /** What a run did, with the JSON report. */
  public record Summary(Path model, Options options, Pipeline.Outcome outcome, int workers) {
    public ClassificationReport report() {
      return outcome.report();
    }

    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model.toString());
      m.put("signature", options.signature());
      m.put("inputs", options.inputs().stream().map(Path::toString).toList());
      m.put("output", options.output() == null ? null : options.output().toString());
      m.put("records", outcome.records());
      m.put("examples", outcome.rows());
      m.put("rejected", outcome.rejected());
      if (options.skipBadRows()) {
        m.put("rejects", options.rejectsPath().toString());
      }
      m.put("batchSize", options.batchSize());
      m.put("workers", workers);
      ClassificationReport r = outcome.report();
      if (r != null) {
        m.put("labels", options.labels() != null ? options.labels().toString() : "column " + options.labelColumn());
        m.put("predictionKey", outcome.predictionKey());
        m.put("accuracy", r.accuracy());
        m.put("perClass", r.perClass());
        m.put("confusion", r.confusion());
      }
      m.put("seconds", outcome.seconds());
      m.put("warmupSeconds", outcome.warmupSeconds());
      m.put("inferenceSeconds", outcome.inferenceSeconds());
      m.put("samplesPerSecond", outcome.samplesPerSecond());
      return m;
    }
  }

  /**
   * Default inference workers: one per core (at most 8). On 2 cores, 2 concurrent calls on one
   * loaded model measured faster than 1 (bench/predict.sh; docs/performance.md).
   */
  public static int defaultWorkers() {
    return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  public static Summary run(Options o) throws IOException {
    return run(o, () -> false);
  }

  /** A run abandoned because a stop was asked for (SIGTERM): no output was written. */
  public static final class Stopped extends IOException {
    Stopped(String message) {
      super(message);
    }
  }

  /**
   * As {@link #run(Options)}; when {@code stop} says so (checked after every batch written), the
   * run ends at once with {@link Stopped}: its temporary output is removed, no output, rejects file
   * or report is written, and whatever was at the output path is left as it was.
   */
  public static Summary run(Options o, java.util.function.BooleanSupplier stop) throws IOException {
    checkNotAnInput(o);
    if (o.batchSize() <= 0) {
      throw new IllegalArgumentException("--batch-size must be positive");
    }
    if (o.inputs().isEmpty()) {
      throw new IllegalArgumentException("no --input files");
    }
    if (o.labels() != null && o.labelColumn() != null) {
      throw new IllegalArgumentException("give --labels FILE or --label-column NAME, not both");
    }
    String outFormat = Formats.outputFormat(o.output(), o.outputFormat());
    List<String> formats = new ArrayList<>();
    for (Path p : o.inputs()) {
      formats.add(Formats.inputFormat(p, o.format()));
    }
    int workers = o.workers() > 0 ? o.workers() : defaultWorkers();
    try (PredictModel model = PredictModel.load(o.model(), o.tag(), o.signature(), o.batchSize())) {
      Path dir = model.dir();
      List<String> keys = o.outputKeys() == null || o.outputKeys().isEmpty()
          ? model.outputs().stream().map(PredictModel.Output::key).toList() : o.outputKeys();
      boolean withLabels = o.labels() != null || o.labelColumn() != null;
      Pipeline pipeline = new Pipeline(model, new Pipeline.Settings(o.batchSize(), workers, o.scale(), keys,
          "predict " + dir.toAbsolutePath().getParent().getFileName()), withLabels);
      for (String key : o.inputColumns().keySet()) {
        if (model.inputs().stream().noneMatch(b -> b.key().equals(key))) {
          throw new IllegalArgumentException("--input-column " + key + "=" + o.inputColumns().get(key)
              + ": the signature has no input '" + key + "' (its inputs: "
              + model.inputs().stream().map(InputBinding::key).toList() + ")");
        }
      }
      // with no --scale, the workers feed values as the file holds them: npy/npz bodies whose
      // dtype is the input's go straight from the file into the tensors' memory
      ReadOptions ro = new ReadOptions(model.inputs(), o.labelColumn(), o.skipBadRows(), o.inputColumns())
          .withTensorMemory(o.scale() == 1);
      List<Pipeline.Source> sources = new ArrayList<>();
      for (int i = 0; i < o.inputs().size(); i++) {
        Path p = o.inputs().get(i);
        String f = formats.get(i);
        // open each file once up front: a bad header or a missing key fails before any inference
        long known;
        try (RowReader r = Formats.open(p, f, ro)) {
          known = r.knownRecords();
        }
        long bytes = Files.size(p);
        sources.add(new Pipeline.Source() {
          public String name() {
            return p.toString();
          }

          public RowReader open() throws IOException {
            return Formats.open(p, f, ro);
          }

          public long knownRecords() {
            return known;
          }

          public long bytes() {
            return bytes;
          }
        });
      }
      Path out = o.output().toAbsolutePath();
      Files.createDirectories(out.getParent());
      Path tmp = temp(out);
      Path rejectsOut = o.skipBadRows() ? o.rejectsPath().toAbsolutePath() : null;
      Path rejectsTmp = rejectsOut == null ? null : temp(rejectsOut);
      Thread cleanup = new Thread(() -> {
        AtomicFiles.deleteRecursively(tmp);
        if (rejectsTmp != null) {
          AtomicFiles.deleteRecursively(rejectsTmp);
        }
      });
      Runtime.getRuntime().addShutdownHook(cleanup);
      boolean ok = false;
      try {
        Pipeline.Outcome outcome;
        try (OutputWriter w = stoppable(Formats.writer(tmp, outFormat, keys), stop);
             RejectSink rejects = rejectsTmp == null ? null : new RejectSink(rejectsTmp);
             LabelSource labels = o.labels() == null ? null : new LabelSource(o.labels(), o.labelsFormat())) {
          outcome = pipeline.run(sources, w, labels, rejects, o.numClasses());
          if (outcome.rows() == 0) {
            throw new InputException(null, null, null, "no rows to predict"
                + (outcome.rejected() > 0 ? " (all " + outcome.rejected() + " were rejected)" : ""));
          }
          w.finish();
          if (rejects != null) {
            rejects.finish();
          }
        }
        AtomicFiles.move(tmp, out);
        if (rejectsTmp != null) {
          AtomicFiles.move(rejectsTmp, rejectsOut);
        }
        ok = true;
        Summary s = new Summary(dir, o, outcome, workers);
        if (o.report() != null) {
          Json.write(o.report(), s.toJson());
        }
        return s;
      } finally {
        if (!ok) {
          AtomicFiles.deleteRecursively(tmp);
          if (rejectsTmp != null) {
            AtomicFiles.deleteRecursively(rejectsTmp);
          }
        }
        try {
          Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
          // shutting down: the hook runs
        }
      }
    }
  }

  /** A writer that ends the run when {@code stop} says so, after each batch (test pause point: predict-batch:N). */
  private static OutputWriter stoppable(OutputWriter w, java.util.function.BooleanSupplier stop) {
    return new OutputWriter() {
      int batches;

      @Override
      public void write(Map<String, Column> outputs, int rows) throws IOException {
        if (stop.getAsBoolean()) {
          throw new Stopped("stopped by a signal: no output written");
        }
        w.write(outputs, rows);
        batches++;
        org.rnnport.util.TestHooks.pause("predict-batch:" + batches, stop);
        if (stop.getAsBoolean()) {
          throw new Stopped("stopped by a signal: no output written");
        }
      }

      @Override
      public void finish() throws IOException {
        if (stop.getAsBoolean()) {
          throw new Stopped("stopped by a signal: no output written");
        }
        w.finish();
      }

      @Override
      public void close() throws IOException {
        w.close();
      }
    };
  }

  /**
   * Refuses a run whose output (or rejects file, or report) is one of its inputs (or its labels):
   * the same path, or the same file through a symbolic or hard link (same inode). A command never
   * writes over its own input.
   */
  static void checkNotAnInput(Options o) throws IOException {
    List<Path> reads = new ArrayList<>(o.inputs());
    if (o.labels() != null) {
      reads.add(o.labels());
    }
    List<Path> writes = new ArrayList<>();
    writes.add(o.output());
    if (o.skipBadRows()) {
      writes.add(o.rejectsPath());
    }
    if (o.report() != null) {
      writes.add(o.report());
    }
    for (Path w : writes) {
      for (Path r : reads) {
        if (sameFile(w, r)) {
          String what = w.equals(o.output()) ? "--output" : w.equals(o.report()) ? "--report" : "the rejects file";
          throw new IllegalArgumentException(what + " " + w + " is " + (r.equals(o.labels()) ? "--labels " : "the input ")
              + r + (w.toAbsolutePath().normalize().equals(r.toAbsolutePath().normalize()) ? "" : " (the same file)")
              + ": predict never writes over its input; choose another output path");
        }
      }
    }
  }

  private static boolean sameFile(Path w, Path r) throws IOException {
    if (w.toAbsolutePath().normalize().equals(r.toAbsolutePath().normalize())) {
      return true;
    }
    if (Files.exists(w) && Files.exists(r)) {
      return Files.isSameFile(w, r); // symbolic links and hard links: the same inode
    }
    // not there yet: the same path once the folders' links are followed
    Path parent = w.toAbsolutePath().getParent();
    if (parent != null && Files.isDirectory(parent) && Files.exists(r)) {
      return parent.toRealPath().resolve(w.getFileName()).equals(r.toRealPath());
    }
    return false;
  }

  static Path temp(Path target) throws IOException {
    // a killed run's temporary file (its process gone) is removed, and said so
    for (Path stale : AtomicFiles.removeStale(target.getParent(), java.util.regex.Pattern.compile("^\\."
        + java.util.regex.Pattern.quote(target.getFileName().toString()) + "\\.(\\d+)\\.part$"))) {
      System.err.println("removed " + stale + ": the temporary output of a run that did not finish (its process is gone)");
    }
    Path t = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".part");
    Files.deleteIfExists(t);
    return t;
  }
}
