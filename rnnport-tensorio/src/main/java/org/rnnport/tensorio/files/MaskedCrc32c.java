package org.rnnport.tensorio.files;

import java.util.zip.CRC32C;

/**
 * TensorFlow's masked CRC-32C ({@code tensorflow/core/lib/hash/crc32c.h}): the CRC-32C (Castagnoli) of the bytes,
 * rotated right by 15 bits, plus {@code 0xa282ead8}. TFRecord frames store it for the length and for the data.
 */
public final class MaskedCrc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private MaskedCrc32c() {}

  /**
   * The masked CRC-32C of {@code len} bytes of {@code b} from {@code off}.
   *
   * @param b the bytes
   * @param off the offset of its first byte
   * @param len how many bytes
   * @return the masked CRC-32C of len bytes of b from off
   */
  public static int of(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return mask((int) c.getValue());
  }

  /**
   * The masked CRC-32C of all of {@code b}.
   *
   * @param b the bytes
   * @return the masked CRC-32C of all of b
   */
  public static int of(byte[] b) {
    return of(b, 0, b.length);
  }

  /**
   * Masks a plain CRC-32C.
   *
   * @param crc a plain CRC-32C
   * @return the masked CRC-32C
   */
  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /**
   * The plain CRC-32C of a masked one.
   *
   * @param masked a masked CRC-32C
   * @return the plain CRC-32C of a masked one
   */
  public static int unmask(int masked) {
    int rot = masked - MASK_DELTA;
    return (rot >>> 17) | (rot << 15);
  }
}
