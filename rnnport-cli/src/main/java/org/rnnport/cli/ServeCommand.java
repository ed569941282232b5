package org.rnnport.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.rnnport.serve.ModelRepository;
import org.rnnport.serve.RestServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rnnport serve --models savedmodels [--port 8501]}: TF Serving's REST API for every model found. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve every SavedModel under a folder (TF Serving layout <name>/<version>/) with TensorFlow "
        + "Serving's REST API; new versions are picked up and swapped in while serving. Stops cleanly on SIGTERM/Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--models", defaultValue = "savedmodels", description = "models folder (default: ${DEFAULT-VALUE})")
  Path models;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "8501", description = "port (default: ${DEFAULT-VALUE}, TF Serving's REST port)")
  int port;

  @Option(names = "--threads", defaultValue = "16", description = "HTTP worker threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--max-body-bytes", defaultValue = "16777216", description = "largest request body (413 above; default: ${DEFAULT-VALUE})")
  long maxBody;

  @Option(names = "--max-inflight", defaultValue = "64", description = "predictions running at once (503 above; default: ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(names = "--max-batch", defaultValue = "1024", description = "rows per request (413 above; default: ${DEFAULT-VALUE})")
  int maxBatch;

  @Option(names = "--poll-ms", defaultValue = "2000", description = "how often to look for new versions (default: ${DEFAULT-VALUE})")
  long pollMs;

  @Option(names = "--batch-window-us", defaultValue = "0", description = "micro-batching: merge concurrent requests "
      + "arriving within this many microseconds into one Session run (0 = off, the default)")
  long batchWindowUs;

  @Option(names = "--drain-seconds", defaultValue = "30", description = "on SIGTERM, how long to let in-flight requests finish")
  int drainSeconds;

  @Override
  public Integer call() throws Exception {
    if (threads <= 0 || maxInFlight <= 0 || maxBatch <= 0 || maxBody <= 0 || pollMs <= 0) {
      throw new IllegalArgumentException("--threads, --max-inflight, --max-batch, --max-body-bytes and --poll-ms must be positive");
    }
    ModelRepository repo = new ModelRepository(models, maxBatch);
    repo.scan();
    if (repo.names().isEmpty()) {
      repo.close();
      throw new IllegalArgumentException(models + ": no loadable SavedModel (expected <name>/<version>/saved_model.pb)");
    }
    repo.watch(pollMs);
    RestServer server = new RestServer(repo, new RestServer.Config(host, port, threads, maxBody, maxInFlight, maxBatch,
        batchWindowUs));
    server.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("stopping: draining in-flight requests (up to " + drainSeconds + " s)");
      server.stop(drainSeconds);
      repo.close();
      stopped.countDown();
    }, "rnnport-serve-stop"));
    System.out.printf("serving %s from %s on http://%s:%d (REST API of TensorFlow Serving)%n", repo.names(), models,
        host, server.port());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
