package org.rnnport.data;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file is missing, corrupt or not what it claims to be; the message names the file. */
public class DataException extends IOException {
  private final Path file;

  public DataException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public DataException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
