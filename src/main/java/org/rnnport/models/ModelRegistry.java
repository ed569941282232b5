package org.rnnport.models;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every notebook model rnnport knows, by name. Adding a notebook means one line here. */
public final class ModelRegistry {
  private static final Map<String, NotebookModel> MODELS = new LinkedHashMap<>();

  static {
    register(new MnistRnn());
    register(new MnistLstm());
    register(new MnistLstmState(false));
    register(new MnistLstmState(true));
  }

  private ModelRegistry() {}

  private static void register(NotebookModel m) {
    MODELS.put(m.name(), m);
  }

  /** The model of that name, or an error listing the known names. */
  public static NotebookModel get(String name) {
    NotebookModel m = MODELS.get(name);
    if (m == null) {
      throw new IllegalArgumentException("unknown model '" + name + "'; known: " + String.join(", ", MODELS.keySet()));
    }
    return m;
  }

  public static Map<String, NotebookModel> all() {
    return java.util.Collections.unmodifiableMap(MODELS);
  }
}
