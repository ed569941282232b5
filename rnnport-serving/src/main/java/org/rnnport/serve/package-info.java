/**
 * TensorFlow Serving's gRPC and REST APIs over the predictor library, as a drop-in for
 * {@code tensorflow_model_server}: {@link org.rnnport.serve.Inference} (one tensor path for both APIs,
 * with {@link org.rnnport.serve.TensorBatcher} batching), {@link org.rnnport.serve.ModelRepository}
 * (model configs, version policies and labels, hot swap), {@link org.rnnport.serve.GrpcServer} and
 * {@link org.rnnport.serve.RestServer} (Netty), TF Serving's config files
 * ({@link org.rnnport.serve.TfServingConfig}), metrics. The library part throws
 * {@link org.rnnport.serve.ServingException} codes, never HTTP statuses.
 *
 * <p>Converts no values itself: JSON and TensorProto values become tensors through rnnport-tensorio's codecs
 * ({@code org.rnnport.tensorio.json}, {@code org.rnnport.tensorio.proto}); REST metadata is printed by protobuf's
 * {@code JsonFormat}.
 *
 * <p>May depend on: the predictor library, rnnport-tensorio, Jackson, protobuf-java-util, grpc-java, Netty, protobuf-java and TF Serving's
 * generated classes (camel-tensorflow-serving, Camel excluded), slf4j-api. Not on core (data,
 * models, training).
 */
package org.rnnport.serve;
