/**
 * Neural-network building blocks with TF1/Keras semantics and names: TF1 variables built with
 * {@code graph.opBuilder} under their exact names, seeded initializers (Python's {@code set_random_seed}
 * rule), the cells (BasicRNN, BasicLSTM, GRU, MultiRNN, Keras LSTM), static unrolling, dense layers and
 * the TF1 and Keras Adam optimizers written op for op.
 *
 * <p>May depend on: TensorFlow Java's ops API only. Not on data, models or I/O.
 */
package org.rnnport.nn;
