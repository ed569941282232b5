package org.rnnport.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rnnport-spark predict}: reads a dataset Spark can read, adds a SavedModel's predictions and writes the
 * result. Embedded ({@code ./rnnport-spark}, {@code local[*]} by default) or under {@code spark-submit}
 * (whatever master it gives). The output appears whole or not at all: Spark writes it into a hidden sibling
 * folder, which is renamed to {@code --output} only after the job succeeded; a failed job removes it.
 */
@Command(name = "rnnport-spark", mixinStandardHelpOptions = true, subcommands = {PredictMain.Predict.class,
    org.rnnport.spark.bench.BenchCommands.Data.class, org.rnnport.spark.bench.BenchCommands.Single.class},
    description = "SavedModel predictions on Apache Spark")
public final class PredictMain implements Runnable {
  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "name a command: predict");
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new PredictMain()).execute(args));
  }

  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Add a SavedModel's predictions to a dataset (Parquet by default) and write it")
  public static final class Predict implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "SavedModel folder (or base folder of versions, or "
        + ".zip) on a path every node reads, or sparkfiles:NAME for one shipped with --files/--archives")
    String model;
    @Option(names = "--version", description = "version of a base folder of versions (default: the highest)")
    Long version;
    @Option(names = "--input", required = true, description = "what to read (a path or glob Spark reads)")
    String input;
    @Option(names = "--output", required = true, description = "where to write (must not exist, unless --overwrite)")
    String output;
    @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*])")
    String master;
    @Option(names = "--input-format", defaultValue = "parquet", description = "parquet (default), orc, json, csv, "
        + "avro (with spark-avro), ...")
    String inputFormat;
    @Option(names = "--output-format", defaultValue = "parquet", description = "parquet (default), orc, json, ...")
    String outputFormat;
    @Option(names = "--read-option", description = "a reader option, KEY=VALUE (repeatable)")
    Map<String, String> readOptions = new LinkedHashMap<>();
    @Option(names = "--input-column", description = "COLUMN for a single-input signature, or KEY=COLUMN per input "
        + "(repeatable; default: the column named like the input key)")
    List<String> inputColumns = new ArrayList<>();
    @Option(names = "--signature", defaultValue = "serving_default")
    String signature;
    @Option(names = "--outputs", split = ",", description = "output keys to add (default: all)")
    List<String> outputs;
    @Option(names = "--prefix", defaultValue = "pred_", description = "output column prefix (default: pred_)")
    String prefix;
    @Option(names = "--batch-size", defaultValue = "1000", description = "rows per TensorFlow call (default 1000)")
    int batchSize;
    @Option(names = "--on-invalid", defaultValue = "fail", description = "fail (default) or null: null predictions "
        + "and the reason in <prefix>error")
    String onInvalid;
    @Option(names = "--partitions", description = "repartition the input to N partitions first")
    Integer partitions;
    @Option(names = "--ship-model", description = "send the model to the executors with SparkContext.addFile "
        + "(for a model only the driver can read)")
    boolean shipModel;
    @Option(names = "--keep", split = ",", description = "input columns to write beside the predictions (default: "
        + "all)")
    List<String> keep;
    @Option(names = "--overwrite", description = "replace --output if it exists (only after the new one is written)")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
      SparkConf conf = new SparkConf();
      SparkSession.Builder b = SparkSession.builder().appName("rnnport-spark predict");
      if (master != null) {
        b.master(master);
      } else if (!conf.contains("spark.master")) {
        b.master("local[*]");
      }
      SparkSession spark = b.getOrCreate();
      try {
        return predict(spark);
      } finally {
        spark.stop();
      }
    }

    int predict(SparkSession spark) throws IOException {
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      org.apache.hadoop.fs.Path given = new org.apache.hadoop.fs.Path(output);
      FileSystem fs = given.getFileSystem(hadoop);
      org.apache.hadoop.fs.Path out = fs.makeQualified(given); // so that a bare name has a parent folder
      if (fs.exists(out) && !overwrite) {
        throw new CommandLine.ParameterException(new CommandLine(this), output + " exists; choose another --output "
            + "or add --overwrite");
      }
      String location = shipModel ? ModelShipping.ship(spark, Path.of(model)) : model;
      SparkPredictor.Builder pb = SparkPredictor.builder(location).signature(signature).prefix(prefix)
          .batchSize(batchSize).onInvalid(SparkPredictor.OnInvalid.valueOf(onInvalid.toUpperCase()));
      if (version != null) {
        pb.version(version);
      }
      for (String c : inputColumns) {
        int eq = c.indexOf('=');
        if (eq < 0) {
          pb.inputColumn(c);
        } else {
          pb.inputColumn(c.substring(0, eq), c.substring(eq + 1));
        }
      }
      if (outputs != null) {
        pb.outputs(outputs.toArray(String[]::new));
      }
      SparkPredictor predictor = pb.build();
      DataFrameReader reader = spark.read().format(inputFormat).options(readOptions);
      Dataset<Row> data = reader.load(input);
      if (partitions != null) {
        data = data.repartition(partitions);
      }
      Dataset<Row> scored = predictor.transform(data);
      if (keep != null) {
        List<String> cols = new ArrayList<>(keep);
        for (String f : scored.schema().fieldNames()) {
          if (!data.schema().getFieldIndex(f).isDefined()) {
            cols.add(f); // the prediction columns
          }
        }
        scored = scored.selectExpr(cols.stream().map(c -> "`" + c + "`").toArray(String[]::new));
      }
      org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(out.getParent(),
          "." + out.getName() + ".rnnport-tmp-" + UUID.randomUUID());
      long t0 = System.nanoTime();
      try {
        scored.write().format(outputFormat).mode(SaveMode.ErrorIfExists).save(tmp.toString());
        if (fs.exists(out)) {
          fs.delete(out, true); // --overwrite, and only now that the new output is complete
        }
        if (!fs.rename(tmp, out)) {
          throw new IOException("could not rename " + tmp + " to " + out);
        }
      } finally {
        if (fs.exists(tmp)) {
          fs.delete(tmp, true);
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      long rows = spark.read().format(outputFormat).load(output).count();
      System.out.printf("rnnport-spark: peak RSS of this JVM (the driver%s): %d MB%n",
          spark.sparkContext().isLocal() ? " and its local executor" : "", org.rnnport.spark.bench.BenchCommands.peakRssKb() / 1024);
      System.out.printf("rnnport-spark: %d rows -> %s (%s) in %.1f s, %.0f rows/s%n", rows, output, outputFormat, s,
          rows / s);
      return 0;
    }
  }
}
