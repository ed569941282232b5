import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The documentation's command lines parse: every line that {@code .ci/check-docs.py --commands FILE} (or
 * {@code --spark-commands FILE}) extracted from the code blocks of README.md and docs/*.md is parsed with the
 * command's own picocli spec, without running anything: an unknown command or option, a missing required option,
 * a value that does not convert, or a missing parameter fails the check, naming the page and the line. The spec is
 * {@code MAIN_CLASS.commandLine()} where the class has one (rnnport's {@code Main}: configured as it runs), else
 * {@code new CommandLine(new MAIN_CLASS())}.
 *
 * <p>Usage (after {@code mvn -B package -DskipTests}):
 * {@code java -cp "rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*" .ci/DocCommands.java org.rnnport.cli.Main FILE},
 * {@code java -cp "spark/target/rnnport-spark.jar:spark/target/spark-lib/*" .ci/DocCommands.java
 * org.rnnport.spark.PredictMain FILE}
 */
public class DocCommands {
  static CommandLine spec(Class<?> main) throws ReflectiveOperationException {
    try {
      return (CommandLine) main.getMethod("commandLine").invoke(null);
    } catch (NoSuchMethodException e) {
      return new CommandLine(main.getDeclaredConstructor().newInstance());
    }
  }

  public static void main(String[] a) throws Exception {
    Class<?> main = Class.forName(a[0]);
    String prog = spec(main).getCommandName();
    List<String> failures = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(Path.of(a[1]))) {
      if (line.isBlank()) {
        continue;
      }
      String where = line.substring(0, line.indexOf('\t'));
      List<String> args = parseJsonStrings(line.substring(line.indexOf('\t') + 1));
      n++;
      try {
        spec(main).parseArgs(args.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        failures.add(where + ": ./" + prog + " " + String.join(" ", args) + "\n    " + e.getMessage());
      }
    }
    if (n == 0) {
      System.err.println("error: no ./" + prog + " command lines in " + a[1] + ": the extraction found nothing");
      System.exit(1);
    }
    if (!failures.isEmpty()) {
      failures.forEach(f -> System.err.println("error: " + f));
      System.err.println(failures.size() + " of " + n + " documented ./" + prog + " command lines do not parse");
      System.exit(1);
    }
    System.out.println("docs: all " + n + " ./" + prog + " command lines of README.md and docs/ parse");
  }

  /** A JSON array of strings, as json.dumps writes it (escapes \", \\, \/, \b, \f, \n, \r, \t, \\uXXXX). */
  static List<String> parseJsonStrings(String s) {
    List<String> out = new ArrayList<>();
    int i = s.indexOf('[') + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        StringBuilder b = new StringBuilder();
        i++;
        while (s.charAt(i) != '"') {
          char d = s.charAt(i++);
          if (d == '\\') {
            char e = s.charAt(i++);
            switch (e) {
              case 'b' -> b.append('\b');
              case 'f' -> b.append('\f');
              case 'n' -> b.append('\n');
              case 'r' -> b.append('\r');
              case 't' -> b.append('\t');
              case 'u' -> {
                b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                i += 4;
              }
              default -> b.append(e);
            }
          } else {
            b.append(d);
          }
        }
        out.add(b.toString());
      }
      i++;
    }
    return out;
  }
}
