/**
 * rnnport's one tensor I/O layer: the only place where values turn into tensors and tensors into values.
 *
 * <p>Owns the dtype model ({@link org.rnnport.tensorio.DType}) and, in its sub-packages, the TensorProto and
 * JSON codecs (TF Serving's rules), TFRecord framing with masked CRC-32C, NPY/NPZ and IDX headers, and the
 * batcher from rows to batch tensors. Every front end (serving's REST and gRPC, predict, Spark, warm-up, event
 * files, the bundled-data readers, the predictor's typed answers) calls it and adds no conversion of its own.
 *
 * <p>May depend on TensorFlow Java's core API (and the protobuf runtime it brings) only, so that the predictor
 * library, and a service built on it, pull in nothing more.
 */
package org.rnnport.tensorio;
