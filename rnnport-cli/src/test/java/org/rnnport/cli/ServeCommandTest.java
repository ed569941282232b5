package org.rnnport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code rnnport serve} takes tensorflow_model_server's flags, spelled as TF Serving spells them. */
class ServeCommandTest {
  @Test
  void helpListsTfServingsFlags() {
    CliTest.Run help = CliTest.rnnport("serve", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--port", "--rest_api_port", "--rest_api_timeout_in_ms", "--model_name",
        "--model_base_path", "--model_config_file", "--model_config_file_poll_wait_seconds",
        "--file_system_poll_wait_seconds", "--enable_batching", "--batching_parameters_file",
        "--monitoring_config_file", "--models");
  }

  @Test
  void exactlyOneModelSourceAndFlagValueSyntax() {
    CliTest.Run both = CliTest.rnnport("serve", "--models=savedmodels", "--model_base_path=savedmodels/mnist-rnn",
        "--enable_batching=true", "--tensorflow_session_parallelism=2");
    assertThat(both.exit()).isNotZero();
    assertThat(both.err()).contains("exactly one of --models", "tuning flags are accepted and ignored");
    CliTest.Run unknown = CliTest.rnnport("serve", "--ssl_config_file=x", "--models=savedmodels");
    assertThat(unknown.exit()).isNotZero();
    assertThat(unknown.err()).contains("--ssl_config_file");
  }
}
