package org.rnnport.util;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes images as PNG, atomically. */
public final class Png {
  private Png() {}

  public static void write(Path file, BufferedImage image) throws IOException {
    AtomicFiles.write(file, tmp -> {
      if (!ImageIO.write(image, "png", tmp.toFile())) {
        throw new IOException("no PNG writer available");
      }
    });
  }
}
