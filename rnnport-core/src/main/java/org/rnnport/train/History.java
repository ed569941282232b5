package org.rnnport.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Everything a training run records; written as {@code history.json}. */
public final class History {
  public String model;
  public String notebook;
  public String startedAt;
  public Map<String, Object> hyperparameters = new LinkedHashMap<>();
  public Map<String, String> versions = new LinkedHashMap<>();
  /** The git commit of the source rnnport was built from. */
  public String gitCommit;
  /** sha256 of every dataset file read, by path relative to the data folder. */
  public Map<String, String> datasetFiles;
  public Set<String> devicesUsed;
  public List<Float> batchCost = new ArrayList<>();
  public List<Double> epochCost = new ArrayList<>();
  /** Extra per-epoch series (e.g. validation accuracy), by name. */
  public Map<String, List<Double>> epochMetrics = new LinkedHashMap<>();
  /** Metrics the notebook reports at given steps (e.g. 001's minibatch loss every 10 steps). */
  public List<Map<String, Object>> log = new ArrayList<>();
  public Map<String, Double> results = new LinkedHashMap<>();
  public Map<String, Double> timings = new LinkedHashMap<>();
  public boolean interrupted;
  /** Each resume: the checkpoint, its global step, when. */
  public List<Map<String, Object>> resumes = new ArrayList<>();
  public String exportedTo;
}
