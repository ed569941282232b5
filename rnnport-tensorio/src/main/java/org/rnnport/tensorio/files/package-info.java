/**
 * The file formats of rnnport's tensor I/O, each read and written in this one place: TFRecord framing
 * ({@link org.rnnport.tensorio.files.TfRecordInput}, {@link org.rnnport.tensorio.files.TfRecordOutput}, with
 * TensorFlow's masked CRC-32C in {@link org.rnnport.tensorio.files.MaskedCrc32c}), NPY/NPZ array headers
 * ({@link org.rnnport.tensorio.files.NpyHeader}) and IDX headers ({@link org.rnnport.tensorio.files.IdxHeader}).
 * Predict's inputs, the server's warm-up files, TensorBoard event files and the bundled-data readers (MNIST's IDX,
 * Reuters' NPZ) all go through it.
 *
 * <p>Owns the framing and header layouts and their errors ({@link org.rnnport.tensorio.files.FileFormatException},
 * naming the file, the record or header field, and what is wrong); the callers own what the records and arrays
 * mean. Dtypes are {@link org.rnnport.tensorio.DType}s. May depend on the JDK and on {@code org.rnnport.tensorio}
 * only (no TensorFlow classes are needed to frame or parse).
 */
package org.rnnport.tensorio.files;
