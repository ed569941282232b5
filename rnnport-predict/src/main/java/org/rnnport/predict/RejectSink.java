package org.rnnport.predict;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rejects file of {@code --skip-bad-rows}: JSON Lines, one object per rejected record with
 * {@code file}, {@code record} (index over all inputs), {@code where} (line/row/record in its
 * file), {@code key} (the input, if known), {@code error} and {@code input} (the raw line or row;
 * for TFRecord the record's bytes in base64).
 */
public final class RejectSink implements AutoCloseable {
  private final JsonGenerator gen;
  private long count;

  public RejectSink(Path tmp) throws IOException {
    gen = new JsonFactory().createGenerator(Files.newOutputStream(tmp));
    gen.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
  }

  public void write(Reject r) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("file", r.file());
    gen.writeNumberField("record", r.record());
    gen.writeStringField("where", r.where());
    gen.writeStringField("key", r.key());
    gen.writeStringField("error", r.error());
    gen.writeStringField("input", r.input());
    gen.writeEndObject();
    count++;
  }

  public long count() {
    return count;
  }

  public void finish() throws IOException {
    if (count > 0) {
      gen.writeRaw('\n');
    }
    gen.flush();
  }

  @Override
  public void close() throws IOException {
    gen.close();
  }
}
