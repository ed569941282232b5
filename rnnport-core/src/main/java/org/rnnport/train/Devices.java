package org.rnnport.train;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.RunOptions;

/** Device requests ({@code --device /CPU:0}), session configs, and which devices really ran ops. */
public final class Devices {
  private Devices() {}

  private static final Pattern DEVICE = Pattern.compile("^/?(?:device:)?(CPU|GPU)(?::(\\d+))?$",
      Pattern.CASE_INSENSITIVE);

  /** Parses {@code /CPU:0}, {@code /GPU:1}, {@code /device:GPU:0}, {@code cpu}; null or empty gives null. */
  public static DeviceSpec parse(String device) {
    if (device == null || device.isBlank()) {
      return null;
    }
    Matcher m = DEVICE.matcher(device.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("--device: '" + device + "' is not a device like /CPU:0 or /GPU:0");
    }
    DeviceSpec.DeviceType type = DeviceSpec.DeviceType.valueOf(m.group(1).toUpperCase(Locale.ROOT));
    int index = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    return DeviceSpec.newBuilder().deviceType(type).deviceIndex(index).build();
  }

  /**
   * A session config with soft placement (an op that cannot run on the requested device falls
   * back to one that can) and the given thread counts (0 lets TensorFlow choose).
   */
  public static ConfigProto config(int threads) {
    ConfigProto.Builder b = ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        .setIntraOpParallelismThreads(Integer.getInteger("rnnport.tf.intraOpThreads", Math.max(0, threads)))
        .setInterOpParallelismThreads(Integer.getInteger("rnnport.tf.interOpThreads", Math.max(0, threads)));
    if (Boolean.getBoolean("rnnport.tf.disableThreadSpinning")) {
      b.getExperimentalBuilder().setDisableThreadSpinning(true);
    }
    if (Boolean.getBoolean("rnnport.tf.xla")) {
      enableXlaCpuJit();
      b.getGraphOptionsBuilder().getOptimizerOptionsBuilder()
          .setGlobalJitLevel(org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.ON_1);
    }
    return b.build();
  }

  /**
   * XLA auto-clustering on CPU ({@code -Drnnport.tf.xla=true}, a benchmark lever): the session's
   * {@code global_jit_level} alone does nothing on CPU; TensorFlow also needs its CPU global-jit flag. Setting it
   * through the C API here was not enough in TF Java 1.1.0 (no cluster was compiled); the environment variable
   * {@code TF_XLA_FLAGS=--tf_xla_cpu_global_jit} is (TensorFlow logs "Compiled cluster using XLA!").
   */
  private static synchronized void enableXlaCpuJit() {
    org.tensorflow.internal.c_api.global.tensorflow.TF_SetTfXlaCpuGlobalJit((byte) 1);
  }

  /** Options that make a run report where each op executed. */
  public static RunOptions traceOptions() {
    return RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
  }

  /**
   * Runs {@code r} traced ({@link #traceOptions}). TensorFlow allows one profiler session per process: a second
   * traced run while one is in flight fails with "Another profiling session active". So traced runs take turns,
   * whichever Session they are on (two trainers in one JVM, as {@code parity --all --jobs 2} runs them).
   */
  public static Result tracedRun(Session.Runner r) {
    synchronized (TRACE_LOCK) {
      return r.setOptions(traceOptions()).runAndFetchMetadata();
    }
  }

  private static final Object TRACE_LOCK = new Object();

  /** The devices that executed ops in a traced run ({@link #traceOptions}). */
  public static Set<String> devicesUsed(Result tracedResult) {
    Set<String> devices = new TreeSet<>();
    tracedResult.getMetadata().ifPresent(md -> {
      for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
        if (d.getNodeStatsCount() > 0) {
          devices.add(d.getDevice());
        }
      }
    });
    return devices;
  }

  /** A new session on {@code graph} with {@link #config}. */
  public static Session session(org.tensorflow.Graph graph, int threads) {
    return new Session(graph, config(threads));
  }
}
