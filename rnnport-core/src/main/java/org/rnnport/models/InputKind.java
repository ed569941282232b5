package org.rnnport.models;

/** How a model's input is fed from its dataset; eval and serve pick the pipeline from this. */
public enum InputKind {
  /** MNIST images as 28 rows of 28 pixels, {@code float [-1, 28, 28]}. */
  MNIST_ROWS("mnist"),
  /** MNIST images as flat 784-vectors, {@code float [-1, 784]}. */
  MNIST_FLAT("mnist"),
  /** Reuters newswires as padded word-id sequences, {@code int32 [-1, 100]}. */
  REUTERS_SEQUENCES("reuters"),
  /** The user's own files, read by {@code rnnport fit} (a Keras model's input: token ids or float sequences). */
  USER_FILES("user");

  private final String dataset;

  InputKind(String dataset) {
    this.dataset = dataset;
  }

  /** The manifest dataset this input reads. */
  public String dataset() {
    return dataset;
  }
}
