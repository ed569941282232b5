package org.rnnport.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.rnnport.serve.BatchingOptions;
import org.rnnport.serve.GrpcServer;
import org.rnnport.serve.Inference;
import org.rnnport.serve.Metrics;
import org.rnnport.serve.ModelRepository;
import org.rnnport.serve.RestServer;
import org.rnnport.serve.TfServingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rnnport serve}: TensorFlow Serving's gRPC and REST APIs, with {@code tensorflow_model_server}'s
 * flags ({@link TfServingFlags}), plus rnnport's folder mode ({@code --models}) and limits.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serve SavedModels with TensorFlow Serving's gRPC API (--port, 8500) and REST API (--rest_api_port; "
        + "0 = off, as in TF Serving), taking tensorflow_model_server's flags: --model_name/--model_base_path, "
        + "--model_config_file, --enable_batching/--batching_parameters_file, --monitoring_config_file. Or every "
        + "model under a folder (--models, TF Serving layout <name>/<version>/). New versions are picked up while "
        + "serving. Stops cleanly on SIGTERM/Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
  @Mixin
  TfServingFlags tf = new TfServingFlags();

  @Option(names = "--models", description = "rnnport's folder mode: serve every <name>/<version>/ under this folder "
      + "(instead of --model_base_path or --model_config_file)")
  Path models;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address both APIs bind (default: ${DEFAULT-VALUE}; "
      + "TF Serving binds 0.0.0.0)")
  String host;

  @Option(names = {"--threads", "--rest_api_num_threads"}, defaultValue = "16",
      description = "REST prediction workers (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--grpc_max_threads", defaultValue = "16", description = "gRPC workers (default: ${DEFAULT-VALUE})")
  int grpcThreads;

  @Option(names = "--max-body-bytes", defaultValue = "16777216",
      description = "largest REST body and gRPC message (413 / RESOURCE_EXHAUSTED above; default: ${DEFAULT-VALUE})")
  long maxBody;

  @Option(names = "--max-inflight", defaultValue = "256", description = "requests admitted at once per API, queued, "
      + "running or waiting for a batch (503 / RESOURCE_EXHAUSTED above; default: ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(names = "--max-batch", defaultValue = "1024", description = "rows per request (413 above; default: ${DEFAULT-VALUE})")
  int maxBatch;

  @Option(names = "--poll-ms", description = "rnnport's name for the version poll interval in ms "
      + "(overrides --file_system_poll_wait_seconds)")
  Long pollMs;

  @Option(names = "--batch-window-us", defaultValue = "0", description = "rnnport's shorthand for batching: "
      + "--enable_batching with batch_timeout_micros N, max_batch_size --max-batch, 2 threads (0 = off)")
  long batchWindowUs;

  @Option(names = "--read-timeout-ms", defaultValue = "10000", description = "a REST request must arrive whole within "
      + "this (default: ${DEFAULT-VALUE})")
  long readTimeoutMs;

  @Option(names = "--idle-timeout-ms", defaultValue = "60000", description = "idle keep-alive REST connections close "
      + "after this (default: ${DEFAULT-VALUE})")
  long idleTimeoutMs;

  @Option(names = "--drain-seconds", defaultValue = "30", description = "on SIGTERM or SIGINT: the listeners close at once, admitted requests get this long to "
      + "finish, then the models close; exit 0 when all finished, 1 when the time ran out; a second signal exits at "
      + "once (default: ${DEFAULT-VALUE})")
  int drainSeconds;

  @Override
  public Integer call() throws Exception {
    if (threads <= 0 || grpcThreads <= 0 || maxInFlight <= 0 || maxBatch <= 0 || maxBody <= 0
        || maxBody > Integer.MAX_VALUE || tf.restTimeoutMs <= 0) {
      throw new IllegalArgumentException("--threads, --grpc_max_threads, --max-inflight, --max-batch, --max-body-bytes "
          + "(up to 2 GiB) and --rest_api_timeout_in_ms must be positive");
    }
    tf.refuseNotServed();
    tf.warnIgnored(System.err);
    // TLS is checked before any model loads: a bad key or certificate fails at once
    io.netty.handler.ssl.SslContext tls = tf.sslConfigFile == null ? null
        : TfServingConfig.tls(Files.readString(tf.sslConfigFile), "--ssl_config_file " + tf.sslConfigFile);
    org.tensorflow.proto.ConfigProto session = tf.sessionConfig();
    String[] tags = tf.tags();
    int sources = (models != null ? 1 : 0) + (tf.modelBasePath != null ? 1 : 0) + (tf.modelConfigFile != null ? 1 : 0);
    if (sources != 1) {
      throw new IllegalArgumentException("give exactly one of --models (a folder of models), --model_base_path "
          + "(with --model_name) or --model_config_file");
    }
    ModelRepository repo;
    if (models != null) {
      repo = new ModelRepository(models, maxBatch);
    } else if (tf.modelBasePath != null) {
      repo = new ModelRepository(TfServingConfig.single(tf.modelName, tf.modelBasePath), maxBatch);
    } else {
      repo = new ModelRepository(readConfig(tf.modelConfigFile), maxBatch);
    }
    repo.loadWith(session, tags).warmup(tf.enableModelWarmup, tf.warmupIterations).methodNameCheck(tf.methodNameCheck)
        .perModelBatching(tf.perModelBatching);
    repo.scan();
    if (repo.names().isEmpty() && tf.fileSystemPollSeconds >= 0) {
      List<String> failed = repo.failures();
      repo.close();
      throw new IllegalArgumentException("no loadable SavedModel (expected <base_path>/<version>/saved_model.pb)"
          + (failed.isEmpty() ? "" : ": " + String.join("; ", failed)));
    }
    long pollMillis = pollMs != null ? pollMs : tf.fileSystemPollSeconds * 1000L;
    if (pollMillis > 0) {
      repo.watch(pollMillis);
    }
    if (tf.modelConfigFile != null && tf.configPollSeconds > 0) {
      Path f = tf.modelConfigFile;
      repo.watchConfig(() -> {
        try {
          return readConfig(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, tf.configPollSeconds * 1000L);
    }
    BatchingOptions batching = null;
    if (tf.enableBatching) {
      batching = tf.batchingFile == null ? BatchingOptions.defaults()
          : TfServingConfig.batching(Files.readString(tf.batchingFile));
    } else if (tf.batchingFile != null) {
      System.err.println("note: --batching_parameters_file is read only with --enable_batching (as in TF Serving)");
    }
    if (tf.perModelBatching && !tf.enableBatching) {
      System.err.println("note: --enable_per_model_batching_parameters is read only with --enable_batching (as in TF "
          + "Serving)");
    }
    if (batching == null && batchWindowUs > 0) {
      batching = new BatchingOptions(maxBatch, batchWindowUs, 2, Math.max(1, maxInFlight / maxBatch + 1), List.of(), false);
    }
    String prometheus = tf.monitoringFile == null ? null : TfServingConfig.prometheusPath(Files.readString(tf.monitoringFile));
    Inference inference = new Inference(repo, batching, tf.restTimeoutMs);
    Metrics metrics = new Metrics();
    List<String> listening = new ArrayList<>();
    RestServer rest = null;
    if (tf.restPort > 0) {
      rest = new RestServer(inference, new RestServer.Config(host, tf.restPort, threads, maxBody, maxInFlight, maxBatch, 0,
          readTimeoutMs, idleTimeoutMs, tf.restTimeoutMs, 16 << 10), metrics).prometheusPath(prometheus);
      rest.start();
      listening.add("REST on http://" + host + ":" + rest.port());
    }
    GrpcServer grpc = null;
    if (tf.port > 0 || tf.grpcSocketPath != null) {
      grpc = new GrpcServer(inference, metrics, new GrpcServer.Config(host, tf.port > 0 ? tf.port : -1, grpcThreads,
          maxInFlight, (int) maxBody, tf.restTimeoutMs), tf.grpcSocketPath, tls, tf.grpcHealth)
          .tensorContent(tf.tensorContent).start();
      if (tf.port > 0) {
        listening.add("gRPC" + (tf.sslConfigFile != null ? " (TLS)" : "") + " on " + host + ":" + grpc.port());
      }
      if (tf.grpcSocketPath != null) {
        listening.add("gRPC" + (tf.sslConfigFile != null ? " (TLS)" : "") + " on unix:" + tf.grpcSocketPath);
      }
    }
    if (listening.isEmpty()) {
      throw new IllegalArgumentException("--port and --rest_api_port are both off and no --grpc_socket_path: nothing to serve on");
    }
    RestServer restF = rest;
    GrpcServer grpcF = grpc;
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean drainedAll = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return;
      }
      long t0 = System.nanoTime();
      System.err.println("stopping: no new connections; draining admitted requests (up to " + drainSeconds + " s)");
      System.err.flush();
      boolean[] grpcDrained = {true};
      Thread g = new Thread(() -> {
        if (grpcF != null) {
          grpcDrained[0] = grpcF.stop(drainSeconds);
        }
      }, "rnnport-grpc-stop");
      g.start();
      boolean drained = restF == null || restF.stop(drainSeconds);
      try {
        g.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      drained &= grpcDrained[0];
      inference.close();
      repo.close();
      System.err.printf("stopped: %s in %.1f s; models closed%n", drained ? "drained, every admitted request answered"
          : "drain time over (" + drainSeconds + " s), requests still running were cut off", (System.nanoTime() - t0) / 1e9);
      System.err.flush();
      drainedAll.set(drained);
      stopped.countDown();
    };
    // SIGTERM/SIGINT (Signals); the hook covers the other ways a JVM ends (SIGHUP, System.exit)
    Signals.onStop(stop);
    Thread hook = new Thread(stop, "rnnport-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.printf("serving %s: %s (TensorFlow Serving's APIs)%s%n", repo.names(), String.join(", ", listening),
        batching == null ? "" : "; batching " + batching);
    System.out.flush();
    stopped.await();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook ran the stop
    }
    return drainedAll.get() ? 0 : 1;
  }

  private static List<ModelRepository.ModelConfig> readConfig(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    try {
      return TfServingConfig.modelConfig(Files.readString(file), dir == null ? Path.of("") : dir);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--model_config_file " + file + ": " + e.getMessage(), e);
    }
  }
}
