package org.rnnport;

import java.io.IOException;
import java.nio.file.Path;
import org.rnnport.data.DataDir;
import org.rnnport.data.DataFetcher;
import org.rnnport.data.DataManifest;
import org.rnnport.data.ImageSet;
import org.rnnport.data.Mnist;

/**
 * Real datasets for tests: fetched once into {@code <project>/data} from the mirror in
 * {@code $RNNPORT_DATA_MIRROR} (CI uses {@code ../shared/data}). A test that needs data fails
 * with a message saying how to provide it.
 */
public final class TestData {
  private TestData() {}

  private static Mnist mnist;

  public static Path projectDir() {
    return Path.of(System.getProperty("rnnport.basedir", ".")).toAbsolutePath().normalize();
  }

  public static Path dataDir() {
    return projectDir().resolve("data");
  }

  /** Makes the dataset present (from the mirror if needed) and returns the data directory. */
  public static synchronized Path ensure(String dataset) {
    try {
      DataFetcher present = new DataFetcher(DataManifest.load(), dataDir(), null);
      if (present.isComplete(dataset)) {
        return dataDir();
      }
      String mirror = DataDir.mirrorFromEnv();
      if (mirror == null) {
        throw new IllegalStateException("the " + dataset + " dataset is not in " + dataDir()
            + " and RNNPORT_DATA_MIRROR is not set: run the tests as "
            + "`RNNPORT_DATA_MIRROR=../shared/data mvn verify` or run `rnnport data fetch " + dataset + "` first");
      }
      return new DataFetcher(DataManifest.load(), dataDir(), mirror).fetch(dataset);
    } catch (IOException e) {
      throw new IllegalStateException("could not fetch " + dataset + " for the tests: " + e.getMessage(), e);
    }
  }

  public static synchronized Mnist mnist() {
    if (mnist == null) {
      try {
        mnist = Mnist.load(ensure(Mnist.DATASET));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return mnist;
  }

  public static ImageSet mnistTest() {
    return mnist().test();
  }

  /** TF Serving's testdata folder: $RNNPORT_TFSERVING_SUITE, beside $RNNPORT_DATA_MIRROR, or ../shared. */
  public static Path tfServingTestdata() {
    java.util.List<Path> tried = new java.util.ArrayList<>();
    String suite = System.getenv("RNNPORT_TFSERVING_SUITE");
    String mirror = System.getenv("RNNPORT_DATA_MIRROR");
    if (suite != null) {
      tried.add(Path.of(suite));
    }
    if (mirror != null) {
      tried.add(projectDir().resolve(mirror).resolve("../tfserving-suite").normalize());
    }
    tried.add(projectDir().resolve("../shared/tfserving-suite").normalize());
    for (Path p : tried) {
      Path t = p.resolve("tensorflow_serving/servables/tensorflow/testdata");
      if (java.nio.file.Files.isDirectory(t.resolve("saved_model_half_plus_two_cpu"))) {
        return t;
      }
    }
    throw new IllegalStateException("TF Serving's test suite (tensorflow_serving/servables/tensorflow/testdata) is "
        + "in none of " + tried + ": set RNNPORT_TFSERVING_SUITE or RNNPORT_DATA_MIRROR=../shared/data");
  }
}
