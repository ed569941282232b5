package org.rnnport.serve;

import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;

/**
 * TF Serving's {@code model_version_policy} ({@code ServableVersionPolicy}): which of the versions on disk a model
 * aspires to serve. Pure: it sees the version numbers found by the {@link StoreSource}, never loads anything.
 */
public sealed interface VersionPolicy {
  /** The versions of {@code available} (on disk) to serve. */
  Set<Long> select(NavigableMap<Long, Path> available);

  /** {@code latest { num_versions: n }} (TF Serving's default, n = 1). */
  record Latest(int numVersions) implements VersionPolicy {
    @Override
    public Set<Long> select(NavigableMap<Long, Path> available) {
      Set<Long> out = new TreeSet<>();
      for (Long v : available.descendingKeySet()) {
        if (out.size() >= numVersions) {
          break;
        }
        out.add(v);
      }
      return out;
    }
  }

  /** {@code all {}}. */
  record All() implements VersionPolicy {
    @Override
    public Set<Long> select(NavigableMap<Long, Path> available) {
      return new TreeSet<>(available.keySet());
    }
  }

  /** {@code specific { versions: ... }}. */
  record Specific(Set<Long> versions) implements VersionPolicy {
    @Override
    public Set<Long> select(NavigableMap<Long, Path> available) {
      Set<Long> out = new TreeSet<>(versions);
      out.retainAll(available.keySet());
      return out;
    }
  }
}
