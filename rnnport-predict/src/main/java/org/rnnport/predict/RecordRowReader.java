package org.rnnport.predict;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A reader of formats parsed one record at a time (JSON Lines, CSV, TFRecord, Parquet): a bad
 * record is fatal, or with {@code --skip-bad-rows} becomes a {@link Reject} with its raw text.
 */
public abstract class RecordRowReader implements RowReader {
  protected final Path file;
  protected final ReadOptions opts;
  private long record;
  private RowAssembler.Row pending;
  protected final CountingStream counter;

  protected RecordRowReader(Path file, ReadOptions opts, CountingStream counter) {
    this.file = file;
    this.opts = opts;
    this.counter = counter;
  }

  /** The next record's row, or null at the end; throws {@link InputException} for a bad record. */
  protected abstract RowAssembler.Row next() throws IOException;

  /** The current record's position for messages, e.g. {@code line 12}. */
  protected abstract String where();

  /** The current record's raw text for the rejects file. */
  protected abstract String raw();

  /** Whether reading can go on after this error (false e.g. for a broken TFRecord length). */
  protected boolean recoverable(InputException e) {
    return true;
  }

  @Override
  public Chunk read(int maxRecords) throws IOException {
    RowAssembler asm = new RowAssembler(opts);
    long first = pending != null ? record - 1 : record;
    while (asm.records() < maxRecords) {
      RowAssembler.Row row;
      if (pending != null) {
        row = pending;
        pending = null;
      } else {
        try {
          row = next();
        } catch (InputException e) {
          if (!opts.skipBadRows() || !recoverable(e)) {
            throw e;
          }
          asm.reject(Reject.of(e, record++, raw()));
          continue;
        }
        if (row == null) {
          break;
        }
        record++;
      }
      if (!asm.fits(row)) {
        pending = row;
        break;
      }
      try {
        asm.add(row, file, where());
      } catch (InputException e) {
        if (!opts.skipBadRows()) {
          throw e;
        }
        asm.reject(Reject.of(e, record - 1, raw()));
      }
    }
    return asm.build(file, first);
  }

  @Override
  public long bytesRead() {
    return counter == null ? -1 : counter.count;
  }

  /** Counts the bytes read from a file, for the progress estimate. */
  public static final class CountingStream extends FilterInputStream {
    volatile long count;

    public CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
