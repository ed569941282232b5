package org.rnnport.serve;

import java.util.List;

/**
 * TF Serving's batching parameters ({@code --enable_batching}, {@code --batching_parameters_file}):
 * the most rows one merged run carries, how long the first request waits for others, the worker
 * threads, the bound of the queue (in batches; more requests get RESOURCE_EXHAUSTED), the batch sizes
 * a run may have (padded up to the next one) and whether inputs of different per-row shapes are
 * padded to one (pad_variable_length_inputs: each padded with its first element, as TF Serving does;
 * without it, such requests run in separate batches).
 */
public record BatchingOptions(int maxBatchSize, long batchTimeoutMicros, int numBatchThreads, int maxEnqueuedBatches,
    List<Integer> allowedBatchSizes, boolean padVariableLengthInputs) {

  /**
   * TF Serving's defaults for a field the batching parameters leave unset: max_batch_size 1000,
   * batch_timeout_micros 0, a thread per core, max_enqueued_batches 10.
   */
  public static BatchingOptions defaults() {
    return new BatchingOptions(1000, 0, Math.max(1, Runtime.getRuntime().availableProcessors()), 10, List.of(), false);
  }

  public BatchingOptions {
    allowedBatchSizes = List.copyOf(allowedBatchSizes);
    if (maxBatchSize < 1 || numBatchThreads < 1 || maxEnqueuedBatches < 1 || batchTimeoutMicros < 0) {
      throw new IllegalArgumentException("batching: max_batch_size, num_batch_threads and max_enqueued_batches must be "
          + "positive and batch_timeout_micros not negative");
    }
    for (int i = 0; i < allowedBatchSizes.size(); i++) {
      if (allowedBatchSizes.get(i) < 1 || i > 0 && allowedBatchSizes.get(i) <= allowedBatchSizes.get(i - 1)) {
        throw new IllegalArgumentException("batching: allowed_batch_sizes must be positive and increasing, got "
            + allowedBatchSizes);
      }
    }
    if (!allowedBatchSizes.isEmpty() && allowedBatchSizes.get(allowedBatchSizes.size() - 1) != maxBatchSize) {
      throw new IllegalArgumentException("batching: the last allowed_batch_sizes entry must equal max_batch_size ("
          + maxBatchSize + "), as in TF Serving");
    }
  }

  /** The batch size a run of {@code rows} rows is padded to. */
  int paddedSize(int rows) {
    for (int s : allowedBatchSizes) {
      if (s >= rows) {
        return s;
      }
    }
    return rows;
  }
}
