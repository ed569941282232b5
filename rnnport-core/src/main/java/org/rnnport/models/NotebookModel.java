package org.rnnport.models;

import org.tensorflow.op.Ops;
import org.rnnport.nn.SeedSource;

/** One notebook's model: how to build its graph and how the notebook trained it. */
public interface NotebookModel {

  /** Registry name, e.g. {@code mnist-rnn}; also the SavedModel folder name. */
  String name();

  /** The registry name this model was derived from (itself, unless its recurrent layer was swapped). */
  default String registryName() {
    return name();
  }

  /** The notebook's id in {@code shared/seeds}, e.g. {@code 000}. */
  String notebook();

  /** One line saying what it is. */
  String description();

  InputKind input();

  TrainDefaults defaults();

  /** Number of output classes. */
  int classes();

  /**
   * Builds the graph into {@code tf}'s graph.
   *
   * @param training true adds the labels placeholder, the loss and the optimizer
   */
  ModelGraph build(Ops tf, SeedSource seeds, float learningRate, boolean training);

  /** The recurrent layer, for models that can swap it (the MNIST ones), else null. */
  default org.rnnport.nn.RnnSpec rnn() {
    return null;
  }

  /** This model with another recurrent layer ({@code --cell/--units/--layers/--bidirectional}). */
  default NotebookModel withRnn(org.rnnport.nn.RnnSpec spec) {
    throw new IllegalArgumentException(name() + " has a fixed architecture; --cell/--layers/--bidirectional "
        + "apply to the MNIST models");
  }

  /**
   * How {@code TrainingRun} builds the training graph's gradients: TF Java's C++ builder for the notebooks
   * ({@code train}), Python's sums for a Keras model ({@code fit}, when it should give Keras' numbers).
   */
  default org.rnnport.nn.PythonGradients.Mode gradients() {
    return org.rnnport.nn.PythonGradients.Mode.TF;
  }

  /** How the notebook trains: data, batches per epoch, per-step and per-epoch reporting, final evaluation. */
  TrainingProtocol protocol();

  /** After every training step: the notebook's per-step reporting, if any. */
  default void afterStep(TrainContext c) {}

  /** After every epoch, with the mean cost of its batches. */
  default void afterEpoch(TrainContext c, double avgCost) {}

  /** After the last step: the notebook's final report. */
  default void afterTraining(TrainContext c) {}
}
