/**
 * TensorFlow Serving's REST and gRPC APIs over the predictor library: model status, metadata and predict,
 * and columnar), a model repository with version watching and hot swap, limits, metrics and optional
 * micro-batching.
 *
 * <p>May depend on: the predictor library, Jackson, slf4j-api. Not on core (data, models, training).
 */
package org.rnnport.serve;
