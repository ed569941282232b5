package org.rnnport.parity;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.rnnport.models.ModelRegistry;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.RnnSpec;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Json;

/**
 * {@code rnnport parity --all}: every notebook model and the layer variants docs/parity.md lists, one parity
 * run each, and one summary table ({@code summary.md}, {@code summary.json}).
 */
public final class ParitySummary {
  private ParitySummary() {}

  /** The five notebook models, then the GRU, stacked and bidirectional variants. */
  public static List<NotebookModel> models() {
    List<NotebookModel> m = new ArrayList<>();
    for (String name : List.of("mnist-rnn", "mnist-lstm", "mnist-lstm-state", "mnist-lstm-state-fixed", "reuters-lstm")) {
      m.add(ModelRegistry.get(name));
    }
    m.add(ModelRegistry.get("mnist-rnn").withRnn(new RnnSpec("gru", 128, 1, false)));
    m.add(ModelRegistry.get("mnist-lstm").withRnn(new RnnSpec("lstm", 128, 2, false)));
    m.add(ModelRegistry.get("mnist-rnn").withRnn(new RnnSpec("rnn", 128, 1, true)));
    m.add(ModelRegistry.get("mnist-lstm").withRnn(new RnnSpec("lstm", 128, 1, true)));
    m.add(ModelRegistry.get("mnist-lstm-state").withRnn(new RnnSpec("gru", 100, 2, true)));
    return m;
  }

  /** One summary row. */
  public record Row(String model, int steps, int bitIdenticalSteps, int firstDivergingStep, String finalVariables,
      String testLogits, String fastGraph, boolean passed, List<String> failures) {}

  /** Runs {@code options.apply(model)} for every model, one after the other; see {@link #runAll(List, Function, Path, PrintStream, int)}. */
  public static List<Row> runAll(List<NotebookModel> models, Function<NotebookModel, ParityRunner.Options> options,
      Path out, PrintStream log) throws IOException {
    return runAll(models, options, out, log, 1);
  }

  /**
   * Runs {@code options.apply(model)} for every model, {@code jobs} at a time, and writes the summary into {@code out}
   * after each one finishes (a long run shows its progress). A run alternates between a single-threaded phase
   * (Python importing TensorFlow, Java building the unrolled graph) and TF kernels, so two at a time keep two cores
   * busier than one does. Each run has its own folder, oracle process and Sessions, and TF's kernels split their
   * work by thread count, not by load: the figures are the same bits at any {@code jobs}. Each model's log is held
   * back and printed whole when it finishes, so logs do not interleave; the rows stay in {@code models}' order.
   */
  public static List<Row> runAll(List<NotebookModel> models, Function<NotebookModel, ParityRunner.Options> options,
      Path out, PrintStream log, int jobs) throws IOException {
    if (jobs < 1) {
      throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
    }
    Row[] rows = new Row[models.size()];
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(jobs, r -> {
      Thread t = new Thread(r, "parity");
      t.setDaemon(true);
      return t;
    });
    java.util.concurrent.CompletionService<Integer> done = new java.util.concurrent.ExecutorCompletionService<>(pool);
    List<java.util.concurrent.Future<Integer>> futures = new ArrayList<>();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < models.size(); i++) {
        int k = i;
        NotebookModel m = models.get(k);
        futures.add(done.submit(() -> {
          Thread.currentThread().setName("parity " + m.name());
          if (jobs == 1) {
            log.println("=== parity " + m.name());
            rows[k] = row(ParityRunner.run(options.apply(m), log));
            return k;
          }
          java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
          try (PrintStream own = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            rows[k] = row(ParityRunner.run(options.apply(m), own));
            return k;
          } catch (IOException | RuntimeException e) {
            throw new IOException("parity " + m.name() + ": " + e.getMessage(), e);
          } finally {
            synchronized (log) {
              log.println("=== parity " + m.name());
              log.print(buf.toString(StandardCharsets.UTF_8));
              log.flush();
            }
          }
        }));
      }
      pool.shutdown();
      IOException failed = null;
      for (int n = 1; n <= models.size(); n++) {
        java.util.concurrent.Future<Integer> f = done.take();
        try {
          int k = f.get();
          synchronized (log) {
            log.printf("--- parity %s: %s (%d of %d, %.0f s)%n", models.get(k).name(),
                rows[k].passed() ? "passed" : "FAILED", n, models.size(), (System.nanoTime() - start) / 1e9);
          }
          write(java.util.Arrays.stream(rows).filter(java.util.Objects::nonNull).toList(), out);
        } catch (java.util.concurrent.CancellationException e) {
          // not started after an earlier failure
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable c = e.getCause();
          IOException io = new IOException(String.valueOf(c.getMessage()), c);
          if (failed == null) {
            failed = io;
            futures.forEach(q -> q.cancel(false)); // start no more; the runs in flight finish and close
          } else {
            failed.addSuppressed(io);
          }
        }
      }
      if (failed != null) {
        throw failed;
      }
      return List.of(rows);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  @SuppressWarnings("unchecked")
  static Row row(ParityReport r) {
    Map<String, Object> steps = (Map<String, Object>) r.details.getOrDefault("lossSteps", Map.of());
    return new Row(r.model, ((Number) steps.getOrDefault("total", r.javaLosses.size())).intValue(),
        ((Number) steps.getOrDefault("bitIdentical", 0)).intValue(),
        ((Number) steps.getOrDefault("firstDivergingStep", 0)).intValue(),
        measured(r, "final model variables"), measured(r, "test logits"), fast(r), r.passed(),
        r.failures().stream().map(ParityReport.Check::name).toList());
  }

  /** The fast graph's loss and variable figures, or "-" when it was not checked. */
  private static String fast(ParityReport r) {
    String loss = r.checks.stream().filter(c -> c.name().startsWith("fast graph: loss over ")
        && !c.name().contains("first")).map(ParityReport.Check::measured).findFirst().orElse("-");
    String vars = measured(r, "fast graph: final model variables");
    return loss.equals("-") ? "-" : "loss " + loss + "; variables " + vars.replace("worst relative L2 difference ", "");
  }

  private static String measured(ParityReport r, String prefix) {
    return r.checks.stream().filter(c -> c.name().startsWith(prefix)).map(ParityReport.Check::measured).findFirst()
        .orElse("-");
  }

  /** The table. */
  public static String markdown(List<Row> rows) {
    boolean fast = rows.stream().anyMatch(r -> !r.fastGraph().equals("-"));
    StringBuilder sb = new StringBuilder("| model | losses bit-identical | first diverging step | final variables | "
        + "test logits | " + (fast ? "fast graph (rel. to Python) | " : "") + "result |\n|---|---|---|---|---|---|"
        + (fast ? "---|" : "") + "\n");
    for (Row r : rows) {
      sb.append("| ").append(r.model()).append(" | ").append(r.bitIdenticalSteps()).append(" of ").append(r.steps())
          .append(" | ").append(r.firstDivergingStep() == 0 ? "none" : Integer.toString(r.firstDivergingStep()))
          .append(" | ").append(r.finalVariables()).append(" | ").append(r.testLogits()).append(" | ")
          .append(fast ? r.fastGraph() + " | " : "")
          .append(r.passed() ? "pass" : "**FAIL** " + r.failures()).append(" |\n");
    }
    return sb.toString();
  }

  static void write(List<Row> rows, Path out) throws IOException {
    java.nio.file.Files.createDirectories(out);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("rows", rows);
    json.put("passed", rows.stream().allMatch(Row::passed));
    Json.write(out.resolve("summary.json"), json);
    AtomicFiles.writeBytes(out.resolve("summary.md"), ("## Parity, every model\n\n" + markdown(rows))
        .getBytes(StandardCharsets.UTF_8));
  }
}
