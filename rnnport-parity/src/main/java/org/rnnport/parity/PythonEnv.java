package org.rnnport.parity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.rnnport.util.AtomicFiles;

/**
 * The Python side of the parity harness: a venv built once from {@code parity/requirements.txt}
 * and cached outside {@code target/} ({@code ~/.cache/rnnport/venv-<hash of requirements>}, or
 * {@code $RNNPORT_CACHE}), or the interpreter in {@code $RNNPORT_PYTHON} used as it is.
 * Requirement lines marked {@code # rnnport:no-deps} are installed with {@code pip --no-deps}.
 */
public final class PythonEnv {
  public static final String ENV_PYTHON = "RNNPORT_PYTHON";
  public static final String ENV_CACHE = "RNNPORT_CACHE";
  private static final String READY = ".rnnport-ready";

  private final Path python;

  private PythonEnv(Path python) {
    this.python = python;
  }

  public Path python() {
    return python;
  }

  /** The ready environment for {@code requirements}, installing it first if needed. */
  public static synchronized PythonEnv ensure(Path requirements, PrintStream log) throws IOException {
    String override = System.getenv(ENV_PYTHON);
    if (override != null && !override.isBlank()) {
      return new PythonEnv(Path.of(override));
    }
    if (!Files.isRegularFile(requirements)) {
      throw new IOException(requirements + ": missing (the parity harness needs parity/requirements.txt)");
    }
    byte[] req = Files.readAllBytes(requirements);
    String hash = HexFormat.of().formatHex(sha256(req)).substring(0, 12);
    Path venv = cacheRoot().resolve("venv-" + hash);
    Path py = venv.resolve("bin/python");
    if (Files.isRegularFile(venv.resolve(READY)) && Files.isExecutable(py)) {
      return new PythonEnv(py);
    }
    log.println("setting up the Python parity environment in " + venv + " (once; TensorFlow is ~250 MB)");
    AtomicFiles.deleteRecursively(venv);
    Files.createDirectories(venv.getParent());
    String base = findPython3();
    run(List.of(base, "-m", "venv", venv.toString()), null, Map.of(), log,
        "could not create a venv with " + base + " (on Debian: apt-get install python3-venv)");
    List<String> normal = new ArrayList<>();
    List<String> noDeps = new ArrayList<>();
    for (String line : new String(req, StandardCharsets.UTF_8).split("\n")) {
      String spec = line.replaceAll("#.*", "").trim();
      if (spec.isEmpty()) {
        continue;
      }
      (line.contains("rnnport:no-deps") ? noDeps : normal).add(spec);
    }
    List<String> pip = new ArrayList<>(List.of(py.toString(), "-m", "pip", "install", "--disable-pip-version-check",
        "--progress-bar", "off"));
    List<String> cmd = new ArrayList<>(pip);
    cmd.addAll(normal);
    run(cmd, null, Map.of(), log, "pip could not install " + normal
        + " (the parity tests need them; opt out with -DskipParity)");
    if (!noDeps.isEmpty()) {
      cmd = new ArrayList<>(pip);
      cmd.add("--no-deps");
      cmd.addAll(noDeps);
      run(cmd, null, Map.of(), log, "pip could not install " + noDeps);
    }
    Files.writeString(venv.resolve(READY), String.join("\n", normal) + "\n" + String.join("\n", noDeps) + "\n");
    return new PythonEnv(py);
  }

  static Path cacheRoot() {
    String c = System.getenv(ENV_CACHE);
    if (c != null && !c.isBlank()) {
      return Path.of(c);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("rnnport");
  }

  /** A python3 (3.9 to 3.12, what TensorFlow 2.18 supports) on the PATH. */
  static String findPython3() throws IOException {
    for (String candidate : List.of("python3.11", "python3.12", "python3.10", "python3.9", "python3")) {
      try {
        Process p = new ProcessBuilder(candidate, "-c",
            "import sys; print('%d.%d' % sys.version_info[:2])").redirectErrorStream(true).start();
        String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() == 0 && v.matches("3\\.(9|10|11|12)")) {
          return candidate;
        }
      } catch (IOException e) {
        // not on the PATH: try the next one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("no Python 3.9-3.12 found on the PATH (TensorFlow 2.18 needs one); install python3 "
        + "with venv and pip, set " + ENV_PYTHON + " to an interpreter that has parity/requirements.txt installed, "
        + "or skip the parity tests with -DskipParity");
  }

  /** Runs a Python module of the oracle in {@code workDir} (the parity folder). */
  public void runModule(Path workDir, String module, List<String> args, PrintStream log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(python.toString(), "-m", module));
    cmd.addAll(args);
    run(cmd, workDir, Map.of("TF_USE_LEGACY_KERAS", "1", "TF_CPP_MIN_LOG_LEVEL", "2", "PYTHONDONTWRITEBYTECODE", "1"),
        log, "the Python oracle failed: " + module);
  }

  /** Runs a command, streaming its output to {@code log}; the error keeps the last lines. */
  static void run(List<String> cmd, Path dir, Map<String, String> env, PrintStream log, String what)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException(what + ": cannot start " + cmd.get(0) + ": " + e.getMessage(), e);
    }
    Deque<String> tail = new ArrayDeque<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!noise(line)) {
          log.println("  | " + line);
        }
        tail.addLast(line);
        if (tail.size() > 25) {
          tail.removeFirst();
        }
      }
    }
    try {
      int code = p.waitFor();
      if (code != 0) {
        throw new IOException(what + " (exit " + code + ", command: " + String.join(" ", cmd) + "); last output:\n  "
            + String.join("\n  ", tail));
      }
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** TensorFlow's deprecation chatter, not worth a line in the log. */
  private static boolean noise(String line) {
    return line.contains("deprecat") || line.startsWith("Instructions for updating") || line.isBlank()
        || line.contains("non-resource variables are not supported") || line.contains("keras.layers.RNN(cell)")
        || line.contains("Call initializer instance with the dtype") || line.contains("designed for TensorFlow v1")
        || line.contains("mlir_graph_optimization_pass") || line.trim().startsWith("cell = ");
  }

  private static byte[] sha256(byte[] b) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
