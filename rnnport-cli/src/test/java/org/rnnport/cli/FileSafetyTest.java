package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rnnport.cli.CliTest.rnnport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;

/**
 * {@code rnnport predict} keeps the user's files: an output that is one of its inputs (by path, through
 * a symbolic or hard link) is refused with the input intact; SIGTERM mid-run leaves the output path
 * as it was and no temporary file; a killed run's temporary file is removed by the next.
 */
class FileSafetyTest {
  @TempDir
  Path tmp;

  static Path model() {
    return TestData.projectDir().resolve("savedmodels/mnist-rnn/1");
  }

  /** A JSON Lines input of {@code n} all-zero 28 x 28 images. */
  Path jsonl(String name, int n) throws Exception {
    String row = "[" + String.join(",", java.util.Collections.nCopies(28, "[" + String.join(",",
        java.util.Collections.nCopies(28, "0")) + "]")) + "]\n";
    Path p = tmp.resolve(name);
    Files.writeString(p, row.repeat(n));
    return p;
  }

  @Test
  void predictRefusesAnOutputThatIsItsInputByPathOrByInode() throws Exception {
    Path x = jsonl("x.jsonl", 3);
    byte[] original = Files.readAllBytes(x);
    Files.createDirectories(tmp.resolve("sub"));
    Path symlink = Files.createSymbolicLink(tmp.resolve("link.jsonl"), x);
    Path hardlink = Files.createLink(tmp.resolve("hard.jsonl"), x);
    Path linkedDir = Files.createSymbolicLink(tmp.resolve("dirlink"), tmp);
    for (Path out : List.of(x, tmp.resolve("sub/../x.jsonl"), symlink, hardlink, linkedDir.resolve("x.jsonl"))) {
      CliTest.Run r = rnnport("predict", "--model", model().toString(), "--input", x.toString(), "--output", out.toString());
      // before: the predictions replaced the input and predict exited 0
      assertThat(r.exit()).as(out + ": " + r.out()).isEqualTo(1);
      assertThat(r.err()).contains("predict never writes over its input");
      assertThat(Files.readAllBytes(x)).as("the input, intact").isEqualTo(original);
    }
    CliTest.Run rep = rnnport("predict", "--model", model().toString(), "--input", x.toString(), "--output",
        tmp.resolve("ok.jsonl").toString(), "--report", hardlink.toString());
    assertThat(rep.exit()).isEqualTo(1);
    assertThat(rep.err()).contains("--report").contains("predict never writes over its input");
    assertThat(Files.readAllBytes(x)).isEqualTo(original);
    assertThat(tmp.resolve("ok.jsonl")).doesNotExist();
    // a different file is fine
    CliTest.Run ok = rnnport("predict", "--model", model().toString(), "--input", x.toString(), "--input",
        symlink.toString(), "--output", tmp.resolve("ok.jsonl").toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(Files.readAllLines(tmp.resolve("ok.jsonl"))).hasSize(6);
  }

  @Test
  void sigtermToPredictLeavesNoPartialOutput() throws Exception {
    Path data = TestData.ensure("mnist");
    Path out = tmp.resolve("pred.jsonl");
    Files.writeString(out, "yesterday's predictions\n");
    List<String> args = List.of("predict", "--model", model().toString(), "--input",
        data.resolve("mnist/t10k-images-idx3-ubyte.gz").toString(), "--scale", "1/255", "--batch-size", "100",
        "--workers", "1", "--output", out.toString());
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-Drnnport.noProgress=true",
        "-Drnnport.test.pause=predict-batch:3", "-cp", System.getProperty("java.class.path"), "org.rnnport.cli.Main"));
    cmd.addAll(args);
    Path log = tmp.resolve("predict.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.readString(log).contains("rnnport-test-paused")) {
      assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("reached the pause point").isLessThan(end);
      Thread.sleep(100);
    }
    try (var s = Files.list(tmp)) {
      assertThat(s.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".part")).toList())
          .as("three batches written to the temporary file").hasSize(1);
    }
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isEqualTo(143);
    assertThat(Files.readString(log)).contains("SIGTERM received", "stopped: " + out + " not written");
    assertThat(Files.readString(out)).as("the output path as it was").isEqualTo("yesterday's predictions\n");
    try (var s = Files.list(tmp)) {
      assertThat(s.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".part")).toList())
          .as("no temporary file left").isEmpty();
    }
    CliTest.Run again = rnnport(args.toArray(String[]::new));
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(Files.readAllLines(out)).hasSize(10_000);
  }

  @Test
  void aKilledRunsTemporaryOutputIsRemovedByTheNext() throws Exception {
    Path x = jsonl("in.jsonl", 2);
    Path stale = tmp.resolve(".out.jsonl.999999999.part"); // a pid no process has (Linux pids stay under 2^22)
    Files.writeString(stale, "half a run");
    CliTest.Run r = rnnport("predict", "--model", model().toString(), "--input", x.toString(), "--output",
        tmp.resolve("out.jsonl").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(stale).doesNotExist();
    assertThat(r.err()).contains("removed " + stale.toAbsolutePath());
  }
}
