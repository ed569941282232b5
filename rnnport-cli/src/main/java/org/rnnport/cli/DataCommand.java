package org.rnnport.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rnnport.data.DataDir;
import org.rnnport.data.DataFetcher;
import org.rnnport.data.DataManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rnnport data fetch [mnist|reuters|all] [--from DIR_OR_URL]}. */
@Command(name = "data", description = "Dataset files.", mixinStandardHelpOptions = true,
    subcommands = DataCommand.Fetch.class)
final class DataCommand {

  @Command(name = "fetch", mixinStandardHelpOptions = true,
      description = "Fetch dataset files from a mirror or their canonical URLs, verify sha256, write atomically.")
  static final class Fetch implements Callable<Integer> {
    @Parameters(arity = "0..1", defaultValue = "all", description = "mnist, reuters or all (default: all)")
    String dataset;

    @Option(names = "--from", description = "mirror: a folder or http(s) base URL holding <dataset>/<file> "
        + "(default: $RNNPORT_DATA_MIRROR, else the canonical URLs)")
    String from;

    @Option(names = "--data-dir", description = "where dataset files go (default: $RNNPORT_DATA_DIR or ./data)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      DataManifest manifest = DataManifest.load();
      String mirror = from != null ? from : DataDir.mirrorFromEnv();
      Path dir = DataDir.resolve(dataDir);
      DataFetcher fetcher = new DataFetcher(manifest, dir, mirror);
      List<String> names = dataset.equals("all") ? List.copyOf(manifest.all().keySet()) : List.of(dataset);
      for (String name : names) {
        for (DataManifest.FileEntry f : manifest.dataset(name).files()) {
          DataFetcher.Outcome o = fetcher.fetchFile(f);
          System.out.printf("%-40s %s%n", f.path(), o == DataFetcher.Outcome.FETCHED ? "fetched, sha256 ok" : "present, sha256 ok");
        }
      }
      System.out.println("data directory: " + dir.toAbsolutePath());
      return 0;
    }
  }
}
