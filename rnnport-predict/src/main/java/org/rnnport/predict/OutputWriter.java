package org.rnnport.predict;

import java.io.IOException;
import java.util.Map;
import org.rnnport.tensorio.batch.Column;

/**
 * Writes predictions, a batch at a time in input order, to a (temporary) file. The pipeline calls
 * {@link #finish()} after the last batch and renames the file into place; {@link #close()} always
 * runs and removes whatever helper files the writer made.
 */
public interface OutputWriter extends AutoCloseable {
  /** One batch of outputs, {@code rows} rows each, keyed by output key in signature order. */
  void write(Map<String, Column> outputs, int rows) throws IOException;

  /** Completes the file (headers, footers, archive). */
  void finish() throws IOException;

  @Override
  void close() throws IOException;
}
