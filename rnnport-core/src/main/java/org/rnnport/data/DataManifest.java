package org.rnnport.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.util.Json;

/**
 * The dataset manifest ({@code data/manifest.json}, also packed in the jar): dataset name to files,
 * each with its path under the data directory, size, sha256 and canonical URLs.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DataManifest(Map<String, Dataset> datasets) {

  /** One dataset: a description and its files. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Dataset(String description, List<FileEntry> files) {}

  /** One file of a dataset. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FileEntry(String path, long size, String sha256, List<String> urls) {}

  /** The manifest shipped with rnnport. */
  public static DataManifest load() {
    try (InputStream in = DataManifest.class.getResourceAsStream("manifest.json")) {
      if (in == null) {
        throw new IllegalStateException("manifest.json is missing from the classpath (org/rnnport/data)");
      }
      return Json.MAPPER.readValue(in, DataManifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the dataset manifest", e);
    }
  }

  /** The named dataset, or an error that lists the known ones. */
  public Dataset dataset(String name) {
    Dataset d = datasets.get(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + datasets.keySet());
    }
    return d;
  }

  /** Datasets by name, in manifest order. */
  public Map<String, Dataset> all() {
    return new LinkedHashMap<>(datasets);
  }
}
