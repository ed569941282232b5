import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
 * Usage: java -cp 'rnnport-cli/target/lib/*' bench/GrpcLoad.java PORT CONCURRENCY SECONDS [MODEL] [CONNECTIONS]
 */
public class GrpcLoad {
  public static void main(String[] a) throws Exception {
    int port = Integer.parseInt(a[0]);
    int conc = Integer.parseInt(a[1]);
    int secs = Math.min(600, Integer.parseInt(a[2]));
    String model = a.length > 3 ? a[3] : "mnist-rnn";
    int conns = a.length > 4 ? Integer.parseInt(a[4]) : Math.max(1, Math.min(conc, 4));
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
    PredictRequest req = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model))
        .putInputs("input_X", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape)
            .setTensorContent(ByteString.copyFrom(b.array())).build()).build();
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < conns; i++) {
      channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
    long[][] lat = new long[conc][];
    int[] count = new int[conc];
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(conc);
    long t0 = System.nanoTime();
    for (int w = 0; w < conc; w++) {
      int id = w;
      lat[id] = new long[1 << 20];
      var stub = PredictionServiceGrpc.newStub(channels.get(w % conns));
      new Object() {
        void next() {
          if (System.nanoTime() > end || count[id] >= lat[id].length) {
            done.countDown();
            return;
          }
          long s = System.nanoTime();
          stub.withDeadlineAfter(30, TimeUnit.SECONDS).predict(req, new StreamObserver<PredictResponse>() {
            public void onNext(PredictResponse r) {}

            public void onError(Throwable t) {
              errors.incrementAndGet();
              lat[id][count[id]++] = System.nanoTime() - s;
              next();
            }

            public void onCompleted() {
              lat[id][count[id]++] = System.nanoTime() - s;
              next();
            }
          });
        }
      }.next();
    }
    done.await(secs + 60, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    int total = Arrays.stream(count).sum();
    long[] all = new long[total];
    int k = 0;
    for (int w = 0; w < conc; w++) {
      System.arraycopy(lat[w], 0, all, k, count[w]);
      k += count[w];
    }
    Arrays.sort(all);
    System.out.printf("RESULT p50_ms=%.3f p99_ms=%.3f rps=%.1f requests=%d errors=%d%n", all[total / 2] / 1e6,
        all[(int) (total * 0.99)] / 1e6, total / elapsed, total, errors.get());
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
