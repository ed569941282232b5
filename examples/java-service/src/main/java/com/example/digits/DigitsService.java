package com.example.digits;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.rnnport.predictor.Prediction;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;

/**
 * A Java service's use of rnnport: load a SavedModel once, then predict. Here: the first 100 MNIST
 * test images through {@code savedmodels/mnist-rnn/1}, printing each prediction and the accuracy.
 *
 * <p>Usage: {@code java -jar target/digits-service.jar MODEL_DIR MNIST_DIR [N]} where MNIST_DIR holds
 * {@code t10k-images-idx3-ubyte.gz} and {@code t10k-labels-idx1-ubyte.gz}. Exits 1 if fewer than 95 % of
 * the images are recognised.
 */
public final class DigitsService {
  private DigitsService() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: digits-service MODEL_DIR MNIST_DIR [N]");
      System.exit(2);
    }
    Path model = Path.of(args[0]);
    Path mnist = Path.of(args[1]);
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    float[][][] images = readImages(mnist.resolve("t10k-images-idx3-ubyte.gz"), n);
    int[] labels = readLabels(mnist.resolve("t10k-labels-idx1-ubyte.gz"), n);

    try (SavedModelPredictor predictor = SavedModelPredictor.load(model)) {
      SignatureSpec sig = predictor.signature("serving_default");
      String input = sig.singleInput().key();
      System.out.println("loaded " + predictor.dir() + ": " + input + " " + sig.singleInput().shapeText() + " -> "
          + sig.outputs().keySet());
      Prediction out = predictor.predict(Map.of(input, images));
      long[] classes = out.longs("classes");                 // a WrongTypeException names the output otherwise
      float[][] probabilities = out.floats2d("probabilities");
      int correct = 0;
      for (int i = 0; i < n; i++) {
        correct += classes[i] == labels[i] ? 1 : 0;
        if (i < 10) {
          System.out.printf("image %d: predicted %d (p=%.4f), label %d%n", i, classes[i],
              probabilities[i][(int) classes[i]], labels[i]);
        }
      }
      double accuracy = (double) correct / n;
      System.out.printf("%d of %d correct (%.2f %%)%n", correct, n, 100 * accuracy);
      if (accuracy < 0.95) {
        System.err.println("accuracy below 95 %: is this the right model?");
        System.exit(1);
      }
    }
  }

  static float[][][] readImages(Path file, int n) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != 0x803) {
        throw new IOException(file + ": not an IDX image file");
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (n > count) {
        throw new IOException(file + ": has " + count + " images, asked for " + n);
      }
      float[][][] x = new float[n][rows][cols];
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            x[i][r][c] = in.readUnsignedByte() / 255f;
          }
        }
      }
      return x;
    }
  }

  static int[] readLabels(Path file, int n) throws IOException {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != 0x801) {
        throw new IOException(file + ": not an IDX label file");
      }
      in.readInt();
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = in.readUnsignedByte();
      }
      return y;
    }
  }
}
