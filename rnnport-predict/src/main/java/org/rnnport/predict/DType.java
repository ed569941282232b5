package org.rnnport.predict;

/** The numeric dtypes predict reads and writes, with their TensorFlow and numpy names. */
public enum DType {
  UINT8("DT_UINT8", "|u1", 1),
  INT32("DT_INT32", "<i4", 4),
  INT64("DT_INT64", "<i8", 8),
  FLOAT32("DT_FLOAT", "<f4", 4),
  FLOAT64("DT_DOUBLE", "<f8", 8);

  private final String tf;
  private final String numpy;
  private final int bytes;

  DType(String tf, String numpy, int bytes) {
    this.tf = tf;
    this.numpy = numpy;
    this.bytes = bytes;
  }

  public String tf() {
    return tf;
  }

  public String numpy() {
    return numpy;
  }

  public int bytes() {
    return bytes;
  }

  public boolean integral() {
    return this != FLOAT32 && this != FLOAT64;
  }

  /** The dtype of a TensorFlow name ({@code DT_FLOAT}), or null if predict does not handle it. */
  public static DType ofTf(String name) {
    for (DType d : values()) {
      if (d.tf.equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The dtype of a numpy descr ({@code <f4}, {@code |u1}, ...), or null. Big-endian is not handled. */
  public static DType ofNumpy(String descr) {
    String d = descr.replace('=', '<');
    if (d.equals("<u1") || d.equals("u1")) {
      d = "|u1";
    }
    for (DType t : values()) {
      if (t.numpy.equals(d)) {
        return t;
      }
    }
    return null;
  }
}
