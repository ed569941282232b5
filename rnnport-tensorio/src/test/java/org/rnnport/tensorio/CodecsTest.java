package org.rnnport.tensorio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnport.tensorio.json.JsonTensors;
import org.rnnport.tensorio.proto.TensorProtoCodec;
import org.tensorflow.Tensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TUint8;

/** The codecs on their own, on real TF Java tensors (the served round trips are in rnnport-serving's DtypeMatrixTest). */
class CodecsTest {
  @Test
  void minifloatsRoundToNearestEvenAndKnowExactness() {
    for (int b = 0; b <= 0xffff; b++) {
      float h = Minifloats.halfToFloat((short) b);
      if (!Float.isNaN(h)) {
        assertThat(Minifloats.halfFromDouble(h) & 0xffff).as("half %04x", b).isEqualTo(b);
        assertThat(Minifloats.halfExact(h)).isEqualTo(b);
      }
      float bf = Minifloats.bfloat16ToFloat((short) b);
      if (!Float.isNaN(bf)) {
        assertThat(Minifloats.bfloat16FromDouble(bf) & 0xffff).as("bfloat16 %04x", b).isEqualTo(b);
      }
    }
    assertThat(Minifloats.halfFromDouble(65520.0) & 0xffff).isEqualTo(0x7c00); // a tie at the top rounds to infinity
    assertThat(Minifloats.halfFromDouble(0x1p-25) & 0xffff).isEqualTo(0);    // a tie at the bottom to even zero
    assertThat(Minifloats.halfExact(0.1f)).isEqualTo(-1);
  }

  @Test
  void javaValuesStayExact() {
    HostTensor u8 = HostTensor.ofArray("p", DType.UINT8, new int[] {0, 255});
    try (Tensor t = u8.toTensor()) {
      assertThat(((TUint8) t).getByte(1)).isEqualTo((byte) -1); // TF Java's signed view of 255
      assertThat(HostTensor.of("p", t).ints()).containsExactly(0, 255);
    }
    assertThatThrownBy(() -> HostTensor.ofArray("p", DType.UINT8, new int[] {256})).hasMessageContaining("input 'p'");
    assertThatThrownBy(() -> HostTensor.ofArray("h", DType.FLOAT16, new float[] {0.1f}))
        .hasMessageContaining("not a float16");
    assertThatThrownBy(() -> HostTensor.ofArray("x", DType.FLOAT32, new float[][] {{1}, {1, 2}}))
        .hasMessageContaining("ragged");
    HostTensor u64 = HostTensor.ofArray("u", DType.UINT64, new long[] {-1L});
    assertThat(Long.toUnsignedString(u64.longs()[0])).isEqualTo("18446744073709551615");
    assertThatThrownBy(() -> HostTensor.ofArray("i8", DType.INT8, new byte[] {1}).toTensor())
        .hasMessageContaining("'i8' is int8").hasMessageContaining("cannot serve");
    assertThatThrownBy(u64::floats).isInstanceOf(WrongTypeException.class).hasMessageContaining("'u' is uint64 of shape [1]");
  }

  static TensorProto.Builder proto(DataType dt, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorProto.newBuilder().setDtype(dt).setTensorShape(s);
  }

  @Test
  void tensorProtosFollowTensorFlowsRules() {
    HostTensor b = TensorProtoCodec.decode("x", proto(DataType.DT_INT64, 2, 2).addInt64Val(Long.MIN_VALUE).build());
    assertThat(b.longs()).containsExactly(Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE);
    assertThat(TensorProtoCodec.decode("x", proto(DataType.DT_FLOAT, 3).build()).floats()).containsExactly(0, 0, 0);
    HostTensor h = TensorProtoCodec.decode("x", proto(DataType.DT_BFLOAT16, 1).addHalfVal(0x7f80).build());
    assertThat(h.floats()).containsExactly(Float.POSITIVE_INFINITY);
    assertThat(TensorProtoCodec.encode(h, false).getHalfValList()).containsExactly(0x7f80);
    assertThat(TensorProtoCodec.encode(h, true).getTensorContent().toByteArray()).containsExactly(0x80, 0x7f);
    assertThat(TensorProtoCodec.byteSize("x", proto(DataType.DT_DOUBLE, 1L << 20, 4).build())).isEqualTo(32L << 20);
    assertThatThrownBy(() -> TensorProtoCodec.decode("x", proto(DataType.DT_UINT8, 1).addIntVal(256).build()))
        .hasMessageContaining("input 'x'").hasMessageContaining("out of range for uint8");
    assertThatThrownBy(() -> TensorProtoCodec.byteSize("x", proto(DataType.DT_FLOAT, 1L << 62, 4).build()))
        .hasMessageContaining("input 'x'").hasMessageContaining("2^63");
  }

  @Test
  void jsonParsesNumberTextPerDtype() {
    Map<String, DType> in = new LinkedHashMap<>();
    in.put("a", DType.UINT64);
    in.put("b", DType.INT64);
    in.put("c", DType.FLOAT32);
    byte[] body = ("{\"signature_name\": \"s\", \"instances\": [{\"a\": 18446744073709551615, \"b\": 9007199254740993, "
        + "\"c\": 0.1}, {\"a\": 0, \"b\": -9223372036854775808, \"c\": NaN}]}").getBytes(StandardCharsets.UTF_8);
    JsonTensors.Request r = JsonTensors.scan(body);
    assertThat(r.signatureName()).isEqualTo("s");
    Map<String, HostTensor> t = JsonTensors.inputs(r, in);
    assertThat(t.get("a").longs()).containsExactly(-1L, 0L);
    assertThat(t.get("b").longs()).containsExactly(9007199254740993L, Long.MIN_VALUE);
    assertThat(t.get("c").floats()).containsExactly(0.1f, Float.NaN);
    assertThat(new String(JsonTensors.predictResponse(false, t), StandardCharsets.UTF_8)).isEqualTo(
        "{\"outputs\":{\"a\":[18446744073709551615,0],\"b\":[9007199254740993,-9223372036854775808],\"c\":[0.1,NaN]}}");
    // the outline reads past the data field: a signature_name after it, a second data field, trailing bytes
    JsonTensors.Request late = JsonTensors.scan("{\"inputs\": {\"a\": [\"]}\", 1]}, \"signature_name\": \"late\"}"
        .getBytes(StandardCharsets.UTF_8));
    assertThat(late.signatureName()).isEqualTo("late");
    assertThat(late.rowFormat()).isFalse();
    assertThatThrownBy(() -> JsonTensors.scan("{\"instances\": [[1]], \"x\": 1, \"inputs\": [2]}"
        .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("both");
    assertThatThrownBy(() -> JsonTensors.scan("{\"instances\": [[1]]} x".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("JSON");
    assertThatThrownBy(() -> JsonTensors.scan("{\"instances\": [[1]".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("invalid JSON");
    assertThatThrownBy(() -> JsonTensors.inputs(JsonTensors.scan("{\"inputs\": {\"a\": [1.0], \"b\": [1], \"c\": [1]}}"
        .getBytes(StandardCharsets.UTF_8)), in)).hasMessageContaining("input 'a'").hasMessageContaining("DT_UINT64");
    assertThatThrownBy(() -> JsonTensors.inputs(JsonTensors.scan("{\"inputs\": {\"a\": [[1], [1, 2]], \"b\": [1], \"c\": [1]}}"
        .getBytes(StandardCharsets.UTF_8)), in)).hasMessageContaining("input 'a'").hasMessageContaining("ragged");
  }
}
