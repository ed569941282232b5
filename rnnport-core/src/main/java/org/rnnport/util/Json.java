package org.rnnport.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** The one Jackson mapper of the project, and an atomic JSON writer. */
public final class Json {
  private Json() {}

  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** Writes {@code value} as indented JSON to {@code file}, atomically. */
  public static void write(Path file, Object value) throws IOException {
    AtomicFiles.writeBytes(file, MAPPER.writeValueAsBytes(value));
  }
}
