package org.rnnport.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real {@code rnnport train} in a child JVM (the test's classpath), optionally paused at a test hook. */
final class TrainProcess {
  final Process process;
  final Path log;

  private TrainProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code rnnport <args>}; with {@code pauseAt} the child stops dead there (see TestHooks). */
  static TrainProcess start(Path log, String pauseAt, List<String> args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-Drnnport.noProgress=true"));
    if (pauseAt != null) {
      cmd.add("-Drnnport.test.pause=" + pauseAt);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.rnnport.cli.Main"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return new TrainProcess(pb.start(), log);
  }

  /** Runs to the end; returns the exit code. */
  static int run(Path log, List<String> args) throws IOException, InterruptedException {
    TrainProcess p = start(log, null, args);
    if (!p.process.waitFor(10, TimeUnit.MINUTES)) {
      p.process.destroyForcibly();
      throw new AssertionError("rnnport " + args + " did not finish; log: " + p.output());
    }
    return p.process.exitValue();
  }

  /** Waits until the child reports the pause point, then SIGKILLs it. */
  void killWhenPaused() throws IOException, InterruptedException {
    while (!output().contains("rnnport-test-paused")) {
      if (!process.isAlive()) {
        throw new AssertionError("the child ended before its pause point: " + output());
      }
      Thread.sleep(200);
    }
    process.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no cleanup
    process.waitFor();
  }

  /** Waits until the child reports the pause point, then sends it SIGTERM; returns its exit code (bounded wait). */
  int terminateWhenPaused(int boundSeconds) throws IOException, InterruptedException {
    waitPaused();
    process.destroy(); // SIGTERM on Linux
    if (!process.waitFor(boundSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not exit within " + boundSeconds + " s of SIGTERM: " + output());
    }
    return process.exitValue();
  }

  private void waitPaused() throws IOException, InterruptedException {
    while (!output().contains("rnnport-test-paused")) {
      if (!process.isAlive()) {
        throw new AssertionError("the child ended before its pause point: " + output());
      }
      Thread.sleep(200);
    }
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
