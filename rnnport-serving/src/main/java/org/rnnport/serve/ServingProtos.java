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

  /** The most bytes one request's input tensors may decode to: a quarter of the heap, the backstop behind --max-body-bytes (admit). */
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

  /** TensorFlow's most dimensions (TensorShape's kMaxDims). */
  static final int MAX_RANK = 254;

  /** Bytes a TF string element costs in memory beyond its own bytes (TensorFlow's tstring), for admission. */
  static final int STRING_OVERHEAD = 24;

  /**
   * Admission of a request's tensors before anything is decoded or allocated: each proto's dtype and
   * shape as {@link TensorProtoCodec} reads them (an unknown dtype enum, a negative dimension, an
   * overflowing element count, or more bytes than one tensor carries is INVALID_ARGUMENT naming the
   * input); the rows (the largest first
   * dimension, as the predictor's validate counts them) at most {@code maxRows}; and the bytes the
   * decoded tensors will take ({@link TensorProtoCodec#byteSize}, plus {@link #STRING_OVERHEAD} per
   * string element) at most {@code maxBytes} (RESOURCE_EXHAUSTED, "too large"). Only the protos'
   * headers are read (string values by their lengths): the values are not copied. Returns the bytes.
   */
  static long admit(Map<String, TensorProto> in, long maxBytes, long maxRows) {
    long total = 0;
    for (Map.Entry<String, TensorProto> e : in.entrySet()) {
      String key = e.getKey();
      TensorProto p = e.getValue();
      // the header as TF Java's message, without tensor_content or the typed values (byteSize reads neither)
      org.tensorflow.proto.TensorProto.Builder h = org.tensorflow.proto.TensorProto.newBuilder()
          .setDtypeValue(p.getDtypeValue());
      org.tensorflow.proto.TensorShapeProto.Builder shape = org.tensorflow.proto.TensorShapeProto.newBuilder()
          .setUnknownRank(p.getTensorShape().getUnknownRank());
      p.getTensorShape().getDimList().forEach(d -> shape.addDim(org.tensorflow.proto.TensorShapeProto.Dim.newBuilder()
          .setSize(d.getSize())));
      h.setTensorShape(shape);
      h.addAllStringVal(p.getStringValList());
      org.tensorflow.proto.TensorProto header = h.build();
      long[] dims = TensorProtoCodec.shape(key, header.getTensorShape());
      if (dims.length > MAX_RANK) { // TensorFlow's TensorShape CHECK-fails (aborts the process) past this
        throw ServingException.invalid("input '" + key + "': a shape of " + dims.length + " dimensions; TensorFlow "
            + "allows at most " + MAX_RANK);
      }
      long bytes = TensorProtoCodec.byteSize(key, header);
      DType dtype = TensorProtoCodec.dtype(key, header);
      // the codec's own refusals first (INVALID_ARGUMENT: no tensor can carry it), then this server's limits
      org.rnnport.tensorio.Shapes.checkCarried(key, dtype, dims, bytes);
      if (dtype == DType.STRING) {
        long n = org.rnnport.tensorio.Shapes.count(key, dims);
        bytes = saturated(bytes, n, STRING_OVERHEAD);
      }
      if (dims.length > 0 && dims[0] > maxRows) {
        throw ServingException.tooLarge("input '" + key + "': " + dims[0] + " rows is more than the limit of " + maxRows
            + " per call");
      }
      total = saturated(total, bytes, 1);
      if (total > maxBytes) {
        throw ServingException.tooLarge("input '" + key + "': the request's tensors would take " + (total == Long.MAX_VALUE
            ? "more than 2^63 - 1" : Long.toString(total)) + " bytes, more than the limit of " + maxBytes
            + " (--max-body-bytes)");
      }
    }
    return total;
  }

  /** {@code a + n * each}, Long.MAX_VALUE when it overflows. */
  private static long saturated(long a, long n, long each) {
    try {
      return Math.addExact(a, Math.multiplyExact(n, each));
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
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
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }
}
