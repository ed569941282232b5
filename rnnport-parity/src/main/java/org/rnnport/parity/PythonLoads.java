package org.rnnport.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rnnport.util.Json;

/**
 * SavedModels for Python to load ({@code rnnport_oracle.load_savedmodel}), collected over a parity run and loaded
 * by one Python process at its end: one TensorFlow import instead of one per SavedModel. Each one's checks run on
 * its JSON once the process is done.
 */
final class PythonLoads {
  /** What to do with one SavedModel's logits as Python's two loaders computed them. */
  interface Check {
    void accept(JsonNode loaded) throws IOException;
  }

  private record Load(Path model, Path out, Check check) {}

  private final List<Load> loads = new ArrayList<>();

  /** Queues {@code model}; {@code check} gets the JSON that Python writes to {@code out}. */
  void add(Path model, Path out, Check check) {
    loads.add(new Load(model, out, check));
  }

  /** Loads every queued SavedModel in one Python process, then runs their checks in order. */
  void run(PythonEnv env, Path parityDir, Path dataDir, int count, String dataset, PrintStream log)
      throws IOException {
    if (loads.isEmpty()) {
      return;
    }
    List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--count",
        Integer.toString(count), "--dataset", dataset));
    for (Load l : loads) {
      args.addAll(List.of("--model", l.model().toString(), "--out", l.out().toString()));
    }
    env.runModule(parityDir.toAbsolutePath(), "rnnport_oracle.load_savedmodel", args, log);
    for (Load l : loads) {
      l.check().accept(Json.MAPPER.readTree(l.out().toFile()));
    }
    loads.clear();
  }
}
