package org.rnnport.predictor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The in-memory loader ({@link SavedModelLoader}) against TensorFlow's own ({@code loader.cc}, through TF Java's
 * {@link SavedModelBundle}): on rnnport's export and TF Serving's test models as they are, every output of every
 * signature both can call is the same, bit for bit, on the same inputs.
 */
class SavedModelLoaderTest {
  static Path testdata() {
    String env = System.getenv("RNNPORT_TFSERVING_SUITE");
    Path suite = env != null ? Path.of(env) : MnistTestImages.ROOT.resolve("../shared/tfserving-suite");
    Path d = suite.resolve("tensorflow_serving/servables/tensorflow/testdata").toAbsolutePath().normalize();
    assertThat(d).as("TF Serving's testdata (../shared/tfserving-suite, or RNNPORT_TFSERVING_SUITE)").isDirectory();
    return d;
  }

  @Test
  void loadsAsTensorFlowsLoaderDoesBitForBit() throws Exception {
    Path td = testdata();
    List<Path> models = List.of(MnistTestImages.ROOT.resolve("savedmodels/mnist-rnn/1"),
        td.resolve("saved_model_half_plus_two_cpu/00000123"), td.resolve("saved_model_half_plus_two_tf2_cpu/00000123"),
        td.resolve("saved_model_half_plus_two_2_versions/00000124"),
        td.resolve("saved_model_half_plus_two_cpu_with_saved_model_config/00000123"));
    Random rnd = new Random(7);
    int compared = 0;
    for (Path dir : models) {
      assertThat(dir.resolve("saved_model.pb")).exists();
      try (SavedModelBundle tf = SavedModelBundle.load(dir.toString(), "serve");
          SavedModelPredictor p = SavedModelPredictor.builder(dir).optResolveVersion(false).build()) {
        for (SignatureSpec sig : p.signatures().values()) {
          if (p.unusableSignatures().containsKey(sig.key())
              || sig.inputs().values().stream().anyMatch(t -> !List.of("DT_FLOAT", "DT_INT32", "DT_INT64")
                  .contains(t.dtypeName()))) {
            continue; // serialized tf.Examples and the like: not random numbers
          }
          Map<String, Tensor> in = new LinkedHashMap<>();
          try {
            for (TensorSpec t : sig.inputs().values()) {
              in.put(t.key(), random(t, rnd));
            }
            try (Result a = tf.function(sig.key()).call(in); Result b = p.run(sig, in)) {
              for (String k : sig.outputs().keySet()) {
                Tensor x = a.get(k).orElseThrow();
                Tensor y = b.get(k).orElseThrow();
                assertThat(y.shape()).as(dir + " " + sig.key() + " " + k).isEqualTo(x.shape());
                assertThat(bytes(y)).as(dir + " " + sig.key() + " " + k).isEqualTo(bytes(x));
                compared++;
              }
            }
          } finally {
            in.values().forEach(Tensor::close);
          }
        }
      }
    }
    assertThat(compared).isGreaterThanOrEqualTo(8);
  }

  static Tensor random(TensorSpec t, Random rnd) {
    long[] s = t.shape() == null ? new long[] {3} : t.shape().clone();
    for (int i = 0; i < s.length; i++) {
      s[i] = s[i] < 0 ? 3 : s[i];
    }
    Shape shape = Shape.of(s);
    return switch (t.dtypeName()) {
      case "DT_FLOAT" -> TFloat32.tensorOf(shape, d -> d.scalars().forEach(x -> x.setFloat(rnd.nextFloat())));
      case "DT_INT32" -> TInt32.tensorOf(shape, d -> d.scalars().forEach(x -> x.setInt(rnd.nextInt(10))));
      default -> TInt64.tensorOf(shape, d -> d.scalars().forEach(x -> x.setLong(rnd.nextInt(10))));
    };
  }

  static byte[] bytes(Tensor t) {
    var raw = t.asRawTensor().data();
    byte[] b = new byte[(int) raw.size()];
    raw.read(b);
    return b;
  }

  @Test
  void nothingIsWrittenBesideTheModel() throws Exception {
    Path td = testdata().resolve("saved_model_half_plus_three");
    long before;
    try (var s = Files.list(td)) {
      before = s.count();
    }
    try (SavedModelPredictor p = SavedModelPredictor.load(td)) {
      assertThat(p.signatures()).containsKey("serving_default");
    }
    try (var s = Files.list(td)) {
      assertThat(s.count()).as("no .rnnport-load-* copy beside the version folder").isEqualTo(before);
    }
  }
}
