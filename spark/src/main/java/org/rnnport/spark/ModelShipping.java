package org.rnnport.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.SparkSession;

/**
 * Ships a SavedModel from the driver to every executor with {@code SparkContext.addFile}: a folder is zipped
 * first (Spark adds local folders only in local mode), a {@code .zip} is added as it is. The returned location,
 * {@code sparkfiles:NAME.zip}, is what {@link SparkPredictor#builder} then takes: each executor finds its copy
 * with {@code SparkFiles.get} and unpacks it once.
 */
public final class ModelShipping {
  private ModelShipping() {}

  /** Adds {@code model} (a SavedModel folder, a folder of versions, or a .zip of either) to the job's files. */
  public static String ship(SparkSession spark, Path model) throws IOException {
    Path zip;
    if (Files.isDirectory(model)) {
      Path name = model.toAbsolutePath().normalize().getFileName();
      Path dir = Files.createTempDirectory("rnnport-ship-");
      zip = dir.resolve((name == null ? "model" : name.toString()) + "-" + Long.toHexString(System.nanoTime()) + ".zip");
      zip(model, zip);
      zip.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
    } else if (Files.isRegularFile(model) && model.toString().endsWith(".zip")) {
      zip = model;
    } else {
      throw new IOException(model + ": neither a model folder nor a .zip of one");
    }
    spark.sparkContext().addFile(zip.toAbsolutePath().toString());
    return ModelLocation.SPARK_FILES + zip.getFileName();
  }

  /** Zips {@code dir}'s contents (the SavedModel or version folders at the archive's top). */
  public static void zip(Path dir, Path zip) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    try (OutputStream raw = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(raw)) {
      for (Path f : files) {
        out.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }
}
