package org.rnnport.predictor;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The real MNIST test split for the predictor's tests, read straight from {@code data/mnist/} or
 * the mirror in {@code $RNNPORT_DATA_MIRROR} (this module depends on no other rnnport module, so it
 * reads the IDX files itself). A missing file fails with a message saying how to provide it.
 */
final class MnistTestImages {
  private MnistTestImages() {}

  static final Path ROOT = Path.of(System.getProperty("rnnport.basedir", ".")).toAbsolutePath().normalize();
  private static float[] pixels;
  private static int[] labels;

  static Path file(String name) {
    Path local = ROOT.resolve("data/mnist").resolve(name);
    if (Files.isRegularFile(local)) {
      return local;
    }
    String mirror = System.getenv("RNNPORT_DATA_MIRROR");
    if (mirror != null && !mirror.isBlank()) {
      Path m = ROOT.resolve(mirror).resolve("mnist").resolve(name);
      if (Files.isRegularFile(m)) {
        return m;
      }
    }
    throw new IllegalStateException("MNIST's " + name + " is neither in " + local.getParent() + " nor in "
        + "$RNNPORT_DATA_MIRROR/mnist: run the tests as `RNNPORT_DATA_MIRROR=../shared/data mvn verify` "
        + "or `rnnport data fetch mnist` first");
  }

  static synchronized float[] pixels() throws IOException {
    if (pixels == null) {
      try (DataInputStream in = open("t10k-images-idx3-ubyte.gz", 0x803)) {
        int n = in.readInt();
        int size = in.readInt() * in.readInt();
        byte[] raw = in.readNBytes(n * size);
        pixels = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
          pixels[i] = (raw[i] & 0xff) / 255f; // TF1 input_data's scaling
        }
      }
    }
    return pixels;
  }

  static synchronized int[] labels() throws IOException {
    if (labels == null) {
      try (DataInputStream in = open("t10k-labels-idx1-ubyte.gz", 0x801)) {
        byte[] raw = in.readNBytes(in.readInt());
        labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
          labels[i] = raw[i];
        }
      }
    }
    return labels;
  }

  private static DataInputStream open(String name, int magic) throws IOException {
    InputStream raw = Files.newInputStream(file(name));
    DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    if (in.readInt() != magic) {
      in.close();
      throw new IOException(file(name) + ": not an IDX file with magic " + Integer.toHexString(magic));
    }
    return in;
  }

  /** Images {@code from .. from+n} as {@code [n][28][28]}. */
  static float[][][] images(int from, int n) throws IOException {
    float[] p = pixels();
    float[][][] x = new float[n][28][28];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < 28; r++) {
        System.arraycopy(p, (from + i) * 784 + r * 28, x[i][r], 0, 28);
      }
    }
    return x;
  }
}
