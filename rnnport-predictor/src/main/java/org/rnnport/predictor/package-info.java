/**
 * The predictor library: load any SavedModel (rnnport's exports, Python's TF1 {@code Builder}, TF2
 * {@code tf.saved_model.save}) and run its signatures from Java arrays or tensors; answers are
 * {@link org.rnnport.predictor.Prediction}s with typed accessors. Values become tensors only through
 * rnnport-tensorio's {@link org.rnnport.tensorio.HostTensor}.
 *
 * <p>What it is for: Java services and batch jobs that only need predictions. What it may depend
 * on: rnnport-tensorio (without its optional JSON library), {@code tensorflow-core-api} and
 * {@code slf4j-api}, nothing else (no JSON, no CLI, no logging
 * binding, no native classifier: the application chooses the CPU or GPU natives). It throws no
 * protocol status codes: {@link org.rnnport.predictor.InvalidInputException} and
 * {@link org.rnnport.predictor.SavedModelPredictor.ClosedException} say what went wrong, and the
 * serving layer maps them to HTTP or gRPC.
 */
package org.rnnport.predictor;
