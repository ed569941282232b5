/**
 * TensorFlow Serving's gRPC and REST APIs over the predictor library, as a drop-in for
 * {@code tensorflow_model_server}: {@link org.rnnport.serve.Inference} (one tensor path for both APIs,
 * with {@link org.rnnport.serve.TensorBatcher} batching), {@link org.rnnport.serve.ModelRepository}
 * (model configs, version policies and labels, hot swap), {@link org.rnnport.serve.GrpcServer} and
 * {@link org.rnnport.serve.RestServer} (Netty), TF Serving's config files
 * ({@link org.rnnport.serve.TfServingConfig}), metrics. The library part throws
 * {@link org.rnnport.serve.ServingException} codes, never HTTP statuses.
 *
 * <p>The model store is managed along TF Serving's lines, one class each: {@link org.rnnport.serve.StoreSource}
 * (polls the store: the version folders on disk and, by the {@link org.rnnport.serve.VersionPolicy}, the aspired
 * versions; TF Serving's file-system storage path source), {@link org.rnnport.serve.VersionLoader} (loads one version
 * whole or not at all: SavedModel, variables, warm-up, its own batching parameters; the SavedModel bundle source
 * adapter), {@link org.rnnport.serve.VersionManager} (the aspired-versions manager: states, loads, availability-
 * preserving unloads, retries when a failed version's folder changes) and {@link org.rnnport.serve.ModelRepository}
 * (the facade: configs, reloads, watchers, lookups). Nothing here writes to the model store.
 *
 * <p>Admission: every admitted request holds one {@link org.rnnport.serve.Slot} under
 * {@code --max-inflight}, released exactly once whatever is thrown; a gRPC Predict is admitted from its
 * protos' headers ({@code ServingProtos.admit}: dtype, rank, rows, decoded bytes) before anything is
 * allocated, and a large one decodes on a worker, not a transport thread (docs/operations.md).
 *
 * <p>Converts no values itself: JSON and TensorProto values become tensors through rnnport-tensorio's codecs
 * ({@code org.rnnport.tensorio.json}, {@code org.rnnport.tensorio.proto}); REST metadata is printed by protobuf's
 * {@code JsonFormat}.
 *
 * <p>May depend on: the predictor library, rnnport-tensorio, Jackson, protobuf-java-util, grpc-java (grpc-services for the health service), Netty, protobuf-java and TF Serving's
 * generated classes (camel-tensorflow-serving, Camel excluded), slf4j-api. Not on core (data,
 * models, training).
 */
package org.rnnport.serve;
