/**
 * Rows to batch tensors and back, for every dtype: {@link org.rnnport.tensorio.batch.Column} (a block of rows of one
 * input or output in a Java array of the dtype's own width, or in a tensor's memory),
 * {@link org.rnnport.tensorio.batch.ColumnBuilder} (values added one at a time, each checked to fit the dtype
 * exactly: nothing is rounded, wrapped or widened on the way), {@link org.rnnport.tensorio.batch.RowBatcher} (rows
 * gathered into one column per input key; a ragged row is refused with its index and the key) and
 * {@link org.rnnport.tensorio.batch.BatchTensors} (a column as a batch tensor, and a batch tensor as a column).
 * Predict's readers and writers, Spark's partitions and serving's batching use it.
 *
 * <p>May depend on TensorFlow Java's core API and {@code org.rnnport.tensorio} only.
 */
package org.rnnport.tensorio.batch;
