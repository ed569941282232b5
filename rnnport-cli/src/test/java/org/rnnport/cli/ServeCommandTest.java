package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code rnnport serve} takes tensorflow_model_server's flags, spelled as TF Serving spells them.
 * Every case here must fail before serving: a command line that parses would start a server and
 * wait for SIGTERM, so each test is bounded and fails instead of hanging the build.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeCommandTest {
  @Test
  void helpListsTfServingsFlags() {
    CliTest.Run help = CliTest.rnnport("serve", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--port", "--rest_api_port", "--rest_api_timeout_in_ms", "--model_name",
        "--model_base_path", "--model_config_file", "--model_config_file_poll_wait_seconds",
        "--file_system_poll_wait_seconds", "--enable_batching", "--batching_parameters_file",
        "--monitoring_config_file", "--grpc_socket_path", "--ssl_config_file", "--models",
        "--enable_serialization_as_tensor_content");
    // TF Serving's default: typed fields; the flag (bare or =true) switches gRPC answers to tensor_content
    assertThat(flags().tensorContent).isFalse();
    assertThat(flags("--enable_serialization_as_tensor_content").tensorContent).isTrue();
    assertThat(flags("--enable_serialization_as_tensor_content=false").tensorContent).isFalse();
  }

  @Test
  void exactlyOneModelSourceAndFlagValueSyntax() {
    CliTest.Run both = CliTest.rnnport("serve", "--models=savedmodels", "--model_base_path=savedmodels/mnist-rnn",
        "--enable_batching=true", "--max_num_load_retries=3");
    assertThat(both.exit()).isNotZero();
    assertThat(both.err()).contains("exactly one of --models", "tuning flags are accepted and ignored");
    CliTest.Run unknown = CliTest.rnnport("serve", "--use_tflite_model=true", "--models=savedmodels");
    assertThat(unknown.exit()).isNotZero();
    assertThat(unknown.err()).contains("--use_tflite_model");
    CliTest.Run noTls = CliTest.rnnport("serve", "--ssl_config_file=no-such.ssl", "--models=savedmodels");
    assertThat(noTls.exit()).isNotZero();
    assertThat(noTls.err()).contains("no-such.ssl");
  }

  private static TfServingFlags flags(String... args) {
    TfServingFlags f = new TfServingFlags();
    new picocli.CommandLine(f).parseArgs(args);
    return f;
  }

  @Test
  void threadFlagsBuildTheSessionConfigAsTfServingDoes() {
    assertThat(flags().sessionConfig()).as("none set: TensorFlow's defaults").isNull();
    org.tensorflow.proto.ConfigProto both = flags("--tensorflow_session_parallelism=3").sessionConfig();
    assertThat(both.getIntraOpParallelismThreads()).isEqualTo(3);
    assertThat(both.getInterOpParallelismThreads()).isEqualTo(3);
    // either of the split flags wins over the session one; the other stays 0 (TensorFlow chooses)
    org.tensorflow.proto.ConfigProto split = flags("--tensorflow_session_parallelism=3",
        "--tensorflow_intra_op_parallelism=1").sessionConfig();
    assertThat(split.getIntraOpParallelismThreads()).isEqualTo(1);
    assertThat(split.getInterOpParallelismThreads()).isZero();
    // values pass as given, as server.cc passes them: a negative inter-op count runs ops in the caller's thread
    org.tensorflow.proto.ConfigProto caller = flags("--tensorflow_intra_op_parallelism=2",
        "--tensorflow_inter_op_parallelism=-1").sessionConfig();
    assertThat(caller.getIntraOpParallelismThreads()).isEqualTo(2);
    assertThat(caller.getInterOpParallelismThreads()).isEqualTo(-1);
    assertThat(flags("--tensorflow_inter_op_parallelism=-1").sessionConfig())
        .as("neither split flag positive: the session flag's 0 decides, as in server.cc").isNull();
    java.io.ByteArrayOutputStream note = new java.io.ByteArrayOutputStream();
    flags("--tensorflow_inter_op_parallelism=-1").warnIgnored(new java.io.PrintStream(note, true));
    assertThat(note.toString()).as("the dropped count is named, with the pair that applies it")
        .contains("--tensorflow_inter_op_parallelism=-1 has no effect")
        .contains("--tensorflow_intra_op_parallelism=" + Runtime.getRuntime().availableProcessors());
    note.reset();
    flags("--tensorflow_intra_op_parallelism=2", "--tensorflow_inter_op_parallelism=-1")
        .warnIgnored(new java.io.PrintStream(note, true));
    assertThat(note.toString()).as("applied: nothing to say").isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> flags("--tensorflow_session_parallelism=2",
        "--tensorflow_intra_op_parallelism=1", "--tensorflow_inter_op_parallelism=2").sessionConfig())
        .hasMessageContaining("not all three");
    assertThat(flags("--saved_model_tags=serve, gpu").tags()).containsExactly("serve", "gpu");
    assertThat(flags().tags()).containsExactly("serve");
  }

  @Test
  void aTagSetTheSavedModelLacksIsNamedWhenNothingLoads() {
    CliTest.Run r = CliTest.rnnport("serve", "--model_name=mnist-rnn", "--model_base_path=savedmodels/mnist-rnn",
        "--saved_model_tags=train", "--port=0", "--rest_api_port=0", "--file_system_poll_wait_seconds=0");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("no loadable SavedModel").contains("train");
  }
}
