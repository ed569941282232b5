import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * A ghz-like load client for TF Serving's gRPC Predict (loopback only): C concurrent calls in flight
 * (closed loop) over K HTTP/2 connections for S seconds, one MNIST test image per call; prints
 * p50/p99 latency, calls/s and errors. Bounded in time and count.
 *
 * <p>Like ghz (Go, no thread hand-offs of its own), the client should not be what is measured: the
 * answers are handled on the connection's event loop ({@code directExecutor}), which starts the
 * next call from there; the event loops are few (the machine's cores are the server's too); and a
 * warm-up of W seconds (the JIT compiling this client) is run and left out of the figures.
 * Usage: java -cp 'rnnport-cli/target/lib/*' bench/GrpcLoad.java PORT CONCURRENCY SECONDS [MODEL] [CONNECTIONS]
 *    PORT may be unix:PATH: the server's Unix socket (rnnport serve --grpc_socket_path), over Netty's epoll
 *    or: java -cp ... bench/GrpcLoad.java --ghz-files DIR [MODEL]: writes DIR/tfserving.protoset (TF Serving's
 *        service descriptors, from the generated classes of the camel-tensorflow-serving artifact: no .proto file is
 *        copied) and DIR/predict.bin (the same request, serialized), for ghz's --protoset and --binary-file.
 * Environment: GRPCLOAD_WARMUP (seconds, default 2), GRPCLOAD_THREADS (event loops, default
 * min(connections, 2)), GRPCLOAD_EXECUTOR=direct|pool (default direct: pool is grpc's default
 * callback executor, one thread hop per answer).
 */
public class GrpcLoad {
  /** Latencies of one worker: grows as needed, up to a bound. */
  static final class Lat {
    long[] v = new long[1 << 12];
    int n;

    boolean add(long x) {
      if (n == v.length) {
        if (n >= 1 << 24) {
          return false;
        }
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = x;
      return true;
    }
  }

  public static void main(String[] a) throws Exception {
    if (a.length > 0 && a[0].equals("--ghz-files")) {
      Path dir = Path.of(a[1]);
      Files.createDirectories(dir);
      Files.write(dir.resolve("predict.bin"), request(a.length > 2 ? a[2] : "mnist-rnn").toByteArray());
      var file = ((io.grpc.protobuf.ProtoFileDescriptorSupplier) PredictionServiceGrpc.getServiceDescriptor()
          .getSchemaDescriptor()).getFileDescriptor();
      var set = com.google.protobuf.DescriptorProtos.FileDescriptorSet.newBuilder();
      addWithDependencies(file, new java.util.HashSet<>(), set);
      Files.write(dir.resolve("tfserving.protoset"), set.build().toByteArray());
      return;
    }
    String unix = a[0].startsWith("unix:") ? a[0].substring(5) : null;
    int port = unix != null ? -1 : Integer.parseInt(a[0]);
    int conc = Integer.parseInt(a[1]);
    int secs = Math.min(600, Integer.parseInt(a[2]));
    String model = a.length > 3 ? a[3] : "mnist-rnn";
    int conns = a.length > 4 ? Integer.parseInt(a[4]) : Math.max(1, Math.min(conc, 4));
    int warmup = Math.min(60, Integer.parseInt(env("GRPCLOAD_WARMUP", "2")));
    int threads = Integer.parseInt(env("GRPCLOAD_THREADS", String.valueOf(Math.min(conns, 2))));
    boolean direct = !env("GRPCLOAD_EXECUTOR", "direct").equals("pool");
    PredictRequest req = request(model);
    io.netty.channel.EventLoopGroup loops = unix != null
        ? new io.netty.channel.epoll.EpollEventLoopGroup(Math.max(1, threads), new DefaultThreadFactory("grpcload", true))
        : new NioEventLoopGroup(Math.max(1, threads), new DefaultThreadFactory("grpcload", true));
    var pool = direct ? null : Executors.newCachedThreadPool(new DefaultThreadFactory("grpcload-cb", true));
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < conns; i++) {
      NettyChannelBuilder cb = unix != null
          ? NettyChannelBuilder.forAddress(new io.netty.channel.unix.DomainSocketAddress(unix)).usePlaintext()
              .disableRetry().eventLoopGroup(loops).channelType(io.netty.channel.epoll.EpollDomainSocketChannel.class)
          : NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().disableRetry()
              .eventLoopGroup(loops).channelType(NioSocketChannel.class);
      channels.add((direct ? cb.directExecutor() : cb.executor(pool)).build());
    }
    if (warmup > 0) {
      run(channels, req, Math.min(conc, 16), warmup, new AtomicLong()); // the JIT compiles the client: not measured
    }
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    AtomicLong errors = new AtomicLong();
    Lat[] lat = run(channels, req, conc, secs, errors);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long cpu = os.getProcessCpuTime() - cpu0;
    int total = Arrays.stream(lat, 0, conc).mapToInt(l -> l.n).sum();
    long[] all = new long[total];
    int k = 0;
    for (int w = 0; w < conc; w++) {
      System.arraycopy(lat[w].v, 0, all, k, lat[w].n);
      k += lat[w].n;
    }
    Arrays.sort(all);
    System.out.printf("RESULT p50_ms=%.3f p99_ms=%.3f rps=%.1f requests=%d errors=%d client_cpu_us_per_call=%.1f%n",
        total == 0 ? 0 : all[total / 2] / 1e6, total == 0 ? 0 : all[(int) (total * 0.99)] / 1e6, total / elapsed, total,
        errors.get(), total == 0 ? 0 : cpu / 1e3 / total);
    channels.forEach(ManagedChannel::shutdownNow);
    if (pool != null) {
      pool.shutdownNow();
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** One MNIST test image (the first), as a Predict request for {@code model}'s input_X. */
  static PredictRequest request(String model) throws java.io.IOException {
    byte[] img;
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(Path.of("data/mnist/t10k-images-idx3-ubyte.gz")))) {
      img = Arrays.copyOfRange(in.readAllBytes(), 16, 16 + 784);
    }
    ByteBuffer b = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (byte v : img) {
      b.putFloat((v & 0xff) / 255f);
    }
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : new long[] {1, 28, 28}) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model))
        .putInputs("input_X", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape)
            .setTensorContent(ByteString.copyFrom(b.array())).build()).build();
  }

  /** {@code f} and every file it imports, dependencies first (as protoc --include_imports writes them). */
  static void addWithDependencies(com.google.protobuf.Descriptors.FileDescriptor f, java.util.Set<String> seen,
      com.google.protobuf.DescriptorProtos.FileDescriptorSet.Builder set) {
    if (!seen.add(f.getName())) {
      return;
    }
    for (var d : f.getDependencies()) {
      addWithDependencies(d, seen, set);
    }
    set.addFile(f.toProto());
  }

  static String env(String k, String def) {
    String v = System.getenv(k);
    return v == null || v.isEmpty() ? def : v;
  }

  /** C closed-loop workers for S seconds: the latencies of each (failed calls counted in {@code errors} too). */
  static Lat[] run(List<ManagedChannel> channels, PredictRequest req, int conc, int secs, AtomicLong errors)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
    Lat[] lat = new Lat[conc];
    CountDownLatch done = new CountDownLatch(conc);
    for (int w = 0; w < conc; w++) {
      Lat mine = lat[w] = new Lat();
      ManagedChannel ch = channels.get(w % channels.size());
      new Object() {
        void next() {
          if (System.nanoTime() > end) {
            done.countDown();
            return;
          }
          long s = System.nanoTime();
          ClientCall<PredictRequest, PredictResponse> call = ch.newCall(PredictionServiceGrpc.getPredictMethod(),
              CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
          call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status st, Metadata trailers) {
              if (!st.isOk()) {
                errors.incrementAndGet();
              }
              if (mine.add(System.nanoTime() - s)) {
                next();
              } else {
                done.countDown();
              }
            }
          }, new Metadata());
          call.request(1);
          call.sendMessage(req);
          call.halfClose();
        }
      }.next();
    }
    done.await(secs + 60, TimeUnit.SECONDS);
    return lat;
  }
}
