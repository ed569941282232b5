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
    register(new ReutersLstm());
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

  /**
   * The model for {@code name} and a {@code --variant}: null or {@code faithful} is the notebook as
   * written; another variant selects {@code <name>-<variant>} (e.g. {@code mnist-lstm-state-fixed}).
   */
  public static NotebookModel get(String name, String variant) {
    if (variant == null || variant.equals("faithful")) {
      return get(name);
    }
    NotebookModel m = MODELS.get(name + "-" + variant);
    if (m == null) {
      throw new IllegalArgumentException("model '" + name + "' has no variant '" + variant + "'");
    }
    return m;
  }

  public static Map<String, NotebookModel> all() {
    return java.util.Collections.unmodifiableMap(MODELS);
  }
}
