package org.rnnport.predict;

import java.io.IOException;

/** Reads one input file in batches of records. Not thread-safe: the pipeline's reader thread owns it. */
public interface RowReader extends AutoCloseable {
  /** Up to {@code maxRecords} records (good and rejected), or null at the end of the file. */
  Chunk read(int maxRecords) throws IOException;

  /** How many records the file holds, if the format says so up front; else -1. */
  default long knownRecords() {
    return -1;
  }

  /** Bytes of the file consumed so far (for the progress estimate of text formats), or -1. */
  default long bytesRead() {
    return -1;
  }

  @Override
  void close() throws IOException;
}
