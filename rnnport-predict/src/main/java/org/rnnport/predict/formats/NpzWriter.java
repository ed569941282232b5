package org.rnnport.predict.formats;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.rnnport.predict.OutputWriter;
import org.rnnport.tensorio.batch.Column;

/**
 * Every output as an array of an {@code .npz} archive (like {@code np.savez}: stored, one
 * {@code KEY.npy} per output). Each array streams to its own helper file beside the output; the
 * archive is assembled at the end and the helper files removed.
 */
public final class NpzWriter implements OutputWriter {
  private final Path file;
  private final Map<String, NpyWriter> writers = new LinkedHashMap<>();
  private final Map<String, Path> parts = new LinkedHashMap<>();

  public NpzWriter(Path file) {
    this.file = file;
  }

  @Override
  public void write(Map<String, Column> outputs, int rows) throws IOException {
    if (writers.isEmpty()) {
      for (String k : outputs.keySet()) {
        Path p = file.resolveSibling(file.getFileName() + "." + k.replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy.part");
        Files.deleteIfExists(p);
        parts.put(k, p);
        writers.put(k, new NpyWriter(p, k));
      }
    }
    for (NpyWriter w : writers.values()) {
      w.write(outputs, rows);
    }
  }

  @Override
  public void finish() throws IOException {
    for (NpyWriter w : writers.values()) {
      w.finish();
      w.close();
    }
    try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
      for (Map.Entry<String, Path> e : parts.entrySet()) {
        ZipEntry z = new ZipEntry(e.getKey() + ".npy");
        z.setMethod(ZipEntry.STORED);
        long size = Files.size(e.getValue());
        z.setSize(size);
        z.setCompressedSize(size);
        z.setCrc(crc(e.getValue()));
        zip.putNextEntry(z);
        Files.copy(e.getValue(), zip);
        zip.closeEntry();
      }
    }
  }

  private static long crc(Path p) throws IOException {
    CRC32 c = new CRC32();
    byte[] b = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(p)) {
      int n;
      while ((n = in.read(b)) > 0) {
        c.update(b, 0, n);
      }
    }
    return c.getValue();
  }

  @Override
  public void close() throws IOException {
    for (NpyWriter w : writers.values()) {
      w.close();
    }
    for (Path p : parts.values()) {
      Files.deleteIfExists(p);
    }
  }
}
