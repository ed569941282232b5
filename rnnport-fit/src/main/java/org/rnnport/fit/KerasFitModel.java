package org.rnnport.fit;

import org.rnnport.keras.KerasCompile;
import org.rnnport.keras.KerasGraph;
import org.rnnport.keras.KerasLayer;
import org.rnnport.keras.KerasModel;
import org.rnnport.models.InputKind;
import org.rnnport.models.ModelGraph;
import org.rnnport.models.NotebookModel;
import org.rnnport.models.TrainDefaults;
import org.rnnport.models.TrainingProtocol;
import org.rnnport.nn.PythonGradients;
import org.rnnport.nn.SeedSource;
import org.tensorflow.op.Ops;

/** A Keras Sequential as {@code TrainingRun} trains it: the graph from {@link KerasGraph}, the protocol of the fit. */
final class KerasFitModel implements NotebookModel {
  private final String name;
  private final KerasModel keras;
  private final KerasCompile compile;
  private final String inputKey;
  private final TrainDefaults defaults;
  private final TrainingProtocol protocol;
  private final PythonGradients.Mode gradients;
  private final boolean staticBatch;
  /** {@code tf.random.set_seed}'s seed of the Keras run (the Dropout masks'). */
  private final long globalSeed;
  /** The compiled metrics, built into the training graph. */
  private final java.util.List<org.rnnport.keras.KerasMetrics.Metric> metrics;
  private Long kerasSeed;

  KerasFitModel(String name, KerasModel keras, KerasCompile compile, String inputKey, TrainDefaults defaults,
      TrainingProtocol protocol, PythonGradients.Mode gradients) {
    this(name, keras, compile, inputKey, defaults, protocol, gradients, true, 0, java.util.List.of());
  }

  /**
   * @param staticBatch every training batch is full, so Keras' fit traces a static batch (see KerasGraph.build)
   * @param globalSeed {@code tf.random.set_seed}'s seed of the Keras run (the Dropout masks')
   * @param metrics the compiled metrics
   */
  KerasFitModel(String name, KerasModel keras, KerasCompile compile, String inputKey, TrainDefaults defaults,
      TrainingProtocol protocol, PythonGradients.Mode gradients, boolean staticBatch, long globalSeed,
      java.util.List<org.rnnport.keras.KerasMetrics.Metric> metrics) {
    this.staticBatch = staticBatch;
    this.globalSeed = globalSeed;
    this.metrics = metrics;
    this.name = name;
    this.keras = keras;
    this.compile = compile;
    this.inputKey = inputKey;
    this.defaults = defaults;
    this.protocol = protocol;
    this.gradients = gradients;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String notebook() {
    return "keras";
  }

  @Override
  public String description() {
    StringBuilder sb = new StringBuilder("Keras Sequential '" + keras.name() + "': ");
    for (KerasLayer l : keras.layers()) {
      sb.append(l.getClass().getSimpleName()).append(' ');
    }
    return sb.toString().trim();
  }

  @Override
  public InputKind input() {
    return InputKind.USER_FILES;
  }

  @Override
  public TrainDefaults defaults() {
    return defaults;
  }

  @Override
  public int classes() {
    return keras.outputUnits();
  }

  /**
   * Draw the initial weights as tf-keras 2.18 does after {@code keras.utils.set_random_seed(seed)}
   * ({@link SeedSource#keras}, afresh for every graph built) instead of from the TF1 seeds the run passes in.
   */
  void kerasInitializers(long seed) {
    this.kerasSeed = seed;
  }

  @Override
  public ModelGraph build(Ops tf, SeedSource seeds, float learningRate, boolean training) {
    // the export: Keras' model.predict of one batch of every row, a static batch
    SeedSource s = kerasSeed != null ? SeedSource.keras(kerasSeed) : seeds;
    ModelGraph g = KerasGraph.build(tf, keras, inputKey, s, training ? compile.withLearningRate(learningRate)
        : null, !training || staticBatch, globalSeed);
    if (training) {
      org.rnnport.keras.KerasMetrics.build(tf, metrics, g.probabilities(), g.labels());
    }
    return g;
  }

  @Override
  public TrainingProtocol protocol() {
    return protocol;
  }

  @Override
  public PythonGradients.Mode gradients() {
    return gradients;
  }
}
