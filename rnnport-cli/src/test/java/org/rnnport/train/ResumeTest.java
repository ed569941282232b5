package org.rnnport.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.models.MnistRnn;
import org.rnnport.util.Json;

/**
 * Crash and resume with real {@code rnnport train} child JVMs killed with SIGKILL at three points
 * (mid-epoch, half-way through a checkpoint write, right after an epoch), then {@code --resume}: the
 * per-batch losses and the exported variables equal an uninterrupted run's bit for bit. Also the
 * Keras fit (reuters-lstm), a corrupt newest checkpoint, and resumes that must be refused. Two tests at a time
 * (each in its own folder; see junit-platform.properties): most of a child's time is JVM and TensorFlow start-up.
 */
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
class ResumeTest {
  @TempDir
  static Path tmp;
  static Path mnist;
  static History reference;

  private static List<String> mnistArgs(Path run) {
    return new ArrayList<>(List.of("train", "mnist-rnn", "--seed", "3", "--epochs", "3", "--steps-per-epoch", "10",
        "--checkpoint-every", "4", "--keep-checkpoints", "3", "--data-dir", mnist.toString(), "-o", run.toString(),
        "--export-dir", tmp.resolve("sm-" + run.getFileName()).toString(), "--export-version", "1"));
  }

  @BeforeAll
  static void uninterrupted() throws Exception {
    mnist = TestData.ensure("mnist");
    Path run = tmp.resolve("reference");
    assertThat(TrainProcess.run(tmp.resolve("reference.log"), mnistArgs(run))).isZero();
    reference = Json.MAPPER.readValue(run.resolve("history.json").toFile(), History.class);
    assertThat(reference.batchCost).hasSize(30);
  }

  private Path killAndResume(String name, String pauseAt) throws Exception {
    Path run = tmp.resolve(name);
    TrainProcess p = TrainProcess.start(tmp.resolve(name + ".log"), pauseAt, mnistArgs(run));
    p.killWhenPaused();
    assertThat(run.resolve("history.json")).as("killed: nothing written at exit").doesNotExist();
    Path log = tmp.resolve(name + "-resume.log");
    int rc = TrainProcess.run(log, List.of("train", "--resume", run.toString()));
    assertThat(rc).as(Files.readString(log)).isZero();
    History h = Json.MAPPER.readValue(run.resolve("history.json").toFile(), History.class);
    assertThat(h.batchCost).as("per-batch losses after resuming at " + pauseAt).isEqualTo(reference.batchCost);
    assertThat(h.epochCost).isEqualTo(reference.epochCost);
    assertThat(h.epochMetrics).isEqualTo(reference.epochMetrics);
    assertThat(h.resumes).hasSize(1);
    assertSameVariables(tmp.resolve("sm-reference"), tmp.resolve("sm-" + name));
    return log;
  }

  static void assertSameVariables(Path a, Path b) throws IOException {
    for (String f : List.of("variables.data-00000-of-00001", "variables.index")) {
      assertThat(Files.readAllBytes(b.resolve("mnist-rnn/1/variables/" + f)))
          .as("exported " + f).isEqualTo(Files.readAllBytes(a.resolve("mnist-rnn/1/variables/" + f)));
    }
  }

  @Test
  void killedMidEpoch() throws Exception {
    String log = Files.readString(killAndResume("mid-epoch", "step:14"));
    assertThat(log).contains("model.ckpt-12: step 12, epoch 2, step 2 of 10");
  }

  @Test
  void killedWhileWritingACheckpoint() throws Exception {
    // the data file of model.ckpt-16 is in place, its index and state are not: the one before is used
    String log = Files.readString(killAndResume("mid-write", "checkpoint-write:16"));
    assertThat(log).contains("model.ckpt-12: step 12");
  }

  @Test
  void killedRightAfterAnEpoch() throws Exception {
    String log = Files.readString(killAndResume("epoch-end", "epoch-end:2"));
    assertThat(log).contains("model.ckpt-20: step 20, epoch 2 (complete)");
  }

  @Test
  void sigtermStopsAtAStepWithACheckpointAndTheResumeIsBitForBit() throws Exception {
    Path run = tmp.resolve("sigterm");
    TrainProcess p = TrainProcess.start(tmp.resolve("sigterm.log"), "step:14", mnistArgs(run));
    int rc = p.terminateWhenPaused(30);
    String log = p.output();
    assertThat(rc).as(log).isEqualTo(143);
    assertThat(log).contains("SIGTERM received", "stopping: finishing the current step",
        "interrupted: history and a checkpoint written, nothing exported");
    assertThat(run.resolve("checkpoints/model.ckpt-14.index")).as("the last step's checkpoint").exists();
    History stopped = Json.MAPPER.readValue(run.resolve("history.json").toFile(), History.class);
    assertThat(stopped.interrupted).isTrue();
    assertThat(stopped.batchCost).hasSize(14).isEqualTo(reference.batchCost.subList(0, 14));
    assertThat(tmp.resolve("sm-sigterm/mnist-rnn")).as("nothing exported").satisfiesAnyOf(
        d -> assertThat(d).doesNotExist(), d -> assertThat(d).isEmptyDirectory());
    Path resumeLog = tmp.resolve("sigterm-resume.log");
    assertThat(TrainProcess.run(resumeLog, List.of("train", "--resume", run.toString()))).isZero();
    assertThat(Files.readString(resumeLog)).contains("model.ckpt-14: step 14, epoch 2, step 4 of 10");
    History h = Json.MAPPER.readValue(run.resolve("history.json").toFile(), History.class);
    assertThat(h.batchCost).isEqualTo(reference.batchCost);
    assertThat(h.epochMetrics).isEqualTo(reference.epochMetrics);
    assertSameVariables(tmp.resolve("sm-reference"), tmp.resolve("sm-sigterm"));
  }

  /** {@code cp -r from to}. */
  static void copyTree(Path from, Path to) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(from)) {
      for (Path f : files.sorted().toList()) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
  }

  /** Every file under {@code dir}: relative path to size, modification time and sha256. */
  static java.util.Map<String, String> snapshot(Path dir) throws IOException {
    java.util.Map<String, String> m = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted().toList()) {
        String rel = dir.relativize(f).toString();
        m.put(rel, Files.isDirectory(f) ? "dir" : Files.size(f) + " " + Files.getLastModifiedTime(f) + " "
            + org.rnnport.data.DataFetcher.sha256(f));
      }
    }
    return m;
  }

  /**
   * One run SIGKILLed mid-export (its last checkpoint written, its SavedModel in a temporary folder),
   * then: a copy of it resumed (the original untouched), the finished copy refused, the original
   * moved and resumed where it is now, which removes the killed export's temporary folder and says so.
   */
  @Test
  void copiedAndMovedRunsResumeWhereTheyAreAndAKilledExportIsCleanedUp() throws Exception {
    Path run = tmp.resolve("orig");
    TrainProcess.start(tmp.resolve("orig.log"), "export:1", mnistArgs(run)).killWhenPaused();
    Path models = tmp.resolve("sm-orig/mnist-rnn");
    List<Path> left;
    try (java.util.stream.Stream<Path> s = Files.list(models)) {
      left = s.toList();
    }
    assertThat(left).as("SIGKILL mid-export leaves its temporary folder").singleElement()
        .satisfies(d -> assertThat(d.getFileName().toString()).matches("\\.export-1-\\d+"));

    Path copy = tmp.resolve("copies/copy");
    copyTree(run, copy);
    java.util.Map<String, String> before = snapshot(run);
    Path log = tmp.resolve("copy-resume.log");
    assertThat(TrainProcess.run(log, List.of("train", "--resume", copy.toString(), "--export-dir",
        tmp.resolve("sm-copy").toString()))).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log)).contains("was recorded as " + run, "resuming in " + copy);
    // before: the copy resumed into the original's folder (its checkpoints, history, tensorboard)
    assertThat(snapshot(run)).as("the original run folder, untouched").isEqualTo(before);
    History h = Json.MAPPER.readValue(copy.resolve("history.json").toFile(), History.class);
    assertThat(h.batchCost).isEqualTo(reference.batchCost);
    assertThat(h.results).isEqualTo(reference.results);
    assertSameVariables(tmp.resolve("sm-reference"), tmp.resolve("sm-copy"));

    // a copy of the finished run: refused, no more versions (before: versions 2, 3, ... one per resume)
    Path finished = tmp.resolve("copies/finished");
    copyTree(copy, finished);
    Path again = tmp.resolve("finished-resume.log");
    assertThat(TrainProcess.run(again, List.of("train", "--resume", finished.toString()))).isNotZero();
    assertThat(Files.readString(again)).contains("is complete");
    try (java.util.stream.Stream<Path> versions = Files.list(tmp.resolve("sm-copy/mnist-rnn"))) {
      assertThat(versions.map(v -> v.getFileName().toString()).toList()).containsExactly("1");
    }

    // the original, moved: resumes where it is now (before: failed naming the old path, recreating it
    // empty), and its export removes the killed one's temporary folder, saying so
    Path moved = tmp.resolve("copies/moved");
    Files.move(run, moved);
    Path movedLog = tmp.resolve("moved-resume.log");
    assertThat(TrainProcess.run(movedLog, List.of("train", "--resume", moved.toString()))).as(Files.readString(movedLog))
        .isZero();
    assertThat(run).as("the old path is not recreated").doesNotExist();
    assertThat(Files.readString(movedLog)).contains("removed " + left.get(0) + ": the temporary folder of an export "
        + "that did not finish");
    assertThat(left.get(0)).doesNotExist();
    assertSameVariables(tmp.resolve("sm-reference"), tmp.resolve("sm-orig"));
  }

  @Test
  void aCorruptNewestCheckpointIsSkipped() throws Exception {
    Path run = tmp.resolve("corrupt");
    TrainProcess p = TrainProcess.start(tmp.resolve("corrupt.log"), "step:18", mnistArgs(run));
    p.killWhenPaused();
    Path newest = run.resolve("checkpoints/model.ckpt-16.data-00000-of-00001");
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    Path log = tmp.resolve("corrupt-resume.log");
    assertThat(TrainProcess.run(log, List.of("train", "--resume", run.toString()))).isZero();
    String out = Files.readString(log);
    assertThat(out).contains("warning: checkpoint " + run.resolve("checkpoints/model.ckpt-16") + " is unusable")
        .contains("does not match its sha256").contains("model.ckpt-12: step 12");
    History h = Json.MAPPER.readValue(run.resolve("history.json").toFile(), History.class);
    assertThat(h.batchCost).isEqualTo(reference.batchCost);
  }

  @Test
  void aResumeOfAnotherModelOrWithOtherHyperparametersIsRefused() throws Exception {
    Path run = tmp.resolve("reference");
    Path log = tmp.resolve("refused.log");
    assertThat(TrainProcess.run(log, List.of("train", "mnist-lstm", "--resume", run.toString()))).isNotZero();
    assertThat(Files.readString(log)).contains("cannot resume " + run + ": it is a run of mnist-rnn, not mnist-lstm");
    assertThat(TrainProcess.run(log, List.of("train", "--resume", run.toString(), "--batch-size", "64"))).isNotZero();
    assertThat(Files.readString(log)).contains("cannot resume " + run + " with other hyperparameters: --batch-size 64 "
        + "(the run has 128)");
    assertThat(TrainProcess.run(log, List.of("train", "--resume", run.toString()))).isNotZero();
    assertThat(Files.readString(log)).contains("the run in " + run + " is complete");
    // the library check, behind the command line: the checkpoint's own record
    TrainOptions o = TrainOptions.defaults(new MnistRnn(), 3, mnist, run, null).withEpochs(3, 10).withResume(true);
    try (StopSignal stop = StopSignal.manual()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainingRun.run(new MnistRnn(), o.withEpochs(3, 11), stop,
          new PrintStream(new ByteArrayOutputStream()))).hasMessageContaining("with other hyperparameters")
          .hasMessageContaining("stepsPerEpoch: the run has 10, now 11");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainingRun.run(new org.rnnport.models.MnistLstm(), o,
          stop, new PrintStream(new ByteArrayOutputStream()))).hasMessageContaining("is a run of mnist-rnn, not mnist-lstm");
    }
  }

  @Test
  void theKerasFitResumesBitForBit() throws Exception {
    Path data = TestData.ensure("reuters");
    List<String> args = List.of("train", "reuters-lstm", "--seed", "0", "--epochs", "1", "--checkpoint-every", "25",
        "--no-export", "--data-dir", data.toString());
    List<String> ref = new ArrayList<>(args);
    ref.addAll(List.of("-o", tmp.resolve("keras-ref").toString()));
    assertThat(TrainProcess.run(tmp.resolve("keras-ref.log"), ref)).isZero();
    List<String> killed = new ArrayList<>(args);
    killed.addAll(List.of("-o", tmp.resolve("keras").toString()));
    TrainProcess.start(tmp.resolve("keras.log"), "step:60", killed).killWhenPaused();
    Path log = tmp.resolve("keras-resume.log");
    assertThat(TrainProcess.run(log, List.of("train", "--resume", tmp.resolve("keras").toString()))).isZero();
    assertThat(Files.readString(log)).contains("model.ckpt-50: step 50, epoch 1, step 50 of 90");
    History a = Json.MAPPER.readValue(tmp.resolve("keras-ref/history.json").toFile(), History.class);
    History b = Json.MAPPER.readValue(tmp.resolve("keras/history.json").toFile(), History.class);
    assertThat(b.batchCost).hasSize(90).isEqualTo(a.batchCost);
    assertThat(b.epochMetrics).isEqualTo(a.epochMetrics);
    assertThat(b.results).isEqualTo(a.results);
  }
}
