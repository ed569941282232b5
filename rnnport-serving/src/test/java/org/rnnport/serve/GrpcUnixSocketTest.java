package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.TestData;
import org.rnnport.predictor.SavedModelPredictor;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * gRPC on a Unix domain socket (TF Serving's {@code --grpc_socket_path}) with grpc-java's own client
 * over Netty's epoll domain-socket channel, serving the committed mnist-rnn on real MNIST images: the
 * same answers as the TCP port and the predictor; a socket file left behind is replaced, any other
 * file is refused and kept; the socket file is gone after stop. (TF Serving's Python client over
 * {@code unix:PATH}: {@link TfServingPythonClientTest}.)
 */
class GrpcUnixSocketTest {
  @TempDir
  Path tmp;

  @Test
  void unixSocketAnswersAsThePortAndThePredictor() throws Exception {
    ServeTest.copyTree(TestData.projectDir().resolve("savedmodels/mnist-rnn/1"), tmp.resolve("m/mnist-rnn/1"));
    float[][][] images = ServeLimitsTest.images(TestData.mnistTest(), 0, 5);
    long[] expected;
    try (SavedModelPredictor p = SavedModelPredictor.load(tmp.resolve("m/mnist-rnn/1"))) {
      expected = (long[]) p.predict(Map.of("input_X", images)).get("classes");
    }
    Path socket = tmp.resolve("tf-serving.sock");
    // a socket file left behind by a server that died: bound, closed, never removed
    try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
    EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
    try (ServingStack stack = ServingStack.folder(tmp.resolve("m"), null, socket)) {
      ManagedChannel unix = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
          .eventLoopGroup(loop).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
      ManagedChannel tcp = NettyChannelBuilder.forAddress("127.0.0.1", stack.grpc().port()).usePlaintext().build();
      try {
        var request = GrpcTest.request(GrpcTest.content(images)).build();
        PredictResponse overUnix = PredictionServiceGrpc.newBlockingStub(unix).withDeadlineAfter(60, TimeUnit.SECONDS)
            .predict(request);
        PredictResponse overTcp = PredictionServiceGrpc.newBlockingStub(tcp).withDeadlineAfter(60, TimeUnit.SECONDS)
            .predict(request);
        assertThat(GrpcTest.classes(overUnix)).containsExactly(expected);
        assertThat(overUnix).isEqualTo(overTcp);
        GetModelStatusResponse status = ModelServiceGrpc.newBlockingStub(unix).withDeadlineAfter(60, TimeUnit.SECONDS)
            .getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("mnist-rnn"))
                .build());
        assertThat(status.getModelVersionStatus(0).getState()).isEqualTo(ModelVersionStatus.State.AVAILABLE);
      } finally {
        unix.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        tcp.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    } finally {
      loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    assertThat(socket).as("the socket file is removed at stop").doesNotExist();
  }

  @Test
  void aFileThatIsNotASocketIsRefusedAndKept() throws Exception {
    Path notSocket = tmp.resolve("data.txt");
    Files.writeString(notSocket, "user data");
    Files.createDirectories(tmp.resolve("empty"));
    try (ModelRepository repo = new ModelRepository(tmp.resolve("empty"), 16);
        Inference inference = new Inference(repo, null, 30_000)) {
      GrpcServer g = new GrpcServer(inference, new Metrics(), new GrpcServer.Config("127.0.0.1", -1, 2, 8, 1 << 20,
          30_000), notSocket);
      assertThatThrownBy(g::start).hasMessageContaining(notSocket.toString()).hasMessageContaining("is not a socket");
      g.stop(0);
      // a named pipe is no socket either (gRPC's C core unlinks S_IFSOCK files only)
      Path fifo = tmp.resolve("pipe");
      assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
      GrpcServer f = new GrpcServer(inference, new Metrics(), new GrpcServer.Config("127.0.0.1", -1, 2, 8, 1 << 20,
          30_000), fifo);
      assertThatThrownBy(f::start).hasMessageContaining("is not a socket");
      f.stop(0);
      assertThat(fifo).exists();
      GrpcServer h = new GrpcServer(inference, new Metrics(), new GrpcServer.Config("127.0.0.1", -1, 2, 8, 1 << 20,
          30_000), tmp.resolve("no-such-folder/grpc.sock"));
      assertThatThrownBy(h::start).hasMessageContaining("no-such-folder").hasMessageContaining("does not exist");
      h.stop(0);
    }
    assertThat(Files.readString(notSocket)).isEqualTo("user data");
  }
}
