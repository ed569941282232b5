package org.rnnport.export;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.TensorFlow;

/** Versions recorded in histories and exports. */
public final class Versions {
  private Versions() {}

  public static String rnnport() {
    String v = Versions.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public static Map<String, String> all() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("rnnport", rnnport());
    m.put("tensorflowJava", "1.1.0");
    m.put("tensorflowNative", TensorFlow.version());
    m.put("java", System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return m;
  }
}
