package org.rnnport.tensorio.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;
import org.tensorflow.Tensor;

/** The row batcher and its exact columns, on real TensorFlow tensors. */
class BatcherTest {
  static Column of(DType d, String... text) {
    ColumnBuilder b = new ColumnBuilder(d, 1);
    for (String t : text) {
      b.addText(t);
    }
    return b.toColumn(new long[0], text.length);
  }

  @Test
  void valuesAreTheDtypesOwnOrRefusedByName() {
    assertThat(of(DType.UINT8, "255", "0").getLong(0)).isEqualTo(255);
    assertThat(of(DType.UINT8, "255").bytes()).containsExactly((byte) 0xff);
    assertThatThrownBy(() -> of(DType.UINT8, "256")).isInstanceOf(ValueException.class)
        .hasMessageContaining("256 is out of range (0..255) (the dtype is uint8)");
    assertThatThrownBy(() -> of(DType.INT8, "-129")).hasMessageContaining("int8");
    assertThat(of(DType.UINT64, "18446744073709551615").getLong(0)).isEqualTo(-1L);
    assertThatThrownBy(() -> of(DType.UINT64, "18446744073709551616")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> of(DType.UINT64, "-1")).hasMessageContaining("uint64");
    assertThat(of(DType.INT64, "9007199254740993").getLong(0)).isEqualTo(9007199254740993L); // never via a double
    assertThat(of(DType.INT32, "3.0", "3e2").getLong(1)).isEqualTo(300);
    assertThatThrownBy(() -> of(DType.INT32, "1.5")).hasMessageContaining("'1.5' is not an integer");
    assertThatThrownBy(() -> of(DType.FLOAT32, "1f")).hasMessageContaining("'1f' is not a number");
    assertThat(Float.floatToRawIntBits(of(DType.FLOAT32, "-0.0").getFloat(0))).isEqualTo(0x80000000);
    assertThat(of(DType.FLOAT32, "1.4E-45").getFloat(0)).isEqualTo(Float.MIN_VALUE);
    assertThat(of(DType.FLOAT16, "65504", "-Infinity", "NaN").bits(0)).isEqualTo(0x7bff);
    assertThat(of(DType.BOOL, "true", "False", "1").getLong(1)).isZero();
    assertThat(of(DType.STRING, "h\u00e9").strings()[0]).containsExactly('h', 0xc3, 0xa9);

    ColumnBuilder f64 = new ColumnBuilder(DType.FLOAT64, 1);
    assertThatThrownBy(() -> f64.addLong((1L << 53) + 1)).hasMessageContaining("not exactly a float64");
    ColumnBuilder f32 = new ColumnBuilder(DType.FLOAT32, 1);
    assertThatThrownBy(() -> f32.addDouble(1e-300)).hasMessageContaining("not exactly a float32");
    assertThatThrownBy(() -> f32.addLong(16_777_217)).hasMessageContaining("float32");
    f32.addLong(255);
    f32.addDouble(Double.NaN);
    assertThat(f32.size()).isEqualTo(2);
    ColumnBuilder bf = new ColumnBuilder(DType.BFLOAT16, 1);
    assertThatThrownBy(() -> bf.addFloat(1.1f)).hasMessageContaining("bfloat16");
    ColumnBuilder i32 = new ColumnBuilder(DType.INT32, 1);
    assertThatThrownBy(() -> i32.addBool(true)).hasMessageContaining("int32");
    assertThatThrownBy(() -> i32.addBytes(new byte[0])).hasMessageContaining("int32");
  }

  @Test
  void aRaggedRowIsRefusedWithItsIndexAndKeyAndTakenBack() {
    RowBatcher b = new RowBatcher(List.of(new RowBatcher.Input("x", DType.FLOAT32, new long[] {-1, 2}),
        new RowBatcher.Input("ids", DType.INT64, new long[0])), 4);
    b.values(0).addFloats(new float[] {1, 2, 3, 4});
    b.values(1).addLong(7);
    b.endRow(0);
    assertThat(b.rowShape(0)).containsExactly(2, 2); // the first row fixes the unknown dimension
    b.values(0).addFloats(new float[] {1, 2});
    b.values(1).addLong(8);
    assertThatThrownBy(() -> b.endRow(1)).isInstanceOf(ValueException.class)
        .hasMessage("row 1, input 'x': 2 values, the input takes 4 per row (per-row shape [2, 2], inferred from this "
            + "batch's first row): a ragged row")
        .satisfies(e -> assertThat(((ValueException) e).key()).isEqualTo("x"));
    b.values(0).addFloats(new float[] {5, 6, 7, 8});
    b.values(1).addLong(9);
    b.endRow(2);
    Map<String, Column> batch = b.build();
    assertThat(batch.get("x").shape()).containsExactly(2, 2, 2);
    assertThat(batch.get("ids").toHost("ids").longs()).containsExactly(7, 9);
    assertThatThrownBy(() -> new RowBatcher(List.of(new RowBatcher.Input("x", DType.FLOAT32, new long[] {3})), 1)
        .add(0, Map.of("x", of(DType.STRING, "a")))).hasMessageContaining("row 0, input 'x'");
  }

  @Test
  void columnsBecomeTensorsAndBackForEveryServedDtype() {
    for (DType d : DType.values()) {
      Column c = d == DType.STRING ? of(d, "", "a") : Column.zeros(d, new long[] {3}, 2);
      if (!HostTensor.served(d)) {
        assertThatThrownBy(() -> BatchTensors.tensor(c, "x")).hasMessageContaining("'x'").hasMessageContaining(
            d.label());
        continue;
      }
      try (Tensor t = BatchTensors.tensor(c, "x")) {
        Column back = BatchTensors.column(t, "y", 2);
        assertThat(back.dtype()).isEqualTo(d);
        assertThat(back.size()).isEqualTo(c.size());
        if (d != DType.STRING) {
          assertThat(back.bytes()).isEqualTo(c.bytes());
        }
      }
    }
  }

  @Test
  void requestsConcatenateIntoOneBatchAndSliceBack() {
    Column a = Column.ofArray(DType.UINT8, new long[] {2}, 1, new int[] {255, 0});
    Column b = Column.ofArray(DType.UINT8, new long[] {2}, 2, new int[] {1, 2, 3, 4});
    try (Tensor ta = BatchTensors.tensor(a, "x"); Tensor tb = BatchTensors.tensor(b, "x");
        Tensor all = BatchTensors.concat(List.of(ta, tb), 1, "x");
        Tensor back = BatchTensors.slice(all, 1, 2, "x")) {
      assertThat(all.shape().asArray()).containsExactly(4, 2);
      assertThat(BatchTensors.column(all, "x", 4).toHost("x").ints()).containsExactly(255, 0, 1, 2, 3, 4, 0, 0);
      assertThat(BatchTensors.column(back, "x", 2).bytes()).isEqualTo(b.bytes());
    }
    Column s = of(DType.STRING, "", "\u00ff");
    try (Tensor ts = BatchTensors.tensor(s, "s"); Tensor two = BatchTensors.concat(List.of(ts, ts), 0, "s");
        Tensor last = BatchTensors.slice(two, 3, 1, "s")) {
      assertThat(BatchTensors.column(two, "s", 4).strings().length).isEqualTo(4);
      assertThat(BatchTensors.column(last, "s", 1).strings()[0]).isEqualTo(s.strings()[1]);
    }
    try (Tensor ta = BatchTensors.tensor(a, "x"); Tensor f = BatchTensors.tensor(Column.zeros(DType.FLOAT32,
        new long[] {2}, 1), "x")) {
      assertThatThrownBy(() -> BatchTensors.concat(List.of(ta, f), 0, "x")).hasMessageContaining("cannot batch");
    }
  }
}
