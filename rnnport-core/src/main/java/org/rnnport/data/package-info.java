/**
 * Datasets: the manifest of canonical files with sha256, fetching from a mirror or the canonical
 * URLs (atomic, verified), the MNIST IDX reader and TF1 {@code input_data} splits, the Keras Reuters
 * loader ({@code load_data}, {@code pad_sequences}, word index), numpy's MT19937, TF's RandomShuffle kernel (Philox)
 * and TF1/Keras batching.
 *
 * <p>May depend on: {@code org.rnnport.util}, the JDK, Jackson and the pickle reader. Not on TensorFlow
 * graphs, models or training.
 */
package org.rnnport.data;
