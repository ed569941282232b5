package org.rnnport.models;

import org.rnnport.nn.RnnSpec;

/**
 * A notebook model whose recurrent layer can be swapped ({@code --cell/--layers/--bidirectional}):
 * it keeps the notebook's name with the notebook's layer, and gets a suffix otherwise
 * ({@code mnist-rnn-gru-x2-bi}).
 */
abstract class LayeredModel implements NotebookModel {
  private final String baseName;
  private final RnnSpec notebook;
  protected final RnnSpec spec;

  LayeredModel(String baseName, RnnSpec notebook, RnnSpec spec) {
    this.baseName = baseName;
    this.notebook = notebook;
    this.spec = spec;
  }

  /** The TF1 MNIST notebooks' protocol: next_batch steps and the notebook's hooks. */
  @Override
  public TrainingProtocol protocol() {
    return new Tf1NotebookProtocol(this);
  }

  @Override
  public RnnSpec rnn() {
    return spec;
  }

  @Override
  public String registryName() {
    return baseName;
  }

  @Override
  public String name() {
    return spec.equals(notebook) ? baseName : baseName + "-" + spec.suffix();
  }
}
