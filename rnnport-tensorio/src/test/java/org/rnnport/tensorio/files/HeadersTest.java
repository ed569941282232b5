package org.rnnport.tensorio.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.rnnport.tensorio.DType;

/** NPY and IDX headers and the masked CRC-32C, on hand-made bytes (the Python-written files: predict's tests). */
class HeadersTest {
  static byte[] npy(String dict) {
    byte[] h = dict.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
        .putShort((short) h.length).put(h);
    return b.array();
  }

  static NpyHeader read(String dict) throws IOException {
    return NpyHeader.read(new ByteArrayInputStream(npy(dict)), "a.npy");
  }

  @Test
  void everyNumpyDescrRnnportCarriesMapsToItsDtype() throws IOException {
    for (DType d : DType.values()) {
      if (d.numpy() == null) {
        assertThatThrownBy(() -> NpyHeader.encode(d, new long[] {1}, 0)).hasMessageContaining(d.label());
        continue;
      }
      byte[] h = NpyHeader.encode(d, new long[] {3, 4}, 0);
      assertThat(h.length % 64).isZero();
      NpyHeader r = NpyHeader.read(new ByteArrayInputStream(h), "x.npy");
      assertThat(r.dtype()).isEqualTo(d);
      assertThat(r.shape()).containsExactly(3, 4);
      assertThat(r.headerBytes()).isEqualTo(h.length);
      assertThat(r.dataBytes()).isEqualTo(12L * d.bytes());
    }
    assertThat(read("{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }").rowShape()).isEmpty();
    assertThat(read("{'descr': '=f4', 'fortran_order': False, 'shape': (), }").dtype()).isEqualTo(DType.FLOAT32);
    assertThat(read("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 0), }").count()).isZero();
    // a header reserved for any row count is rewritten in place with the real one
    byte[] reserved = NpyHeader.encode(DType.UINT8, new long[] {0, 7}, 0);
    assertThat(NpyHeader.encode(DType.UINT8, new long[] {Long.MAX_VALUE / 8, 7}, reserved.length)).hasSize(
        reserved.length);
  }

  @Test
  void bigEndianObjectStructuredAndFortranArraysAreRefusedByName() throws IOException {
    assertThatThrownBy(() -> read("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"))
        .isInstanceOf(FileFormatException.class).hasMessageContaining("a.npy: descr: big-endian dtype '>f4'");
    assertThatThrownBy(() -> read("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"))
        .hasMessageContaining("object arrays (descr '|O'");
    assertThat(NpyHeader.readAllowingObjects(new ByteArrayInputStream(npy(
        "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }")), "r.npz/x.npy").dtype()).isNull();
    assertThatThrownBy(() -> read("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"))
        .hasMessageContaining("structured (record) arrays");
    assertThatThrownBy(() -> read("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"))
        .hasMessageContaining("Fortran-ordered");
    assertThatThrownBy(() -> read("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }"))
        .hasMessageContaining("dtype '<c8' is not supported");
    assertThatThrownBy(() -> read("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"))
        .hasMessageContaining("overflows");
    assertThatThrownBy(() -> NpyHeader.read(new ByteArrayInputStream(new byte[] {1, 2, 3}), "b.npy"))
        .hasMessageContaining("b.npy: header: bad magic");
    assertThatThrownBy(() -> NpyHeader.read(new ByteArrayInputStream(Arrays.copyOf(npy("{}"), 9)), "c.npy"))
        .hasMessageContaining("c.npy: header: truncated");
  }

  @Test
  void idxHeaders() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(ByteBuffer.allocate(16).putInt(0x0D03).putInt(2).putInt(28).putInt(28).array());
    IdxHeader h = IdxHeader.read(new ByteArrayInputStream(b.toByteArray()), "f.idx");
    assertThat(h.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(h.shape()).containsExactly(2, 28, 28);
    assertThat(h.magic()).isEqualTo(0x0D03);
    assertThat(h.dataBytes()).isEqualTo(2 * 28 * 28 * 4);
    assertThatThrownBy(() -> IdxHeader.read(new ByteArrayInputStream(new byte[] {0, 0, 7, 1, 0, 0, 0, 1}), "g.idx"))
        .hasMessageContaining("g.idx: magic: bad magic number 0x00000701");
    assertThatThrownBy(() -> IdxHeader.read(new ByteArrayInputStream(new byte[] {0, 0, 8, 2, 0, 0, 0, 1}), "t.idx"))
        .hasMessageContaining("t.idx: header: truncated header");
    byte[] huge = ByteBuffer.allocate(16).putInt(0x0E03).putInt(Integer.MAX_VALUE).putInt(Integer.MAX_VALUE)
        .putInt(Integer.MAX_VALUE).array();
    assertThatThrownBy(() -> IdxHeader.read(new ByteArrayInputStream(huge), "h.idx")).hasMessageContaining("overflow");
  }

  @Test
  void maskedCrc32cIsTensorFlows() {
    // crc32c("123456789") = 0xe3069283 (RFC 3720's check value)
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(MaskedCrc32c.unmask(MaskedCrc32c.of(check))).isEqualTo(0xe3069283);
    assertThat(MaskedCrc32c.of(check)).isEqualTo(MaskedCrc32c.mask(0xe3069283));
    assertThat(MaskedCrc32c.of(new byte[0])).isEqualTo(0xa282ead8); // crc32c of nothing is 0
  }
}
