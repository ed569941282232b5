package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;

/**
 * The {@code --labels} file, read alongside the inputs: one label per input record (rejected
 * records included), an integer class or a one-hot row, in any input format (npy, IDX, CSV, JSON
 * Lines, ...). Running out of labels, or having labels left over, is an error.
 */
public final class LabelSource implements AutoCloseable {
  private static final InputBinding LABEL = new InputBinding("label", DType.FLOAT64, null);
  private final Path file;
  private final RowReader reader;
  private int[] buf = new int[0];
  private int pos;
  private long consumed;

  public LabelSource(Path file, String format) throws IOException {
    this.file = file;
    this.reader = Formats.open(file, Formats.inputFormat(file, format), new ReadOptions(List.of(LABEL), null, false));
  }

  public Path file() {
    return file;
  }

  /** The next {@code n} labels. */
  public int[] next(int n) throws IOException {
    int[] out = new int[n];
    int k = 0;
    while (k < n) {
      if (pos == buf.length) {
        Chunk c = reader.read(Math.max(n, 4096));
        if (c == null) {
          throw new InputException(file, null, null, "the labels end after " + (consumed + k)
              + " rows, the inputs have more");
        }
        Column col = c.inputs().get("label");
        buf = new int[c.rows()];
        for (int i = 0; i < buf.length; i++) {
          buf[i] = RowAssembler.label(col.slice(i, 1), file, "row " + (c.firstRecord() + i), null);
        }
        pos = 0;
      }
      int m = Math.min(n - k, buf.length - pos);
      System.arraycopy(buf, pos, out, k, m);
      pos += m;
      k += m;
    }
    consumed += n;
    return out;
  }

  /** After the last input row: labels left over mean the files do not belong together. */
  public void checkEnd() throws IOException {
    if (pos < buf.length || reader.read(1) != null) {
      throw new InputException(file, null, null, "more labels than the inputs' " + consumed + " rows");
    }
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
