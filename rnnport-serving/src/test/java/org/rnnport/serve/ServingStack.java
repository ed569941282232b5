package org.rnnport.serve;

import java.nio.file.Path;

/** A repository, an {@link Inference}, and the REST and gRPC servers over it, on ephemeral loopback ports. */
record ServingStack(ModelRepository repo, Inference inference, RestServer rest, GrpcServer grpc) implements AutoCloseable {
  static ServingStack start(ModelRepository repo, BatchingOptions batching, int maxMessageBytes) throws Exception {
    return start(repo, batching, maxMessageBytes, null);
  }

  /** As above, gRPC also on the Unix socket {@code socket} (when not null). */
  static ServingStack start(ModelRepository repo, BatchingOptions batching, int maxMessageBytes, Path socket)
      throws Exception {
    return start(repo, batching, maxMessageBytes, socket, null);
  }

  /** As above, gRPC over TLS when {@code tls} is not null. */
  static ServingStack start(ModelRepository repo, BatchingOptions batching, int maxMessageBytes, Path socket,
      io.netty.handler.ssl.SslContext tls) throws Exception {
    return start(repo, batching, maxMessageBytes, socket, tls, false);
  }

  /** As above, with the grpc.health.v1.Health service when {@code health}. */
  static ServingStack start(ModelRepository repo, BatchingOptions batching, int maxMessageBytes, Path socket,
      io.netty.handler.ssl.SslContext tls, boolean health) throws Exception {
    Inference inference = new Inference(repo, batching, 30_000);
    Metrics metrics = new Metrics();
    RestServer rest = new RestServer(inference, RestServer.Config.defaults().withPort(0), metrics);
    rest.start();
    GrpcServer grpc = new GrpcServer(inference, metrics, new GrpcServer.Config("127.0.0.1", 0, 8, 64, maxMessageBytes,
        30_000), socket, tls, health).start();
    return new ServingStack(repo, inference, rest, grpc);
  }

  static ServingStack folder(Path models, BatchingOptions batching) throws Exception {
    return folder(models, batching, null);
  }

  static ServingStack folder(Path models, BatchingOptions batching, Path socket) throws Exception {
    ModelRepository repo = new ModelRepository(models, 1024);
    repo.scan();
    return start(repo, batching, 4 << 20, socket);
  }

  String restUrl() {
    return "http://127.0.0.1:" + rest.port();
  }

  @Override
  public void close() {
    grpc.stop(5);
    rest.stop(5);
    inference.close();
    repo.close();
  }
}
