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

  // tuning flags of TF Serving's C++ runtime: accepted so a command line carries over, ignored here
  @Option(names = {"--rest_api_num_threads_unused", "--max_num_load_retries",
      "--load_retry_interval_micros", "--grpc_channel_arguments",
      "--flush_filesystem_caches", "--per_process_gpu_memory_fraction", "--enable_signature_method_name_check",
      "--xla_cpu_compilation_enabled", "--platform_config_file", "--rest_api_enable_cors_support",
      "--remove_unused_fields_from_bundle_metagraph", "--num_load_threads", "--num_unload_threads"},
      hidden = true, arity = "0..1", fallbackValue = "true")
  List<String> ignored = new ArrayList<>();

  /**
   * The models' session config as TF Serving's {@code server.cc} builds it: intra-op and inter-op threads from their
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
