/**
 * SavedModel predictions on Apache Spark: {@link org.rnnport.spark.SparkPredictor} adds prediction columns to a
 * {@code Dataset<Row>} (batched per partition, one model per executor JVM in {@link org.rnnport.spark.ModelCache}),
 * {@link org.rnnport.spark.ModelLocation} and {@link org.rnnport.spark.ModelShipping} get the model to the
 * executors, {@link org.rnnport.spark.PredictMain} is the {@code rnnport-spark predict} launcher.
 *
 * <p>What it may depend on: {@code rnnport-predictor} (and so TensorFlow), Spark as {@code provided}, picocli for
 * the launcher. Not rnnport-core, serving or parity (tests only), nor any Jackson or logging binding of its own.
 */
package org.rnnport.spark;
