package org.rnnport.tensorio.files;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Gzip by its magic bytes ({@code 1f 8b}): the files of this package may come compressed or not. */
final class Gzip {
  private Gzip() {}

  /** {@code file}'s bytes, buffered, gunzipped if the file starts with gzip's magic. */
  static InputStream open(Path file) throws IOException {
    return maybeGunzip(new BufferedInputStream(Files.newInputStream(file), 1 << 16), file.toString());
  }

  /** {@code in} itself, or a buffered gunzipping stream over it if it starts with gzip's magic; closes it on error. */
  static InputStream maybeGunzip(BufferedInputStream in, String source) throws IOException {
    try {
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      }
      return in;
    } catch (ZipException e) {
      in.close();
      throw new FileFormatException(source, "gzip header", "corrupt gzip stream: " + e.getMessage(), false);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }
}
