package org.rnnport.tensorio;

import java.util.Locale;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Every dtype a TensorFlow signature can carry to or from rnnport, with its TensorFlow enum, its numpy
 * descr and its element size: the one dtype model of rnnport (REST, gRPC, predict, Spark, warm-up, event
 * files and the bundled-data readers all use it).
 *
 * <p>{@link #tensorType()} is TF Java 1.1.0's typed tensor class, or null for the four dtypes TF Java has no
 * class for (int8, int16, uint32, uint64): those need raw tensors through TensorFlow's C API.
 */
public enum DType {
  /** IEEE half precision (DT_HALF). */
  FLOAT16(DataType.DT_HALF, "<f2", 2, TFloat16.class),
  /** Brain float16 (DT_BFLOAT16); numpy has no descr for it. */
  BFLOAT16(DataType.DT_BFLOAT16, null, 2, TBfloat16.class),
  /** IEEE single precision (DT_FLOAT). */
  FLOAT32(DataType.DT_FLOAT, "<f4", 4, TFloat32.class),
  /** IEEE double precision (DT_DOUBLE). */
  FLOAT64(DataType.DT_DOUBLE, "<f8", 8, TFloat64.class),
  /** Signed 8-bit integers (no TF Java class). */
  INT8(DataType.DT_INT8, "|i1", 1, null),
  /** Signed 16-bit integers (no TF Java class). */
  INT16(DataType.DT_INT16, "<i2", 2, null),
  /** Signed 32-bit integers. */
  INT32(DataType.DT_INT32, "<i4", 4, TInt32.class),
  /** Signed 64-bit integers. */
  INT64(DataType.DT_INT64, "<i8", 8, TInt64.class),
  /** Unsigned 8-bit integers (TF Java's TUint8 is a signed view). */
  UINT8(DataType.DT_UINT8, "|u1", 1, TUint8.class),
  /** Unsigned 16-bit integers. */
  UINT16(DataType.DT_UINT16, "<u2", 2, TUint16.class),
  /** Unsigned 32-bit integers (no TF Java class). */
  UINT32(DataType.DT_UINT32, "<u4", 4, null),
  /** Unsigned 64-bit integers (no TF Java class). */
  UINT64(DataType.DT_UINT64, "<u8", 8, null),
  /** Booleans, one byte each. */
  BOOL(DataType.DT_BOOL, "|b1", 1, TBool.class),
  /** Bytes of any length per element (TensorFlow's DT_STRING); {@link #bytes()} is -1. */
  STRING(DataType.DT_STRING, null, -1, TString.class);

  private final DataType proto;
  private final String numpy;
  private final int bytes;
  private final Class<? extends TType> tensorType;

  DType(DataType proto, String numpy, int bytes, Class<? extends TType> tensorType) {
    this.proto = proto;
    this.numpy = numpy;
    this.bytes = bytes;
    this.tensorType = tensorType;
  }

  /**
   * TensorFlow's enum value.
   *
   * @return {@code DT_FLOAT}, ...
   */
  public DataType proto() {
    return proto;
  }

  /**
   * TensorFlow's name, as in a SignatureDef.
   *
   * @return {@code DT_FLOAT}, ...
   */
  public String tfName() {
    return proto.name();
  }

  /**
   * The little-endian numpy descr.
   *
   * @return {@code <f4}, {@code |u1}, ..., or null where numpy has none (bfloat16, string)
   */
  public String numpy() {
    return numpy;
  }

  /**
   * Bytes per element.
   *
   * @return the element size; -1 for {@link #STRING}
   */
  public int bytes() {
    return bytes;
  }

  /**
   * TF Java's typed tensor class.
   *
   * @return the class, or null where TF Java 1.1.0 has none (int8, int16, uint32, uint64)
   */
  public Class<? extends TType> tensorType() {
    return tensorType;
  }

  /**
   * Whether values are integers (bool and string are not).
   *
   * @return true for int8 to uint64
   */
  public boolean integral() {
    switch (this) {
      case INT8: case INT16: case INT32: case INT64: case UINT8: case UINT16: case UINT32: case UINT64:
        return true;
      default:
        return false;
    }
  }

  /**
   * Whether values are IEEE or brain floats.
   *
   * @return true for float16, bfloat16, float32, float64
   */
  public boolean floating() {
    return this == FLOAT16 || this == BFLOAT16 || this == FLOAT32 || this == FLOAT64;
  }

  /**
   * Whether values are unsigned integers.
   *
   * @return true for uint8 to uint64
   */
  public boolean unsigned() {
    return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
  }

  /**
   * The lower-case name used in messages and docs.
   *
   * @return {@code float32}, {@code uint64}, {@code string}, ...
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The dtype of a TensorFlow enum value.
   *
   * @param proto the enum value
   * @return the dtype, or null when rnnport does not carry it (DT_RESOURCE, DT_VARIANT, ...)
   */
  public static DType of(DataType proto) {
    for (DType d : values()) {
      if (d.proto == proto) {
        return d;
      }
    }
    return null;
  }

  /**
   * The dtype of a TensorFlow enum number.
   *
   * @param number the enum's number
   * @return the dtype, or null (999 and DT_RESOURCE give null)
   */
  public static DType ofNumber(int number) {
    DataType p = DataType.forNumber(number);
    return p == null ? null : of(p);
  }

  /**
   * The dtype of a TensorFlow name.
   *
   * @param name {@code DT_FLOAT}, ...
   * @return the dtype, or null
   */
  public static DType ofTfName(String name) {
    for (DType d : values()) {
      if (d.proto.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /**
   * The dtype of a numpy descr ({@code <f4}, {@code =i8}, {@code |u1}, {@code u1}, {@code ?}), or null for
   * big-endian and other descrs.
   *
   * @param descr the numpy descr
   * @return the dtype, or null
   */
  public static DType ofNumpy(String descr) {
    String d = descr.replace('=', '<');
    if (d.equals("?") || d.equals("b1") || d.equals("<b1")) {
      return BOOL;
    }
    if (d.length() == 2) {
      d = (d.endsWith("1") ? "|" : "<") + d;
    } else if (d.startsWith("<") && d.endsWith("1")) {
      d = "|" + d.substring(1);
    }
    for (DType t : values()) {
      if (d.equals(t.numpy)) {
        return t;
      }
    }
    return null;
  }
}
