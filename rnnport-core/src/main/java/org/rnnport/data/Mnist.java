package org.rnnport.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * MNIST as TF1's {@code input_data.read_data_sets(..., one_hot=True)} gives it: the first 5,000
 * training images are the validation set, {@code train} is the other 55,000, {@code test} the
 * 10,000 test images; pixels are {@code float32(p) * float32(1.0/255.0)}.
 */
public record Mnist(ImageSet train, ImageSet validation, ImageSet test) {

  public static final String DATASET = "mnist";
  public static final int ROWS = 28;
  public static final int COLS = 28;
  public static final int CLASSES = 10;
  /** TF1 input_data's default validation_size. */
  public static final int VALIDATION_SIZE = 5000;
  /** numpy: float32 array times the Python float 1.0/255.0 is computed in float32. */
  public static final float SCALE = (float) (1.0 / 255.0);

  public static final String TRAIN_IMAGES = "mnist/train-images-idx3-ubyte.gz";
  public static final String TRAIN_LABELS = "mnist/train-labels-idx1-ubyte.gz";
  public static final String TEST_IMAGES = "mnist/t10k-images-idx3-ubyte.gz";
  public static final String TEST_LABELS = "mnist/t10k-labels-idx1-ubyte.gz";

  /** Loads all splits from {@code dataDir}. */
  public static Mnist load(Path dataDir) throws IOException {
    ImageSet train = read(dataDir.resolve(TRAIN_IMAGES), dataDir.resolve(TRAIN_LABELS), 60000);
    ImageSet test = read(dataDir.resolve(TEST_IMAGES), dataDir.resolve(TEST_LABELS), 10000);
    return new Mnist(train.slice(VALIDATION_SIZE, train.size()), train.slice(0, VALIDATION_SIZE), test);
  }

  /** Loads only the test split. */
  public static ImageSet loadTest(Path dataDir) throws IOException {
    return read(dataDir.resolve(TEST_IMAGES), dataDir.resolve(TEST_LABELS), 10000);
  }

  /**
   * Reads one images/labels pair and checks them against each other.
   *
   * @param expectedCount the count the canonical file has, or -1 to accept any
   */
  public static ImageSet read(Path imagesFile, Path labelsFile, int expectedCount) throws IOException {
    IdxReader.IdxArray images = IdxReader.read(imagesFile, 3);
    IdxReader.IdxArray labels = IdxReader.read(labelsFile, 1);
    if (images.dims()[1] != ROWS || images.dims()[2] != COLS) {
      throw new DataException(imagesFile, "images are " + images.dims()[1] + "x" + images.dims()[2]
          + ", expected " + ROWS + "x" + COLS);
    }
    if (expectedCount >= 0 && images.count() != expectedCount) {
      throw new DataException(imagesFile, "holds " + images.count() + " images, expected " + expectedCount);
    }
    if (labels.count() != images.count()) {
      throw new DataException(labelsFile, "holds " + labels.count() + " labels but " + imagesFile.getFileName()
          + " holds " + images.count() + " images");
    }
    byte[] raw = images.data();
    int[] y = new int[labels.count()];
    byte[] rl = labels.data();
    for (int i = 0; i < y.length; i++) {
      y[i] = rl[i] & 0xff;
      if (y[i] >= CLASSES) {
        throw new DataException(labelsFile, "label " + y[i] + " at index " + i + " is outside 0.." + (CLASSES - 1));
      }
    }
    return new ImageSet(raw, SCALE, y, ROWS, COLS, CLASSES);
  }
}
