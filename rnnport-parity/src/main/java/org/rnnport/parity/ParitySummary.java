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
 * {@code rnnport parity --all}: every notebook model and the layer variants the README lists, one parity
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

  /** Runs {@code options.apply(model)} for every model, and writes the summary into {@code out}. */
  public static List<Row> runAll(List<NotebookModel> models, Function<NotebookModel, ParityRunner.Options> options,
      Path out, PrintStream log) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (NotebookModel m : models) {
      log.println("=== parity " + m.name());
      ParityReport r = ParityRunner.run(options.apply(m), log);
      rows.add(row(r));
      write(rows, out); // after every model: a long run shows its progress
    }
    return rows;
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
