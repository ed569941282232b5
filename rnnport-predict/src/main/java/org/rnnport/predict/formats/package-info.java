/**
 * The file formats of {@code rnnport predict}: readers (npy, npz, IDX, JSON Lines, CSV, TFRecord of
 * tf.train.Example, Parquet) that turn files into batches of rows by input key, and writers (JSON
 * Lines, CSV, npy, npz, Parquet) of the outputs.
 *
 * <p>May depend on: {@link org.rnnport.predict}'s row types, TensorFlow's protos, Jackson, Parquet.
 */
package org.rnnport.predict.formats;
