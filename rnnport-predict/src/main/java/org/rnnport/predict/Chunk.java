package org.rnnport.predict;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rnnport.tensorio.batch.Column;

/**
 * A batch of records read from one input file: the good rows' values per input key, plus the
 * records rejected on the way ({@code --skip-bad-rows}).
 *
 * @param file the file the records come from
 * @param firstRecord index, over all input files, of this chunk's first record (good or rejected)
 * @param records how many records the chunk covers, good and rejected
 * @param good offsets (within {@code records}) of the good rows, in order; null when all are good
 * @param inputs the good rows' values by input key
 * @param labels the good rows' labels from {@code --label-column}, or null
 */
public record Chunk(Path file, long firstRecord, int records, int[] good, Map<String, Column> inputs, int[] labels,
    List<Reject> rejects) {
  /** Closes the tensors of its {@link Column.Native} inputs (those not fed); safe to repeat. */
  public void release() {
    if (inputs != null) {
      inputs.values().forEach(Column::release);
    }
  }

  public int rows() {
    return good == null ? records : good.length;
  }
}
