package org.rnnport.predict;

import com.fasterxml.jackson.core.io.NumberInput;
import java.nio.file.Path;

/** A growable array of one dtype, filled from text (JSON, CSV) or numbers, with integral and range checks. */
public final class Values {
  private final DType dtype;
  private Object data;
  private int size;
  private final Path file;
  private final String where;
  private final String key;

  public Values(DType dtype, int capacity, Path file, String where, String key) {
    this.dtype = dtype;
    this.data = Column.newArray(dtype == DType.UINT8 ? DType.INT32 : dtype, Math.max(capacity, 4));
    this.file = file;
    this.where = where;
    this.key = key;
  }

  public int size() {
    return size;
  }

  public DType dtype() {
    return dtype == DType.UINT8 ? DType.INT32 : dtype;
  }

  private void grow() {
    int len = java.lang.reflect.Array.getLength(data);
    if (size == len) {
      Object d = Column.newArray(dtype(), len * 2);
      System.arraycopy(data, 0, d, 0, size);
      data = d;
    }
  }

  /** A number as written in text; {@code integralToken} when the text has no fraction or exponent. */
  public void addText(String text) {
    String t = text.trim();
    try {
      switch (dtype()) {
        // Jackson's FastDoubleParser: correctly rounded like the JDK's parsers (the same values), several times faster
        case FLOAT32 -> addFloat(NumberInput.parseFloat(t, true));
        case FLOAT64 -> addDouble(NumberInput.parseDouble(t, true));
        default -> {
          long v;
          try {
            v = Long.parseLong(t);
          } catch (NumberFormatException e) {
            double d = NumberInput.parseDouble(t, true);
            if (d != Math.rint(d) || Math.abs(d) > 9.007199254740992E15) {
              throw new InputException(file, where, key, "'" + abbreviate(t) + "' is not an integer (the signature's "
                  + dtype().tf() + " input takes integers)");
            }
            v = (long) d;
          }
          addLong(v);
        }
      }
    } catch (NumberFormatException e) {
      throw new InputException(file, where, key, "'" + abbreviate(t) + "' is not a number");
    }
  }

  public void addFloat(float v) {
    grow();
    switch (dtype()) {
      case FLOAT32 -> ((float[]) data)[size++] = v;
      case FLOAT64 -> ((double[]) data)[size++] = v;
      default -> addDouble(v);
    }
  }

  public void addDouble(double v) {
    switch (dtype()) {
      case FLOAT32 -> addFloat((float) v);
      case FLOAT64 -> {
        grow();
        ((double[]) data)[size++] = v;
      }
      default -> {
        if (v != Math.rint(v) || Double.isInfinite(v)) {
          throw new InputException(file, where, key, v + " is not an integer (the signature's " + dtype().tf()
              + " input takes integers)");
        }
        addLong((long) v);
      }
    }
  }

  public void addLong(long v) {
    grow();
    switch (dtype()) {
      case FLOAT32 -> ((float[]) data)[size++] = v;
      case FLOAT64 -> ((double[]) data)[size++] = v;
      case INT32 -> {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
          throw new InputException(file, where, key, v + " does not fit the signature's DT_INT32");
        }
        ((int[]) data)[size++] = (int) v;
      }
      default -> ((long[]) data)[size++] = v;
    }
  }

  /** The values as a column of {@code rows} rows of {@code rowShape}. */
  public Column toColumn(long[] rowShape, int rows) {
    Object d = Column.newArray(dtype(), size);
    System.arraycopy(data, 0, d, 0, size);
    return new Column(dtype(), rowShape, rows, d);
  }

  /** Appends every value of {@code c}. */
  public void addAll(Column c) {
    int n = c.rows() * c.rowSize();
    if (c.dtype() == dtype()) {
      while (java.lang.reflect.Array.getLength(data) < size + n) {
        int len = java.lang.reflect.Array.getLength(data);
        Object d = Column.newArray(dtype(), len * 2);
        System.arraycopy(data, 0, d, 0, size);
        data = d;
      }
      System.arraycopy(c.data(), 0, data, size, n);
      size += n;
      return;
    }
    for (int i = 0; i < n; i++) {
      if (c.dtype().integral()) {
        addLong(c.getLong(i));
      } else {
        addDouble(c.getDouble(i));
      }
    }
  }

  static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }
}
