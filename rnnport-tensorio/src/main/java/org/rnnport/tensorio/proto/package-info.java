/**
 * TensorFlow's {@code TensorProto} to and from {@link org.rnnport.tensorio.HostTensor}, by TensorFlow's rules: every
 * encoding read ({@code tensor_content}, each typed field, {@code half_val} for float16 and bfloat16, one value
 * broadcast to the whole shape), typed fields written by default as TF Serving's Predict does, sizes checked before
 * anything is allocated.
 *
 * <p>May depend on {@code org.rnnport.tensorio} and TF Java's protos (protobuf-java) only.
 */
package org.rnnport.tensorio.proto;
