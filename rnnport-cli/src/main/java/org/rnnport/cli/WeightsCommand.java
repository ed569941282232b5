package org.rnnport.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rnnport.models.SimpleRnnWeights;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rnnport weights simple-rnn --seed 1 [--input JSON]}: notebook 003a's weight printout. */
@Command(name = "weights", mixinStandardHelpOptions = true,
    description = "Notebook 003a: build Keras SimpleRNN(units=2, return_sequences=True) for input dim 5, print its "
        + "kernel, recurrent_kernel and bias, and run it on an input.")
final class WeightsCommand implements Callable<Integer> {
  @Parameters(description = "simple-rnn")
  String model;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the initializers (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--input", description = "a sequence [time][5] or a batch [batch][time][5] as JSON "
      + "(default: three steps of ones)")
  String input;

  @Override
  public Integer call() throws Exception {
    if (!model.equals("simple-rnn")) {
      throw new IllegalArgumentException("weights knows simple-rnn only, got '" + model + "'");
    }
    float[][][] x = parse(input);
    try (SimpleRnnWeights rnn = new SimpleRnnWeights(seed)) {
      Map<String, float[]> w = rnn.weights();
      for (Tf1Variable v : rnn.variables()) {
        long[] shape = v.shape().asArray();
        System.out.printf("<tf.Variable '%s:0' shape=%s dtype=float32, numpy=%n%s>%n", v.name(), pyShape(shape),
            numpy(w.get(v.name()), shape));
      }
      float[][][] y = rnn.run(x);
      System.out.println("input " + Arrays.deepToString(x));
      System.out.println("output (return_sequences) " + Arrays.deepToString(y));
    }
    return 0;
  }

  static float[][][] parse(String json) throws Exception {
    if (json == null) {
      return new float[][][] {{{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}}};
    }
    var node = Json.MAPPER.readTree(json);
    if (node.isArray() && node.size() > 0 && node.get(0).isArray() && node.get(0).size() > 0
        && node.get(0).get(0).isNumber()) {
      return new float[][][] {Json.MAPPER.treeToValue(node, float[][].class)};
    }
    try {
      return Json.MAPPER.treeToValue(node, float[][][].class);
    } catch (Exception e) {
      throw new IllegalArgumentException("--input: expected [time][5] or [batch][time][5] numbers: " + e.getMessage());
    }
  }

  static String pyShape(long[] s) {
    return s.length == 1 ? "(" + s[0] + ",)" : "(" + s[0] + ", " + s[1] + ")";
  }

  static String numpy(float[] v, long[] shape) {
    if (shape.length == 1) {
      StringBuilder sb = new StringBuilder("array([");
      for (int i = 0; i < v.length; i++) {
        sb.append(i > 0 ? ", " : "").append(v[i]);
      }
      return sb.append("], dtype=float32)").toString();
    }
    StringBuilder sb = new StringBuilder("array([");
    int cols = (int) shape[1];
    for (int r = 0; r < shape[0]; r++) {
      sb.append(r > 0 ? ",\n       [" : "[");
      for (int c = 0; c < cols; c++) {
        sb.append(c > 0 ? ", " : "").append(String.format("%11.8f", v[r * cols + c]));
      }
      sb.append("]");
    }
    return sb.append("], dtype=float32)").toString();
  }
}
