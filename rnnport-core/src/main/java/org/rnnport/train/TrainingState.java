package org.rnnport.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnport.data.BatchStream;

/**
 * Everything beyond the variables that a resumed run needs to continue bit for bit, stored beside
 * each checkpoint as {@code <prefix>.rnnport.json}: which run it is (model, hyperparameters), where
 * it stopped (global step, epoch, step in the epoch), the batch stream's position and numpy MT19937
 * state, the current epoch's running sums, early stopping's state, the history so far, and the
 * sha256 of the checkpoint's files (a mismatch marks the checkpoint corrupt).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class TrainingState {
  public static final int FORMAT = 1;

  public int format = FORMAT;
  public String model;
  public Map<String, Object> hyperparameters = new LinkedHashMap<>();
  public long globalStep;
  /** 1-based epoch of the last step */
  public int epoch;
  /** steps of {@link #epoch} done; equal to stepsPerEpoch once the epoch (validation included) is complete */
  public int stepInEpoch;
  public boolean epochComplete;
  public BatchStream.StreamState batches;
  public EpochProgress epochProgress;
  /** Keras fit's running float32 means of the epoch in progress ({@code EpochStats.kerasMeans}), or null */
  public float[] kerasMeans;
  public EarlyStopping.State earlyStopping;
  public History history;
  /** file name (relative to the checkpoint folder) to sha256 */
  public Map<String, String> files = new LinkedHashMap<>();

  /** The running sums of the epoch in progress. */
  public record EpochProgress(int steps, double batchLossSum, double exampleLossSum, long examples, long correct,
      float lastLoss) {}
}
