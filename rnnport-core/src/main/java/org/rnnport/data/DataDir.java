package org.rnnport.data;

import java.nio.file.Path;

/**
 * Where dataset files live: {@code --data-dir}, else {@code $RNNPORT_DATA_DIR}, else {@code ./data}.
 */
public final class DataDir {
  private DataDir() {}

  public static final String ENV_DIR = "RNNPORT_DATA_DIR";
  public static final String ENV_MIRROR = "RNNPORT_DATA_MIRROR";

  public static Path resolve(Path explicit) {
    if (explicit != null) {
      return explicit;
    }
    String env = System.getenv(ENV_DIR);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String prop = System.getProperty("rnnport.dataDir");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    return Path.of("data");
  }

  /** The mirror from {@code $RNNPORT_DATA_MIRROR}, or null. */
  public static String mirrorFromEnv() {
    String m = System.getenv(ENV_MIRROR);
    return m == null || m.isBlank() ? null : m;
  }
}
