package org.rnnport.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rnnport.data.DataFetcher;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Json;
import org.rnnport.util.TestHooks;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A run's training checkpoints in {@code RUN_DIR/checkpoints/}, in TensorFlow's own format and
 * layout: {@code model.ckpt-<step>.index} / {@code .data-00000-of-00001} (SaveV2, every variable by
 * its TF1 name: the model's, the Adam slots and β powers, plus {@code global_step}), and the
 * {@code checkpoint} state file ({@code model_checkpoint_path}, {@code all_model_checkpoint_paths}),
 * so {@code tf.train.latest_checkpoint(dir)} finds the newest and {@code tf.compat.v1.train.Saver}
 * restores it by name. Beside each, {@code <prefix>.rnnport.json} holds the {@link TrainingState}.
 *
 * <p>Atomic: SaveV2 writes under a hidden temp prefix, the files are renamed into place, then the
 * sidecar (with the sha256 of both files) is written, and the state file is replaced last (temp +
 * rename). A crash at any moment leaves the previous checkpoint listed and intact. On resume a
 * checkpoint whose sidecar is missing or whose files do not match their sha256 is skipped with a
 * warning naming it. The newest {@code keep} are kept, plus the one early stopping marks as best.
 */
public final class RunCheckpoints {
  public static final String STATE_FILE = "checkpoint";
  static final String DATA = ".data-00000-of-00001";
  static final String INDEX = ".index";
  static final String SIDECAR = ".rnnport.json";
  private static final Pattern ENTRY = Pattern.compile("^all_model_checkpoint_paths:\\s*\"(.*)\"\\s*$");
  private static final Pattern NAME = Pattern.compile("^model\\.ckpt-(\\d+)$");

  private final Path dir;
  private final int keep;
  private final List<Tf1Variable> vars;
  private final Placeholder<TString> prefix;
  private final Placeholder<TInt64> globalStep;
  private final Op save;
  private final Op restore;
  private final Op restoreModel;
  private final List<String> listed = new ArrayList<>();
  private String protectedName;
  private double secondsSaving;
  private int saved;

  /**
   * Adds save/restore ops for {@code all} variables (and restore ops for {@code model}) to the graph.
   *
   * @param keep how many checkpoints to keep (at least 1)
   */
  public RunCheckpoints(Ops tf, Path dir, int keep, List<Tf1Variable> all, List<Tf1Variable> model) {
    if (keep < 1) {
      throw new IllegalArgumentException("--keep-checkpoints must be at least 1, got " + keep);
    }
    this.dir = dir;
    this.keep = keep;
    this.vars = List.copyOf(all);
    Ops s = tf.withSubScope("rnnport_ckpt");
    prefix = s.withName("prefix").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    globalStep = s.withName("global_step").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    String[] names = Stream.concat(all.stream().map(Tf1Variable::name), Stream.of("global_step")).toArray(String[]::new);
    List<Operand<?>> values = new ArrayList<>();
    all.forEach(v -> values.add(v.read()));
    values.add(globalStep);
    save = s.train.save(prefix, s.withName("tensor_names").constant(NdArrays.vectorOfObjects(names)),
        s.withName("shape_and_slices").constant(NdArrays.vectorOfObjects(blanks(names.length))), values);
    restore = restoreOp(s.withSubScope("all"), all);
    restoreModel = restoreOp(s.withSubScope("model"), model);
  }

  private Op restoreOp(Ops s, List<Tf1Variable> vs) {
    String[] names = vs.stream().map(Tf1Variable::name).toArray(String[]::new);
    List<Class<? extends TType>> types = new ArrayList<>();
    vs.forEach(v -> types.add(TFloat32.class));
    Restore r = s.train.restore(prefix, s.withName("tensor_names").constant(NdArrays.vectorOfObjects(names)),
        s.withName("shape_and_slices").constant(NdArrays.vectorOfObjects(blanks(names.length))), types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < vs.size(); i++) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> value = (Operand<TFloat32>) r.tensors().get(i);
      assigns.add(s.assign(vs.get(i).ref(), value));
    }
    return s.withControlDependencies(assigns).withName("restore_all").noOp();
  }

  private static String[] blanks(int n) {
    String[] a = new String[n];
    Arrays.fill(a, "");
    return a;
  }

  /** Seconds spent writing checkpoints in this process. */
  public double secondsSaving() {
    return secondsSaving;
  }

  /** Checkpoints written by this process. */
  public int saved() {
    return saved;
  }

  public Path dir() {
    return dir;
  }

  /** Keeps this checkpoint (by name) beyond the newest {@code keep}: early stopping's best. */
  public void protect(String name) {
    protectedName = name;
  }

  /** Writes a checkpoint of every variable at {@code step} with its state; returns its name. */
  public String save(Session session, long step, TrainingState state) throws IOException {
    long t0 = System.nanoTime();
    Files.createDirectories(dir);
    String name = "model.ckpt-" + step;
    String tmpName = ".tmp-" + name;
    Path tmp = dir.resolve(tmpName);
    for (String suffix : List.of(DATA, INDEX)) {
      Files.deleteIfExists(dir.resolve(tmpName + suffix));
    }
    try (TString p = TString.scalarOf(tmp.toString()); TInt64 g = TInt64.scalarOf(step)) {
      session.runner().feed(prefix, p).feed(globalStep, g).addTarget(save).run().close();
    }
    state.files.clear();
    for (String suffix : List.of(DATA, INDEX)) {
      state.files.put(name + suffix, DataFetcher.sha256(dir.resolve(tmpName + suffix)));
    }
    AtomicFiles.move(dir.resolve(tmpName + DATA), dir.resolve(name + DATA));
    TestHooks.pause("checkpoint-write:" + step);
    AtomicFiles.move(dir.resolve(tmpName + INDEX), dir.resolve(name + INDEX));
    Json.write(dir.resolve(name + SIDECAR), state);
    listed.remove(name);
    listed.add(name);
    List<String> dropped = new ArrayList<>();
    List<String> rotating = new ArrayList<>(listed);
    rotating.remove(protectedName);
    while (rotating.size() > keep) {
      String oldest = rotating.remove(0);
      listed.remove(oldest);
      dropped.add(oldest);
    }
    writeStateFile();
    for (String d : dropped) {
      for (String suffix : List.of(DATA, INDEX, SIDECAR)) {
        Files.deleteIfExists(dir.resolve(d + suffix));
      }
    }
    secondsSaving += (System.nanoTime() - t0) / 1e9;
    saved++;
    return name;
  }

  private void writeStateFile() throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("model_checkpoint_path: \"").append(listed.get(listed.size() - 1)).append("\"\n");
    for (String n : listed) {
      sb.append("all_model_checkpoint_paths: \"").append(n).append("\"\n");
    }
    AtomicFiles.writeBytes(dir.resolve(STATE_FILE), sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** A checkpoint found on disk, with its state. */
  public record Found(String name, Path prefix, TrainingState state) {}

  /**
   * The newest intact checkpoint: from the state file's list and the sidecars on disk, newest
   * first; one whose sidecar is missing or unreadable or whose files do not match their sha256 is
   * skipped with a warning naming it. Null if there is none.
   */
  public Found latestValid(PrintStream warn) throws IOException {
    Set<String> names = new LinkedHashSet<>(readStateFile());
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(SIDECAR) && !f.startsWith("."))
            .map(f -> f.substring(0, f.length() - SIDECAR.length())).forEach(names::add);
      }
    }
    List<String> sorted = new ArrayList<>(names.stream().filter(n -> NAME.matcher(n).matches()).toList());
    sorted.sort(Comparator.comparingLong(RunCheckpoints::stepOf).reversed());
    for (String n : sorted) {
      String problem = problem(n);
      if (problem == null) {
        TrainingState st = Json.MAPPER.readValue(dir.resolve(n + SIDECAR).toFile(), TrainingState.class);
        // continue the list from here: checkpoints after it belong to the abandoned part of the run
        listed.clear();
        for (String m : sorted) {
          if (stepOf(m) <= stepOf(n) && problem(m) == null) {
            listed.add(0, m);
          }
        }
        return new Found(n, dir.resolve(n), st);
      }
      warn.println("warning: checkpoint " + dir.resolve(n) + " is unusable (" + problem + "); skipping it, "
          + "resuming from the one before");
    }
    return null;
  }

  /** Why a checkpoint cannot be used, or null. */
  private String problem(String name) {
    Path side = dir.resolve(name + SIDECAR);
    if (!Files.isRegularFile(side)) {
      return "no " + side.getFileName() + ": the write did not finish";
    }
    TrainingState st;
    try {
      st = Json.MAPPER.readValue(side.toFile(), TrainingState.class);
    } catch (IOException e) {
      return side.getFileName() + " is not valid: " + e.getMessage();
    }
    if (st.format != TrainingState.FORMAT) {
      return side.getFileName() + " has state format " + st.format + ", this rnnport reads " + TrainingState.FORMAT;
    }
    for (String suffix : List.of(DATA, INDEX)) {
      Path f = dir.resolve(name + suffix);
      String expected = st.files.get(name + suffix);
      if (!Files.isRegularFile(f)) {
        return f.getFileName() + " is missing";
      }
      try {
        if (expected == null || !expected.equals(DataFetcher.sha256(f))) {
          return f.getFileName() + " does not match its sha256 (truncated or changed)";
        }
      } catch (IOException e) {
        return f.getFileName() + " cannot be read: " + e.getMessage();
      }
    }
    return null;
  }

  private List<String> readStateFile() {
    List<String> out = new ArrayList<>();
    Path f = dir.resolve(STATE_FILE);
    if (!Files.isRegularFile(f)) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        Matcher m = ENTRY.matcher(line.trim());
        if (m.matches()) {
          out.add(Path.of(m.group(1)).getFileName().toString());
        }
      }
    } catch (IOException e) {
      // an unreadable state file: the sidecars on disk still list the checkpoints
    }
    return out;
  }

  private static long stepOf(String name) {
    Matcher m = NAME.matcher(name);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /**
   * Removes the checkpoints of an earlier run in this folder (a fresh run must not later resume
   * from them); returns how many files were removed.
   */
  public int clear() throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int n = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.equals(STATE_FILE) || name.startsWith("model.ckpt-") || name.startsWith(".tmp-model.ckpt-")) {
          Files.delete(f);
          n++;
        }
      }
    }
    listed.clear();
    return n;
  }

  /** Restores every variable (model, optimizer slots, β powers) from a checkpoint. */
  public void restore(Session session, Path checkpointPrefix) {
    try (TString p = TString.scalarOf(checkpointPrefix.toString())) {
      session.runner().feed(prefix, p).addTarget(restore).run().close();
    }
  }

  /** Restores only the model's variables (early stopping's best weights). */
  public void restoreModel(Session session, Path checkpointPrefix) {
    try (TString p = TString.scalarOf(checkpointPrefix.toString())) {
      session.runner().feed(prefix, p).addTarget(restoreModel).run().close();
    }
  }

  public List<Tf1Variable> variables() {
    return vars;
  }
}
