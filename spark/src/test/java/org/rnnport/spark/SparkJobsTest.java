package org.rnnport.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceSet;
import org.rnnport.predictor.SavedModelPredictor;

/** Two models in one job, a model shipped with addFile as a zip, and TF Java's protobuf inside a Spark task. */
class SparkJobsTest {

  @Test
  void twoModelsInOneJob() throws IOException {
    // row i: MNIST test image i and Reuters test newswire i; mnist-rnn and reuters-lstm score it in one pass
    SequenceSet reuters = Reuters.notebook(TestSpark.dataDir("reuters", "reuters.npz")).test();
    int n = 120;
    int len = reuters.length();
    StructType schema = TestSpark.PIXELS.add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] tokens = new Object[len];
      for (int t = 0; t < len; t++) {
        tokens[t] = reuters.tokens()[i * len + t];
      }
      rows.add(RowFactory.create((long) i, TestSpark.boxed(TestSpark.image(i)), tokens));
    }
    Dataset<Row> data = TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(rows, 2), schema);
    SparkPredictor digits = SparkPredictor.builder(TestSpark.MNIST_RNN.toString()).inputColumn("pixels")
        .prefix("digit_").outputs("classes", "logits").batchSize(60).build();
    SparkPredictor topics = SparkPredictor.builder(TestSpark.REUTERS_LSTM.toString())
        .inputColumn("embedding_input", "tokens").prefix("topic_").outputs("probabilities", "classes").batchSize(60)
        .build();
    Dataset<Row> scored = topics.transform(digits.transform(data));
    assertThat(scored.schema().fieldNames()).containsExactly("id", "pixels", "tokens", "digit_classes", "digit_logits",
        "topic_probabilities", "topic_classes");
    List<Row> out = scored.collectAsList();

    SavedModelPredictor mnist = ModelCache.get(digits.model());
    SavedModelPredictor lstm = ModelCache.get(topics.model());
    for (int b = 0; b < n; b += 60) { // each partition is one batch of 60
      Map<String, Object> d = mnist.predict(Map.of("input_X", TestSpark.images(b, 60)));
      int[][] tok = new int[60][len];
      for (int i = 0; i < 60; i++) {
        System.arraycopy(reuters.tokens(), (b + i) * len, tok[i], 0, len);
      }
      Map<String, Object> t = lstm.predict(Map.of("embedding_input", tok));
      for (int i = 0; i < 60; i++) {
        Row r = out.get(b + i);
        assertThat(r.getLong(r.fieldIndex("digit_classes"))).isEqualTo(((long[]) d.get("classes"))[i]);
        SparkPredictorTest.assertBits(TestSpark.floats(r, "digit_logits"), ((float[][]) d.get("logits"))[i],
            "digit logits of row " + (b + i));
        assertThat(r.getLong(r.fieldIndex("topic_classes"))).isEqualTo(((long[]) t.get("classes"))[i]);
        SparkPredictorTest.assertBits(TestSpark.floats(r, "topic_probabilities"),
            ((float[][]) t.get("probabilities"))[i], "topic probabilities of row " + (b + i));
      }
    }
    // one predictor per model in this JVM, whatever the number of tasks
    assertThat(ModelCache.keys()).contains(new ModelCache.Key(TestSpark.MNIST_RNN, 1),
        new ModelCache.Key(TestSpark.REUTERS_LSTM, 1));
    assertThat(ModelCache.keys().stream().filter(k -> k.dir().equals(TestSpark.MNIST_RNN)).count()).isEqualTo(1);
  }

  @Test
  void aZippedModelShippedWithAddFileIsFoundWithSparkFiles() throws IOException {
    // the base folder savedmodels/mnist-rnn (version 1 inside, plus any user exports) zipped: take version 1
    Path zip = Files.createTempDirectory("rnnport-spark-test").resolve("mnist-rnn-v1.zip");
    Path stage = Files.createTempDirectory("rnnport-spark-stage");
    Path v1 = stage.resolve("mnist-rnn/1");
    try (var s = Files.walk(TestSpark.MNIST_RNN)) {
      for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        Path to = v1.resolve(TestSpark.MNIST_RNN.relativize(f).toString());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
    ModelShipping.zip(stage, zip);
    String location = ModelShipping.ship(TestSpark.spark(), zip);
    assertThat(location).isEqualTo("sparkfiles:mnist-rnn-v1.zip");
    SparkPredictor sp = SparkPredictor.builder(location).version(1).inputColumn("pixels").batchSize(100).build();
    List<Row> out = sp.transform(TestSpark.pixels(6000, 200, 2)).collectAsList();
    SparkPredictorTest.assertMatchesReference(out, 6000, new int[] {100, 100}, 100, "pred_");
    assertThat(ModelCache.get(sp.model()).dir().toString()).contains("rnnport-model-").endsWith("mnist-rnn/1");
  }

  /** Loads a SavedModel inside a Spark task (no cache) and says which jar TF Java's protobuf runtime came from. */
  static final class LoadInTask implements MapPartitionsFunction<Row, String> {
    private final String dir;

    LoadInTask(String dir) {
      this.dir = dir;
    }

    @Override
    public Iterator<String> call(Iterator<Row> rows) throws Exception {
      try (SavedModelPredictor p = SavedModelPredictor.builder(Path.of(dir)).build()) {
        URL where = com.google.protobuf.Message.class.getProtectionDomain().getCodeSource().getLocation();
        String sig = p.metaGraphDef().getSignatureDefOrThrow("serving_default").getMethodName();
        return List.of(p.signature("serving_default").inputs().keySet() + " " + sig + " " + where).iterator();
      }
    }
  }

  @Test
  void tensorFlowJavaProtosLoadInsideASparkTask() {
    // Spark 4.0.1 brings no com.google.protobuf (spark-core shades its 4.29.3 as org.sparkproject.spark_core.protobuf):
    // the task's MetaGraphDef parses with the reactor's one protobuf runtime, protobuf-java 3.25.x (pinned in the
    // parent pom: it serves TF Java's 3.21 gencode and TF Serving's 3.25 gencode alike)
    List<String> got = TestSpark.spark().range(1).toDF().repartition(1)
        .mapPartitions(new LoadInTask(TestSpark.MNIST_RNN.toString()), Encoders.STRING()).collectAsList();
    assertThat(got).singleElement().asString().startsWith("[input_X] tensorflow/serving/predict")
        .contains("protobuf-java-3.25");
  }
}
