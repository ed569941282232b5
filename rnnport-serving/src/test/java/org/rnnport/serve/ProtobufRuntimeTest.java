package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnport.TestData;
import org.rnnport.predictor.SavedModelPredictor;
import org.tensorflow.proto.SavedModel;

/**
 * One protobuf runtime (3.25.x) for TF Java's generated classes (3.21 gencode) and TF Serving's
 * (3.25): TF Java loads and parses SavedModels on it, and a message converts between the two
 * packages through its bytes.
 */
class ProtobufRuntimeTest {
  @Test
  void tfJavaLoadsAndParsesOnTheOneRuntimeAndMessagesConvert() throws Exception {
    String jar = com.google.protobuf.Message.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertThat(jar).as("the protobuf-java on the classpath").contains("protobuf-java-3.25.");
    Path dir = TestData.projectDir().resolve("savedmodels/mnist-rnn/1");
    SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
    org.tensorflow.proto.SignatureDef sig = sm.getMetaGraphs(0).getSignatureDefOrThrow("serving_default");
    org.tensorflow.framework.SignatureDef served = ServingProtos.toServing(sig);
    assertThat(served.getInputsOrThrow("input_X").getName()).isEqualTo(sig.getInputsOrThrow("input_X").getName());
    assertThat(served.getOutputsMap().keySet()).isEqualTo(sig.getOutputsMap().keySet());
    assertThat(served.toByteString()).isEqualTo(sig.toByteString());
    try (SavedModelPredictor p = SavedModelPredictor.load(dir)) {
      long[] c = (long[]) p.predict(Map.of("input_X", new float[2][28][28])).get("classes");
      assertThat(c).hasSize(2);
      assertThat(p.metaGraphDef().getSignatureDefMap()).containsKey("serving_default");
    }
  }
}
