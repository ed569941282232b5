package org.rnnport.keras;

import org.rnnport.nn.KerasActivation;

/** One layer of a Keras Sequential as rnnport builds it (the checked subset of its config). */
public sealed interface KerasLayer {
  /** The layer's Keras name (the variables' scope). */
  String name();

  /**
   * {@code Embedding(input_dim, output_dim, embeddings_initializer=RandomUniform(minval, maxval), mask_zero)}; with
   * {@code maskZero} its mask ({@code ids != 0}) flows to the layers after it as Keras' compute_mask propagates it.
   */
  record Embedding(String name, int inputDim, int outputDim, float minval, float maxval, boolean maskZero)
      implements KerasLayer {}

  /**
   * {@code Masking(mask_value)}: {@code x * cast(any(x != mask_value, -1))}, and that mask for the layers after it.
   */
  record Masking(String name, float maskValue) implements KerasLayer {}

  /**
   * {@code TimeDistributed(Dense)}: the Dense on every step ({@code reshape} to {@code [batch * time, d]}, the Dense,
   * {@code reshape} back); its variables are {@code <name>/kernel}, {@code <name>/bias}.
   */
  record TimeDistributed(String name, Dense layer) implements KerasLayer {}

  /** The recurrent layers. */
  enum Kind {
    SIMPLE_RNN("SimpleRNN"), GRU("GRU"), LSTM("LSTM");

    final String keras;

    Kind(String keras) {
      this.keras = keras;
    }
  }

  /**
   * {@code SimpleRNN}, {@code GRU} or {@code LSTM}.
   *
   * @param activation SimpleRNN's activation (tanh for GRU and LSTM)
   * @param resetAfter GRU's {@code reset_after}
   */
  record Recurrent(Kind kind, String name, int units, KerasActivation activation, boolean useBias,
      boolean returnSequences, boolean resetAfter) implements KerasLayer {}

  /**
   * {@code Bidirectional(layer, merge_mode)}: {@code forward_<name>} on the steps in order, {@code backward_<name>}
   * on them reversed (its sequence output reversed back), merged by {@code concat}, {@code sum}, {@code ave} or
   * {@code mul}.
   */
  record Bidirectional(String name, Recurrent layer, String mergeMode) implements KerasLayer {
    public int units() {
      return mergeMode.equals("concat") ? 2 * layer.units() : layer.units();
    }
  }

  /**
   * {@code Dropout(rate, noise_shape=None, seed)}: in training, tf-keras' {@code tf.nn.dropout} (inverted dropout,
   * its masks drawn as Keras' RandomUniform draws them); the identity in inference and in the export.
   *
   * @param seed the layer's seed, or null
   */
  record Dropout(String name, double rate, Long seed) implements KerasLayer {}

  /**
   * {@code Dense(units, activation, use_bias)} on a {@code [batch, features]} input, or on a {@code [batch, time,
   * features]} one (Keras' tensordot: reshape, matmul, reshape, bias_add, activation).
   */
  record Dense(String name, int units, KerasActivation activation, boolean useBias) implements KerasLayer {}
}
