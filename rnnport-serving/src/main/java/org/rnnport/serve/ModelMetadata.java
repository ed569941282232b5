package org.rnnport.serve;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.Model.ModelSpec;

/**
 * TF Serving's GetModelMetadata: the {@code SignatureDefMap} of a loaded version, for gRPC as a proto and for REST
 * printed by protobuf's JSON printer as TF Serving prints it ({@code http_rest_api_util.cc}: model spec and
 * signature map each printed with field names kept and fields without presence included, then joined).
 */
final class ModelMetadata {
  private ModelMetadata() {}

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
      .includingDefaultValueFields().sortingMapKeys();

  /** Every signature of the version's meta graph, as TF Serving's GetModelMetadataImpl gathers them. */
  static SignatureDefMap signatureDefMap(ModelRepository.Loaded l) {
    SignatureDefMap.Builder sigs = SignatureDefMap.newBuilder();
    l.predictor().metaGraphDef().getSignatureDefMap().forEach((k, v) -> sigs.putSignatureDef(k, ServingProtos.toServing(v)));
    return sigs.build();
  }

  /** The model spec TF Serving answers metadata with: name, version, an empty signature name. */
  static ModelSpec modelSpec(ModelRepository.Loaded l) {
    return ModelSpec.newBuilder().setName(l.name()).setVersion(com.google.protobuf.Int64Value.of(l.version())).build();
  }

  /** REST's {@code /metadata} answer. */
  static byte[] restJson(ModelRepository.Loaded l) {
    try {
      String json = "{\n\"model_spec\":" + PRINTER.print(modelSpec(l)) + ",\n\"metadata\": {\"signature_def\": "
          + PRINTER.print(signatureDefMap(l)) + "}\n}\n";
      return json.getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the metadata of " + l.name() + ": " + e.getMessage(), e);
    }
  }
}
