package org.rnnport.serve;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * TensorFlow Serving's gRPC API ({@code --port}, 8500) on grpc-java over Netty:
 * {@code tensorflow.serving.PredictionService} (Predict, GetModelMetadata, Classify, Regress,
 * MultiInference) and {@code tensorflow.serving.ModelService/GetModelStatus}, with TF Serving's
 * semantics for the model spec (name, version or version_label, signature_name), output_filter and
 * status codes. Calls are parsed and answered on the I/O threads, behind a bound on the calls
 * admitted (RESOURCE_EXHAUSTED above it). A Predict the batcher takes is queued from the I/O thread
 * (no worker in between); an unbatched one runs on a fixed pool of workers, or inline when it is
 * quick and alone (see {@link #sessions}); Classify, Regress, MultiInference and reloads run on the
 * workers. Messages over the size limit get RESOURCE_EXHAUSTED from gRPC itself.
 *
 * <p>With a socket path (TF Serving's {@code --grpc_socket_path}) the same services also listen on
 * a Unix domain socket, through Netty's native epoll transport (Linux); both listeners share the
 * bound on admitted calls and the workers.
 */
public final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

  /** Address, worker threads, calls admitted at once, largest message, deadline of a call without one. */
  public record Config(String host, int port, int threads, int maxInFlight, int maxMessageBytes, long timeoutMillis) {}

  private final Inference inference;
  private final Metrics metrics;
  private final Config config;
  private volatile boolean tensorContent;
  private final Semaphore admitted;
  private final ThreadPoolExecutor executor;
  /**
   * Where Predict's unbatched session runs go: the workers; or, when the run is quick (under 1 ms
   * on average) and no other call is admitted, right here on the I/O thread, which saves two thread
   * hand-offs (to a worker and back) on a lone call and blocks no other call for long.
   */
  private final Inference.Sessions sessions;
  private final NioEventLoopGroup boss = new NioEventLoopGroup(1,
      new io.netty.util.concurrent.DefaultThreadFactory("rnnport-grpc-accept", true));
  private final NioEventLoopGroup io = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
      new io.netty.util.concurrent.DefaultThreadFactory("rnnport-grpc-io", true));
  private final Server server;
  private final Path socketPath;
  private final EventLoopGroup socketBoss;
  private final EventLoopGroup socketIo;
  private final Server socketServer;
  /** Whether this server bound the socket file (only then does {@link #stop} remove it). */
  private volatile boolean socketBound;
  private volatile boolean draining;

  public GrpcServer(Inference inference, Metrics metrics, Config config) {
    this(inference, metrics, config, null, null);
  }

  public GrpcServer(Inference inference, Metrics metrics, Config config, Path socketPath) {
    this(inference, metrics, config, socketPath, null);
  }

  /**
   * A server on {@code config}'s TCP port (none when the port is negative) and, when
   * {@code socketPath} is not null, on that Unix domain socket (clients dial {@code unix:PATH}); with
   * {@code tls} (see {@link TfServingConfig#tls}) both listeners speak TLS, as TF Serving's
   * {@code --ssl_config_file} applies to its port and its socket alike.
   */
  public GrpcServer(Inference inference, Metrics metrics, Config config, Path socketPath,
      io.netty.handler.ssl.SslContext tls) {
    this.inference = inference;
    this.metrics = metrics;
    this.config = config;
    this.admitted = new Semaphore(config.maxInFlight());
    AtomicInteger n = new AtomicInteger();
    // runs the admitted calls: the queue never holds more than those
    this.executor = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(Math.max(1, config.maxInFlight())), r -> {
          Thread t = new Thread(r, "rnnport-grpc-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    this.executor.prestartAllCoreThreads();
    this.sessions = (r, quick) -> {
      if (quick && admitted.availablePermits() == config.maxInFlight() - 1 && onEventLoop()) {
        r.run();
      } else {
        executor.execute(r);
      }
    };
    Predictions predictions = new Predictions();
    Models models = new Models();
    if (socketPath != null && !Epoll.isAvailable()) {
      throw new IllegalArgumentException("--grpc_socket_path " + socketPath + ": Unix sockets need Netty's native "
          + "epoll transport (Linux on x86-64 or aarch64), which cannot load here: " + Epoll.unavailabilityCause());
    }
    this.server = config.port() < 0 ? null
        : settings(NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
            .bossEventLoopGroup(boss).workerEventLoopGroup(io).channelType(NioServerSocketChannel.class), tls)
            .addService(predictions).addService(models).build();
    this.socketPath = socketPath;
    if (socketPath != null) {
      this.socketBoss = new EpollEventLoopGroup(1, new io.netty.util.concurrent.DefaultThreadFactory("rnnport-grpc-unix-accept", true));
      this.socketIo = new EpollEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
          new io.netty.util.concurrent.DefaultThreadFactory("rnnport-grpc-unix-io", true));
      this.socketServer = settings(NettyServerBuilder.forAddress(new DomainSocketAddress(socketPath.toFile()))
          .bossEventLoopGroup(socketBoss).workerEventLoopGroup(socketIo).channelType(EpollServerDomainSocketChannel.class), tls)
          .addService(predictions).addService(models).build();
    } else {
      this.socketBoss = null;
      this.socketIo = null;
      this.socketServer = null;
    }
  }

  /** The settings both listeners share. */
  private NettyServerBuilder settings(NettyServerBuilder b, io.netty.handler.ssl.SslContext tls) {
    if (tls != null) {
      b.sslContext(tls);
    }
    // callbacks run on the I/O threads: parsing and answering there; session runs on the batcher's
    // threads or the workers (a lone quick one inline)
    return b.directExecutor()
        .maxInboundMessageSize(config.maxMessageBytes())
        .maxConcurrentCallsPerConnection(Math.max(1, config.maxInFlight()))
        .keepAliveTime(2, TimeUnit.HOURS)
        .permitKeepAliveWithoutCalls(true)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .maxConnectionIdle(10, TimeUnit.MINUTES)
        .handshakeTimeout(10, TimeUnit.SECONDS);
  }

  /**
   * TF Serving's {@code --enable_serialization_as_tensor_content}: Predict answers carry their values in
   * {@code tensor_content} instead of the typed fields ({@code float_val}, ...), which are the default. Set before
   * {@link #start()}.
   *
   * @param on true for tensor_content
   * @return this server
   */
  public GrpcServer tensorContent(boolean on) {
    this.tensorContent = on;
    return this;
  }

  /**
   * Binds the listeners. A socket file left by an earlier server is removed first, as gRPC's C core
   * does for TF Serving; any other file at the path is an error, and is left alone.
   */
  public GrpcServer start() throws IOException {
    if (socketServer != null) {
      if (Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
        if (!isSocket(socketPath)) {
          throw new IOException("--grpc_socket_path " + socketPath + " exists and is not a socket: not removed");
        }
        Files.delete(socketPath);
      }
      Path parent = socketPath.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new IOException("--grpc_socket_path " + socketPath + ": folder " + parent + " does not exist");
      }
    }
    if (server != null) {
      server.start();
    }
    if (socketServer != null) {
      try {
        socketServer.start();
        socketBound = true;
      } catch (IOException | RuntimeException e) {
        if (server != null) {
          server.shutdownNow();
        }
        throw new IOException("--grpc_socket_path " + socketPath + ": cannot listen: " + e.getMessage(), e);
      }
    }
    return this;
  }

  /** Whether {@code p} itself (not a link's target) is a Unix socket: S_IFSOCK, as gRPC's C core checks. */
  private static boolean isSocket(Path p) throws IOException {
    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & 0170000) == 0140000;
  }

  /** The TCP port, or -1 when the server listens on a Unix socket only. */
  public int port() {
    return server == null ? -1 : server.getPort();
  }

  /** The Unix socket's path, or null. */
  public Path socketPath() {
    return socketPath;
  }

  /** Status of a failed call, as TF Serving answers it. */
  static StatusRuntimeException status(Throwable e) {
    ServingException s = ServingException.of(e);
    Status st = switch (s.code()) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case INTERNAL -> Status.INTERNAL;
    };
    return st.withDescription(s.getMessage()).asRuntimeException();
  }

  /** The request's model spec as an {@link Inference.Spec}; INVALID_ARGUMENT without a name. */
  static Inference.Spec spec(boolean has, ModelSpec m) {
    if (!has || m.getName().isEmpty()) {
      throw ServingException.invalid("Missing ModelSpec");
    }
    Long version = m.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION ? m.getVersion().getValue() : null;
    String label = m.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION_LABEL ? m.getVersionLabel() : null;
    return new Inference.Spec(m.getName(), version, label, m.getSignatureName().isEmpty() ? null : m.getSignatureName());
  }

  static ModelSpec answerSpec(ModelRepository.Loaded l, String signature) {
    return ModelSpec.newBuilder().setName(l.name()).setVersion(Int64Value.of(l.version())).setSignatureName(signature).build();
  }

  /** Where a call's work runs. */
  private enum Mode {
    /** on the I/O thread, not admitted against the bound (metadata, status) */
    LIGHT,
    /** admitted, then on a worker (it may block: examples, a reload) */
    HEAVY,
    /**
     * admitted, then on the I/O thread, which must not block: the work queues a batched request
     * itself, or hands its session run to {@link #sessions} (Predict)
     */
    DISPATCHES
  }

  /**
   * Runs a call: admission, the work (which may finish later), its deadline, status mapping,
   * metrics.
   */
  private <T> void call(String model, StreamObserver<T> obs, Mode mode, java.util.function.Supplier<CompletableFuture<T>> work) {
    long t0 = System.nanoTime();
    boolean heavy = mode != Mode.LIGHT;
    if (heavy && draining) {
      obs.onError(Status.UNAVAILABLE.withDescription("shutting down").asRuntimeException());
      return;
    }
    if (heavy && !admitted.tryAcquire()) {
      metrics.rejectedBusy.increment();
      metrics.record(inference.repository().knows(model) ? model : null, 503, 0);
      obs.onError(Status.RESOURCE_EXHAUSTED.withDescription("server busy: " + config.maxInFlight()
          + " calls admitted; retry").asRuntimeException());
      return;
    }
    if (heavy) {
      metrics.inFlight.incrementAndGet();
    }
    CompletableFuture<T> f;
    if (mode == Mode.HEAVY) {
      f = new CompletableFuture<>();
      CompletableFuture<T> result = f;
      try {
        executor.execute(() -> {
          try {
            work.get().whenComplete((r, e) -> {
              if (e == null) {
                result.complete(r);
              } else {
                result.completeExceptionally(e);
              }
            });
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        f.completeExceptionally(ServingException.busy("server busy; retry"));
      }
    } else {
      try {
        f = work.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
    }
    if (!f.isDone()) {
      f = deadline(f);
    }
    f.whenComplete((r, e) -> {
      if (heavy) {
        metrics.inFlight.decrementAndGet();
        admitted.release();
      }
      String m = inference.repository().knows(model) ? model : null;
      if (e == null) {
        metrics.record(m, 200, (System.nanoTime() - t0) / 1e9);
        obs.onNext(r);
        obs.onCompleted();
      } else {
        StatusRuntimeException s = status(e);
        metrics.record(m, httpLike(s.getStatus()), (System.nanoTime() - t0) / 1e9);
        obs.onError(s);
      }
    });
  }

  private boolean onEventLoop() {
    return currentLoop() != null;
  }

  /** The I/O event loop (of either listener) this thread runs, or null. */
  private EventExecutor currentLoop() {
    for (EventExecutor loop : io) {
      if (loop.inEventLoop()) {
        return loop;
      }
    }
    if (socketIo != null) {
      for (EventExecutor loop : socketIo) {
        if (loop.inEventLoop()) {
          return loop;
        }
      }
    }
    return null;
  }

  /**
   * {@code f}, failing with a {@link TimeoutException} (DEADLINE_EXCEEDED) if it is not done within
   * the timeout. On an I/O thread (as calls start) the timer is that event loop's, which costs no
   * thread wake-up, where {@link CompletableFuture#orTimeout}'s shared timer thread is woken for
   * about every call.
   */
  private <T> CompletableFuture<T> deadline(CompletableFuture<T> f) {
    EventExecutor loop = currentLoop();
    if (loop != null) {
      CompletableFuture<T> out = new CompletableFuture<>();
      ScheduledFuture<?> timer = loop.schedule(() -> {
        out.completeExceptionally(new TimeoutException());
      }, config.timeoutMillis(), TimeUnit.MILLISECONDS);
      f.whenComplete((r, e) -> {
        timer.cancel(false);
        if (e == null) {
          out.complete(r);
        } else {
          out.completeExceptionally(e);
        }
      });
      return out;
    }
    return f.orTimeout(config.timeoutMillis(), TimeUnit.MILLISECONDS);
  }

  private static int httpLike(Status s) {
    return switch (s.getCode()) {
      case INVALID_ARGUMENT -> 400;
      case NOT_FOUND -> 404;
      case RESOURCE_EXHAUSTED, UNAVAILABLE -> 503;
      case UNIMPLEMENTED -> 501;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  private final class Predictions extends PredictionServiceGrpc.PredictionServiceImplBase {
    @Override
    public void predict(PredictRequest req, StreamObserver<PredictResponse> obs) {
      call(req.getModelSpec().getName(), obs, Mode.DISPATCHES, () -> {
        Inference.Spec spec = spec(req.hasModelSpec(), req.getModelSpec());
        Set<String> filter = new LinkedHashSet<>();
        for (String k : req.getOutputFilterList()) {
          if (!filter.add(k)) {
            throw ServingException.invalid("duplicate output tensor alias: " + k);
          }
        }
        Function<SignatureSpec, NamedTensors> in = sig -> ServingProtos.inputs(sig, req.getInputsMap());
        return inference.run(spec, in, filter, sessions).thenApply(a -> {
          try (a) {
            PredictResponse.Builder b = PredictResponse.newBuilder().setModelSpec(answerSpec(a.loaded(), a.sig().key()));
            for (String k : a.outputs().keys()) {
              b.putOutputs(k, ServingProtos.toProto(k, a.outputs().get(k), tensorContent));
            }
            return b.build();
          }
        });
      });
    }

    @Override
    public void classify(tensorflow.serving.Classification.ClassificationRequest req,
        StreamObserver<tensorflow.serving.Classification.ClassificationResponse> obs) {
      call(req.getModelSpec().getName(), obs, Mode.HEAVY, () -> {
        Inference.Spec spec = spec(req.hasModelSpec(), req.getModelSpec());
        return Examples.classify(inference, spec, Examples.serialized(req.getInput())).thenApply(r ->
            tensorflow.serving.Classification.ClassificationResponse.newBuilder()
                .setModelSpec(answerSpec(r.loaded(), r.signature())).setResult(r.result()).build());
      });
    }

    @Override
    public void regress(tensorflow.serving.RegressionOuterClass.RegressionRequest req,
        StreamObserver<tensorflow.serving.RegressionOuterClass.RegressionResponse> obs) {
      call(req.getModelSpec().getName(), obs, Mode.HEAVY, () -> {
        Inference.Spec spec = spec(req.hasModelSpec(), req.getModelSpec());
        return Examples.regress(inference, spec, Examples.serialized(req.getInput())).thenApply(r ->
            tensorflow.serving.RegressionOuterClass.RegressionResponse.newBuilder()
                .setModelSpec(answerSpec(r.loaded(), r.signature())).setResult(r.result()).build());
      });
    }

    @Override
    public void multiInference(tensorflow.serving.Inference.MultiInferenceRequest req,
        StreamObserver<tensorflow.serving.Inference.MultiInferenceResponse> obs) {
      String model = req.getTasksCount() > 0 ? req.getTasks(0).getModelSpec().getName() : null;
      call(model, obs, Mode.HEAVY, () -> {
        if (req.getTasksCount() == 0) {
          throw ServingException.invalid("MultiInferenceRequest must have at least one task");
        }
        List<ByteString> ex = Examples.serialized(req.getInput());
        Set<String> seen = new java.util.HashSet<>();
        List<CompletableFuture<tensorflow.serving.Inference.InferenceResult>> parts = new ArrayList<>();
        for (tensorflow.serving.Inference.InferenceTask t : req.getTasksList()) {
          Inference.Spec spec = spec(t.hasModelSpec(), t.getModelSpec());
          if (!spec.model().equals(model)) {
            throw ServingException.invalid("All ModelSpecs in a MultiInferenceRequest must access the same model name.");
          }
          String sigName = spec.signature() == null ? "serving_default" : spec.signature();
          if (!seen.add(sigName)) {
            throw ServingException.invalid("Duplicate evaluation of signature: " + sigName);
          }
          switch (t.getMethodName()) {
            case Examples.CLASSIFY -> parts.add(Examples.classify(inference, spec, ex).thenApply(r ->
                tensorflow.serving.Inference.InferenceResult.newBuilder()
                    .setModelSpec(answerSpec(r.loaded(), r.signature())).setClassificationResult(r.result()).build()));
            case Examples.REGRESS -> parts.add(Examples.regress(inference, spec, ex).thenApply(r ->
                tensorflow.serving.Inference.InferenceResult.newBuilder()
                    .setModelSpec(answerSpec(r.loaded(), r.signature())).setRegressionResult(r.result()).build()));
            default -> throw ServingException.invalid("Unsupported signature method_name: " + t.getMethodName());
          }
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
          tensorflow.serving.Inference.MultiInferenceResponse.Builder b =
              tensorflow.serving.Inference.MultiInferenceResponse.newBuilder();
          parts.forEach(p -> b.addResults(p.join()));
          return b.build();
        });
      });
    }

    @Override
    public void getModelMetadata(GetModelMetadataRequest req, StreamObserver<GetModelMetadataResponse> obs) {
      call(req.getModelSpec().getName(), obs, Mode.LIGHT, () -> {
        Inference.Spec spec = spec(req.hasModelSpec(), req.getModelSpec());
        if (req.getMetadataFieldCount() == 0) {
          throw ServingException.invalid("GetModelMetadataRequest must specify at least one metadata_field");
        }
        for (String f : req.getMetadataFieldList()) {
          if (!f.equals("signature_def")) {
            throw ServingException.invalid("Metadata field " + f + " is not supported");
          }
        }
        ModelRepository.Loaded l = inference.resolve(spec);
        return CompletableFuture.completedFuture(GetModelMetadataResponse.newBuilder()
            .setModelSpec(ModelMetadata.modelSpec(l))
            .putMetadata("signature_def", Any.pack(ModelMetadata.signatureDefMap(l))).build());
      });
    }
  }

  private final class Models extends ModelServiceGrpc.ModelServiceImplBase {
    @Override
    public void handleReloadConfigRequest(tensorflow.serving.ModelManagement.ReloadConfigRequest req,
        StreamObserver<tensorflow.serving.ModelManagement.ReloadConfigResponse> obs) {
      call(null, obs, Mode.HEAVY, () -> { // loads models: on a worker, not an I/O thread
        try {
          inference.repository().reconfigure(TfServingConfig.modelConfig(req.getConfig(), java.nio.file.Path.of("")));
        } catch (IllegalArgumentException e) {
          throw ServingException.invalid(e.getMessage());
        } catch (IllegalStateException e) {
          throw new ServingException(ServingException.Code.FAILED_PRECONDITION, e.getMessage());
        } catch (IOException e) {
          throw new ServingException(ServingException.Code.INTERNAL, e.getMessage());
        }
        return CompletableFuture.completedFuture(tensorflow.serving.ModelManagement.ReloadConfigResponse.newBuilder()
            .setStatus(tensorflow.serving.Status.StatusProto.newBuilder().setErrorCode(org.tensorflow.framework.Code.OK))
            .build());
      });
    }

    @Override
    public void getModelStatus(GetModelStatusRequest req, StreamObserver<GetModelStatusResponse> obs) {
      call(req.getModelSpec().getName(), obs, Mode.LIGHT, () -> {
        if (!req.hasModelSpec() || req.getModelSpec().getName().isEmpty()) {
          throw ServingException.invalid("Missing ModelSpec");
        }
        ModelSpec m = req.getModelSpec();
        Long version = null;
        if (m.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION) {
          version = m.getVersion().getValue();
        } else if (m.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION_LABEL) {
          version = inference.repository().labelVersion(m.getName(), m.getVersionLabel());
        }
        GetModelStatusResponse.Builder b = GetModelStatusResponse.newBuilder();
        for (ModelRepository.VersionStatus s : inference.repository().status(m.getName(), version)) {
          b.addModelVersionStatus(ModelVersionStatus.newBuilder().setVersion(s.version())
              .setState(ModelVersionStatus.State.valueOf(s.state().name()))
              .setStatus(tensorflow.serving.Status.StatusProto.newBuilder()
                  .setErrorCode(s.error().isEmpty() ? org.tensorflow.framework.Code.OK : org.tensorflow.framework.Code.UNKNOWN)
                  .setErrorMessage(s.error())));
        }
        return CompletableFuture.completedFuture(b.build());
      });
    }
  }

  /** Refuses new calls, lets admitted ones finish (up to {@code drainSeconds}), then stops. */
  public void stop(int drainSeconds) {
    draining = true;
    List<Server> servers = new ArrayList<>();
    if (server != null) {
      servers.add(server);
    }
    if (socketServer != null) {
      servers.add(socketServer);
    }
    servers.forEach(Server::shutdown);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    try {
      for (Server s : servers) {
        if (!s.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          s.shutdownNow();
          s.awaitTermination(2, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      servers.forEach(Server::shutdownNow);
    }
    executor.shutdown();
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    if (socketServer != null) {
      socketIo.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      socketBoss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      // as gRPC's C core unlinks its socket at shutdown; only the socket this server bound
      try {
        if (socketBound && isSocket(socketPath)) {
          Files.delete(socketPath);
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // already gone
      } catch (IOException e) {
        LOG.warn("could not remove the socket file {}: {}", socketPath, e.toString());
      }
    }
  }

  @Override
  public void close() {
    stop(5);
  }

  static List<String> keys(Map<String, ?> m) {
    return new ArrayList<>(m.keySet());
  }
}
