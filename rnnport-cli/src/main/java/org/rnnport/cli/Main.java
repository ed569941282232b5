package org.rnnport.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rnnport} command. */
@Command(name = "rnnport", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Java ports of four TensorFlow/Keras RNN notebooks: fetch data, train, export, evaluate.",
    subcommands = {DataCommand.class, GraphCommand.class, TrainCommand.class, FitCommand.class, EvalCommand.class, PredictCommand.class,
        ExportCommand.class, InspectCommand.class, BenchCommand.class, ParityCommand.class, WeightsCommand.class, ServeCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    Signals.install();
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this). */
  public static int run(String... args) {
    CommandLine cl = commandLine();
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message(ex)));
      if (Boolean.getBoolean("rnnport.stacktrace")) {
        ex.printStackTrace(cmd.getErr());
      }
      return 1;
    });
    return cl.execute(args);
  }

  /**
   * The {@code rnnport} command as picocli sees it, configured as {@link #run} runs it: what the documentation
   * check ({@code .ci/DocCommands.java}) parses the command lines of README.md and docs/ with, without running them.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  private static String message(Throwable ex) {
    String m = ex.getMessage();
    return m == null ? ex.getClass().getSimpleName() : m;
  }

  /** Versions for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"rnnport " + org.rnnport.export.Versions.rnnport(),
          "TensorFlow Java 1.1.0 (native TensorFlow " + org.tensorflow.TensorFlow.version() + ")"};
    }
  }
}
