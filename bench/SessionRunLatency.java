import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Benchmark (not a test): the latency of one in-process session run of a SavedModel's
 * {@code serving_default} at batch 1 (one 28 x 28 image of zeros), with the session's thread settings,
 * through {@link SessionFunction#call} (what rnnport's predictor and server call) and through a
 * {@link Session.Runner} fed and fetched by pre-resolved outputs. Prints p10/p50/p90 per round.
 *
 * <p>Usage: {@code java -cp "rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*" bench/SessionRunLatency.java
 * MODEL_DIR ITERATIONS INTRA_OP INTER_OP [rounds]} (0 = TensorFlow's choice; a negative inter-op count runs the ops
 * in the caller's thread). {@code bench/session-latency.sh} runs the arms alternating.
 */
public class SessionRunLatency {
  public static void main(String[] a) throws Exception {
    int iters = Integer.parseInt(a[1]);
    ConfigProto config = ConfigProto.newBuilder().setIntraOpParallelismThreads(Integer.parseInt(a[2]))
        .setInterOpParallelismThreads(Integer.parseInt(a[3])).build();
    int rounds = a.length > 4 ? Integer.parseInt(a[4]) : 4;
    try (SavedModelBundle b = SavedModelBundle.loader(a[0]).withTags("serve").withConfigProto(config).load()) {
      SessionFunction f = b.function("serving_default");
      String key = f.signature().inputNames().iterator().next();
      Graph g = b.graph();
      Output<?> in = g.outputOrThrow(f.signature().getInputs().get(key).name);
      List<Output<?>> outs = new ArrayList<>();
      f.signature().getOutputs().values().forEach(t -> outs.add(g.outputOrThrow(t.name)));
      Session s = b.session();
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, 28, 28))) {
        for (int round = 0; round < rounds; round++) {
          for (String mode : List.of("function", "runner")) {
            long[] t = new long[iters];
            for (int i = 0; i < iters; i++) {
              long t0 = System.nanoTime();
              if (mode.equals("function")) {
                try (Result r = f.call(Map.of(key, x))) {
                  // closed at once: only the run is timed
                }
              } else {
                Session.Runner runner = s.runner().feed(in, x);
                outs.forEach(runner::fetch);
                try (Result r = runner.run()) {
                  // as above
                }
              }
              t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            System.out.printf("intra=%s inter=%s round %d %-8s p10 %.1f p50 %.1f p90 %.1f us%n", a[2], a[3], round,
                mode, t[iters / 10] / 1e3, t[iters / 2] / 1e3, t[iters * 9 / 10] / 1e3);
          }
        }
      }
    }
  }
}
