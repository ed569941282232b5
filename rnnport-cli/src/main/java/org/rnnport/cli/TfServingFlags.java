package org.rnnport.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code tensorflow_model_server}'s flags, spelled as TF Serving spells them (and taking
 * {@code --flag=value} as it does), with its defaults. The tuning flags of TF Serving's C++ runtime
 * that have no counterpart here are accepted, so a command line carries over unchanged, and named as
 * ignored on stderr.
 */
final class TfServingFlags {
  @Option(names = "--port", defaultValue = "8500", description = "gRPC port (default: ${DEFAULT-VALUE}; 0 = no gRPC)")
  int port;

  @Option(names = "--grpc_socket_path", description = "also serve gRPC on this Unix domain socket (clients dial "
      + "unix:PATH; a socket file left behind is replaced; Linux)")
  Path grpcSocketPath;

  @Option(names = "--ssl_config_file", description = "TLS for gRPC (port and socket): a text SSLConfig with "
      + "server_key (PKCS#8 PEM), server_cert, custom_ca, client_verify, as in TF Serving")
  Path sslConfigFile;

  @Option(names = "--enable_model_warmup", arity = "0..1", fallbackValue = "true", defaultValue = "true",
      description = "run each version's assets.extra/tf_serving_warmup_requests before serving it (default: "
      + "${DEFAULT-VALUE}, as in TF Serving)")
  boolean enableModelWarmup;

  @Option(names = "--num_request_iterations_for_warmup", defaultValue = "1", description = "times each warmup "
      + "request runs (default: ${DEFAULT-VALUE})")
  int warmupIterations;

  @Option(names = "--rest_api_port", defaultValue = "0", description = "REST port (default: ${DEFAULT-VALUE} = no REST, "
      + "as in TF Serving; 8501 by convention)")
  int restPort;

  @Option(names = "--rest_api_timeout_in_ms", defaultValue = "30000", description = "deadline of a REST request, and of "
      + "a gRPC call that sets none (default: ${DEFAULT-VALUE})")
  long restTimeoutMs;

  @Option(names = "--model_name", defaultValue = "default", description = "name of the model of --model_base_path "
      + "(default: ${DEFAULT-VALUE})")
  String modelName;

  @Option(names = "--model_base_path", description = "folder of the model's numeric version folders")
  Path modelBasePath;

  @Option(names = "--model_config_file", description = "TF Serving's model config (text ModelServerConfig: "
      + "model_config_list with name, base_path, model_platform, model_version_policy, version_labels)")
  Path modelConfigFile;

  @Option(names = "--model_config_file_poll_wait_seconds", defaultValue = "0", description = "re-read "
      + "--model_config_file this often and apply changes (default: ${DEFAULT-VALUE} = never)")
  long configPollSeconds;

  @Option(names = "--file_system_poll_wait_seconds", defaultValue = "1", description = "look for new versions this "
      + "often (default: ${DEFAULT-VALUE}; 0 = once at start)")
  long fileSystemPollSeconds;

  @Option(names = "--enable_batching", arity = "0..1", fallbackValue = "true", defaultValue = "false",
      description = "batch concurrent requests into one session run (TF Serving's batching)")
  boolean enableBatching;

  @Option(names = "--enable_serialization_as_tensor_content", arity = "0..1", fallbackValue = "true",
      defaultValue = "false", description = "gRPC Predict answers carry values in tensor_content instead of the typed "
      + "fields (float_val, int64_val, ...; the default), as TF Serving's flag")
  boolean tensorContent;

  @Option(names = "--batching_parameters_file", description = "text BatchingParameters: max_batch_size, "
      + "batch_timeout_micros, num_batch_threads, max_enqueued_batches, allowed_batch_sizes, pad_variable_length_inputs")
  Path batchingFile;

  @Option(names = "--monitoring_config_file", description = "text MonitoringConfig: prometheus_config { enable: true "
      + "path: \"/monitoring/prometheus/metrics\" } serves metrics on the REST port")
  Path monitoringFile;

  @Option(names = "--allow_version_labels_for_unavailable_models", arity = "0..1", fallbackValue = "true",
      defaultValue = "false", description = "accepted; labels may name any configured version here")
  boolean allowLabelsForUnavailable;

  @Option(names = "--tensorflow_session_parallelism", defaultValue = "0", description = "threads of a model's "
      + "session, intra-op and inter-op alike (default: ${DEFAULT-VALUE} = TensorFlow chooses)")
  int sessionParallelism;

  @Option(names = "--tensorflow_intra_op_parallelism", defaultValue = "0", description = "threads one op may use; "
      + "with --tensorflow_inter_op_parallelism, instead of --tensorflow_session_parallelism (default: ${DEFAULT-VALUE})")
  int intraOpParallelism;

  @Option(names = "--tensorflow_inter_op_parallelism", defaultValue = "0", description = "threads that run "
      + "independent ops; negative: each op runs in the calling thread (default: ${DEFAULT-VALUE})")
  int interOpParallelism;

  @Option(names = "--saved_model_tags", defaultValue = "serve", description = "comma-separated tags of the meta "
      + "graph to load (default: ${DEFAULT-VALUE})")
  String savedModelTags;

  @Option(names = "--enable_signature_method_name_check", arity = "0..1", fallbackValue = "true", defaultValue = "false",
      description = "Classify and Regress take only a signature of their method_name (default: ${DEFAULT-VALUE}, as in "
      + "TF Serving: any signature whose inputs and outputs fit, e.g. a native TF2 model's)")
  boolean methodNameCheck;

  @Option(names = "--enable_grpc_healthcheck_service", arity = "0..1", fallbackValue = "true", defaultValue = "false",
      description = "also serve the standard grpc.health.v1.Health service on the gRPC port and socket (server, "
      + "ModelService and PredictionService SERVING; default: ${DEFAULT-VALUE})")
  boolean grpcHealth;

  @Option(names = "--tensorflow_session_config_file", description = "a text TensorFlow ConfigProto for every model's "
      + "session; the thread flags (--tensorflow_*_parallelism) then set its thread counts, as in TF Serving")
  Path sessionConfigFile;

  @Option(names = "--enable_per_model_batching_parameters", arity = "0..1", fallbackValue = "true",
      defaultValue = "false", description = "with --enable_batching: batch each version with its own "
      + "batching_params.pbtxt (a version without one is not batched; default: ${DEFAULT-VALUE})")
  boolean perModelBatching;

  // features of TF Serving that rnnport does not serve: refused by name when asked for (see docs/serving-flags.md)
  @Option(names = "--prefer_tflite_model", arity = "0..1", fallbackValue = "true", hidden = true)
  String preferTflite;
  @Option(names = "--num_tflite_pools", hidden = true)
  String tflitePools;
  @Option(names = "--num_tflite_interpreters_per_pool", hidden = true)
  String tfliteInterpreters;
  @Option(names = "--use_alts_credentials", arity = "0..1", fallbackValue = "true", hidden = true)
  String alts;
  @Option(names = "--enable_profiler", arity = "0..1", fallbackValue = "true", hidden = true)
  String profiler;
  @Option(names = "--skip_initialize_tpu", arity = "0..1", fallbackValue = "true", hidden = true)
  String skipTpu;
  @Option(names = "--mixed_precision", hidden = true)
  String mixedPrecision;
  @Option(names = "--xla_gpu_compilation_enabled", arity = "0..1", fallbackValue = "true", hidden = true)
  String xlaGpu;
  @Option(names = "--thread_pool_factory_config_file", hidden = true)
  String threadPoolFactory;

  /**
   * Refuses, by name, a flag that asks for a feature of TF Serving not served here (TFLite, TPUs, ALTS, the profiler
   * service, XLA on GPUs, custom thread pools); giving such a flag its off value is accepted.
   */
  void refuseNotServed() {
    notServed("--prefer_tflite_model", preferTflite, true, "TensorFlow Lite models are not served (SavedModels only)");
    notServed("--num_tflite_pools", tflitePools, false, "TensorFlow Lite models are not served");
    notServed("--num_tflite_interpreters_per_pool", tfliteInterpreters, false, "TensorFlow Lite models are not served");
    notServed("--use_alts_credentials", alts, true, "Google ALTS credentials are not served; use --ssl_config_file");
    notServed("--enable_profiler", profiler, true, "the TensorFlow profiler service is not served (TF Serving's default "
        + "is on: give --enable_profiler=false to carry a command line over)");
    notServed("--skip_initialize_tpu", skipTpu, true, "TPUs are not served");
    notServed("--mixed_precision", mixedPrecision, false, "mixed precision (a TPU/XLA graph rewrite) is not served");
    notServed("--xla_gpu_compilation_enabled", xlaGpu, true, "XLA on GPUs is not served");
    notServed("--thread_pool_factory_config_file", threadPoolFactory, false, "custom inter/intra-op thread pool "
        + "factories are not served; use --tensorflow_intra_op_parallelism and --tensorflow_inter_op_parallelism");
  }

  private static void notServed(String flag, String value, boolean bool, String why) {
    if (value == null) {
      return;
    }
    boolean off = bool ? value.equalsIgnoreCase("false") || value.equals("0") : value.isEmpty();
    if (!off) {
      throw new IllegalArgumentException(flag + (value.isEmpty() ? "" : "=" + value) + ": " + why
          + " (rnnport serve; see docs/serving-flags.md)");
    }
  }

  // tuning flags of TF Serving's C++ runtime: accepted so a command line carries over, ignored here
  @Option(names = {"--rest_api_num_threads_unused", "--max_num_load_retries",
      "--load_retry_interval_micros", "--grpc_channel_arguments",
      "--flush_filesystem_caches", "--per_process_gpu_memory_fraction",
      "--xla_cpu_compilation_enabled", "--platform_config_file", "--rest_api_enable_cors_support",
      "--remove_unused_fields_from_bundle_metagraph", "--num_load_threads", "--num_unload_threads"},
      hidden = true, arity = "0..1", fallbackValue = "true")
  List<String> ignored = new ArrayList<>();

  /**
   * The models' session config as TF Serving's {@code server.cc} builds it: the {@code --tensorflow_session_config_file}
   * when given, with intra-op and inter-op threads from their
   * own flags when either is positive, else both from --tensorflow_session_parallelism; null (TensorFlow's defaults)
   * when all are 0. Setting all three is refused, as TF Serving refuses it. Values pass to TensorFlow as given: a
   * negative inter-op count runs each op in the calling thread ({@code ConfigProto}'s documented meaning).
   */
  org.tensorflow.proto.ConfigProto sessionConfig() {
    if (sessionParallelism > 0 && intraOpParallelism > 0 && interOpParallelism > 0) {
      throw new IllegalArgumentException("either configure --tensorflow_session_parallelism or "
          + "(--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism) separately: not all three");
    }
    boolean split = intraOpParallelism > 0 || interOpParallelism > 0;
    int intra = split ? intraOpParallelism : sessionParallelism;
    int inter = split ? interOpParallelism : sessionParallelism;
    if (sessionConfigFile != null) {
      // TF Serving's server.cc: the file, then the thread flags over it (0 = TensorFlow chooses)
      org.tensorflow.proto.ConfigProto.Builder b = org.tensorflow.proto.ConfigProto.newBuilder();
      try {
        com.google.protobuf.TextFormat.merge(java.nio.file.Files.readString(sessionConfigFile), b);
      } catch (com.google.protobuf.TextFormat.ParseException e) {
        throw new IllegalArgumentException("--tensorflow_session_config_file " + sessionConfigFile + ": Error parsing "
            + "text-format tensorflow.ConfigProto: " + e.getMessage(), e);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("--tensorflow_session_config_file " + sessionConfigFile, e);
      }
      return b.setIntraOpParallelismThreads(intra).setInterOpParallelismThreads(inter).build();
    }
    if (intra == 0 && inter == 0) {
      return null;
    }
    return org.tensorflow.proto.ConfigProto.newBuilder().setIntraOpParallelismThreads(intra)
        .setInterOpParallelismThreads(inter).build();
  }

  /** --saved_model_tags as a tag set. */
  String[] tags() {
    String[] t = java.util.Arrays.stream(savedModelTags.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .toArray(String[]::new);
    if (t.length == 0) {
      throw new IllegalArgumentException("--saved_model_tags: no tag in '" + savedModelTags + "'");
    }
    return t;
  }

  void warnIgnored(PrintStream err) {
    if (!ignored.isEmpty()) {
      err.println("note: TF Serving runtime tuning flags are accepted and ignored here: " + ignored);
    }
    if (intraOpParallelism <= 0 && interOpParallelism < 0) {
      // server.cc takes the intra/inter pair only when either is positive: a negative inter-op count alone is dropped
      err.println("note: --tensorflow_inter_op_parallelism=" + interOpParallelism + " has no effect without a positive "
          + "--tensorflow_intra_op_parallelism (TF Serving's rule: the session flag, " + sessionParallelism + ", sets "
          + "both); to run ops in the calling thread with TensorFlow's intra-op default give "
          + "--tensorflow_intra_op_parallelism=" + Runtime.getRuntime().availableProcessors() + " (this machine's cores)");
    }
  }
}
