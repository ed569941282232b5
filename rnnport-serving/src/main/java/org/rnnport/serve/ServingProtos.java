package org.rnnport.serve;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.predictor.TensorSpec;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.proto.TensorProtoCodec;
import org.tensorflow.Tensor;
import org.tensorflow.framework.TensorProto;

/**
 * TF Serving's gRPC messages ({@code org.tensorflow.framework} classes) to rnnport's tensor codec and back. TF
 * Java's protos ({@code org.tensorflow.proto}) are other classes of the same messages: they convert through their
 * bytes. All value conversion is {@link TensorProtoCodec}'s; this adds only the signature's key and dtype checks.
 */
final class ServingProtos {
  private ServingProtos() {}

  /** The most bytes one request's input tensors may decode to: a quarter of the heap (a guard; issue 25 tunes it). */
  static final long MAX_DECODED_BYTES = Runtime.getRuntime().maxMemory() / 4;

  /** A message as the same message of the other generated classes, through its bytes. */
  static <T extends com.google.protobuf.Message> T convert(com.google.protobuf.MessageLite from,
      com.google.protobuf.Parser<T> to) {
    try {
      return to.parseFrom(from.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot convert " + from.getClass().getName() + ": " + e.getMessage(), e);
    }
  }

  static org.tensorflow.framework.SignatureDef toServing(org.tensorflow.proto.SignatureDef s) {
    return convert(s, org.tensorflow.framework.SignatureDef.parser());
  }

  static org.tensorflow.proto.TensorProto toTfJava(TensorProto p) {
    return convert(p, org.tensorflow.proto.TensorProto.parser());
  }

  /** A tensor as TF Serving's Predict answers it: typed fields, or tensor_content when {@code tensorContent}. */
  static TensorProto toProto(String key, Tensor t, boolean tensorContent) {
    return convert(TensorProtoCodec.encode(HostTensor.of(key, t), tensorContent), TensorProto.parser());
  }

  /** The named input tensors of a request's proto map, for a signature (the caller closes them). */
  static NamedTensors inputs(SignatureSpec sig, Map<String, TensorProto> in) {
    if (!in.keySet().equals(sig.inputs().keySet())) {
      Set<String> extra = new TreeSet<>(in.keySet());
      extra.removeAll(sig.inputs().keySet());
      Set<String> missing = new TreeSet<>(sig.inputs().keySet());
      missing.removeAll(in.keySet());
      throw ServingException.invalid("input size does not match signature: " + in.size() + "!=" + sig.inputs().size()
          + " len({" + String.join(",", new TreeSet<>(in.keySet())) + "}) != len({"
          + String.join(",", sig.inputs().keySet()) + "}). Sent extra: {" + String.join(",", extra)
          + "}. Missing but required: {" + String.join(",", missing) + "}.");
    }
    Map<String, org.tensorflow.proto.TensorProto> protos = new java.util.LinkedHashMap<>();
    long total = 0;
    for (String k : sig.inputs().keySet()) {
      org.tensorflow.proto.TensorProto p = toTfJava(in.get(k));
      TensorSpec spec = sig.inputs().get(k);
      DType given = TensorProtoCodec.dtype(k, p);
      if (given != spec.dtype()) {
        throw ServingException.invalid("input '" + k + "': expects arg to be " + spec.dtypeName() + " but "
            + given.tfName() + " is provided");
      }
      // the decoded size, before anything is allocated: one typed value may broadcast to a huge shape
      long bytes = TensorProtoCodec.byteSize(k, p);
      // past one Java array: no server could take it (INVALID_ARGUMENT); past the heap guard: too large for this one
      org.rnnport.tensorio.Shapes.checkCarried(k, given, TensorProtoCodec.shape(k, p.getTensorShape()), bytes);
      total += bytes;
      if (total > MAX_DECODED_BYTES) {
        throw ServingException.tooLarge("input '" + k + "': the request's tensors decode to more than "
            + MAX_DECODED_BYTES + " bytes, the most one request may take here (a quarter of the JVM's heap)");
      }
      protos.put(k, p);
    }
    NamedTensors out = new NamedTensors();
    try {
      for (Map.Entry<String, org.tensorflow.proto.TensorProto> e : protos.entrySet()) {
        out.put(e.getKey(), TensorProtoCodec.decode(e.getKey(), e.getValue()).toTensor());
      }
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }
}
