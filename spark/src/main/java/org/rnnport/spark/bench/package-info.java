/**
 * The benchmark's helpers, run by {@code bench/spark-bench.sh} through the launcher's hidden commands:
 * {@code bench-data} writes MNIST's test set repeated as Parquet, {@code bench-single} is the single-JVM
 * SavedModelPredictor loop that Spark is compared with.
 */
package org.rnnport.spark.bench;
