package org.rnnport.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.rnnport.parity.PythonEnv;
import org.rnnport.predictor.InvalidInputException;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;

/**
 * Issue #23, the dtype matrix on Spark: the serving matrix's identity SavedModels (exported by the parity venv's
 * TensorFlow, {@code parity/rnnport_oracle/dtype_files.py}), one per dtype, score a column of the dtype's Spark type
 * holding the extremes, on {@code local[2]}, through both row forms; the prediction column must hold what
 * TensorFlow answered in Python, bit for bit. float16, bfloat16 and uint64 (no Spark type holds them) are refused
 * by name when the predictor is built; int8, int16 and uint32 (TF Java makes no tensors of them) when the batch
 * runs.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class SparkDtypeMatrixTest {
  static Path dir;
  static JsonNode expected;

  @BeforeAll
  static void export() throws IOException {
    dir = TestSpark.ROOT.resolve("target/spark-tests/dtype-matrix");
    org.rnnport.util.AtomicFiles.deleteRecursively(dir);
    PythonEnv.ensure(TestSpark.ROOT.resolve("parity/requirements.txt"), System.err).runModule(
        TestSpark.ROOT.resolve("parity"), "rnnport_oracle.dtype_files", List.of("export", "--out", dir.toString()),
        System.err);
    expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
  }

  static List<String> values(DType d, String which) {
    List<String> v = new ArrayList<>();
    expected.get(d.label()).get(which).forEach(n -> v.add(n.asText()));
    return v;
  }

  /** A cell of the dtype's Spark type from its bits (strings: base64). */
  static Object cell(DType d, String bits) {
    if (d == DType.STRING) {
      return Base64.getDecoder().decode(bits);
    }
    long b = Long.parseUnsignedLong(bits);
    return switch (d) {
      case FLOAT32 -> Float.intBitsToFloat((int) b);
      case FLOAT64 -> Double.longBitsToDouble(b);
      case INT8 -> (byte) b;
      case INT16 -> (short) b;
      case UINT8 -> (short) b; // smallint holds 0..255 as they are
      case INT32 -> (int) b;
      case UINT16 -> (int) b;
      case INT64, UINT32 -> b;
      case BOOL -> b != 0;
      default -> throw new IllegalArgumentException(d.label());
    };
  }

  /** The bits of a prediction cell, as Python wrote them. */
  static String bits(DType d, Row r, int i) {
    Object v = r.get(i);
    return switch (d) {
      case STRING -> Base64.getEncoder().encodeToString((byte[]) v);
      case FLOAT32 -> Integer.toUnsignedString(Float.floatToRawIntBits((Float) v));
      case FLOAT64 -> Long.toUnsignedString(Double.doubleToRawLongBits((Double) v));
      case BOOL -> (Boolean) v ? "1" : "0";
      case INT8 -> Integer.toString((Byte) v & 0xff);
      case INT16 -> Integer.toString((Short) v & 0xffff);
      case INT32 -> Integer.toUnsignedString((Integer) v);
      case INT64 -> Long.toUnsignedString((Long) v);
      default -> Long.toString(((Number) v).longValue()); // uint8 smallint, uint16 int, uint32 bigint
    };
  }

  @Test
  void sparkCarriesEachDtypeASparkTypeHoldsBitForBitAndRefusesTheRestByName() throws IOException {
    List<String> carried = new ArrayList<>();
    for (DType d : DType.values()) {
      String model = dir.resolve("models").resolve("dt_" + d.label()).resolve("1").toString();
      if (d == DType.FLOAT16 || d == DType.BFLOAT16 || d == DType.UINT64) {
        assertThatThrownBy(() -> SparkPredictor.builder(model).inputColumn("x").build())
            .isInstanceOf(InvalidInputException.class).hasMessageContaining("input 'x' is " + d.label());
        continue;
      }
      DataType type = SparkPredictor.elementType(d.tfName(), "x");
      StructType schema = new StructType().add("x", type, false);
      List<Row> rows = new ArrayList<>();
      for (String b : values(d, "inputs")) {
        rows.add(RowFactory.create(cell(d, b)));
      }
      for (boolean catalyst : new boolean[] {true, false}) {
        Dataset<Row> data = TestSpark.spark().createDataFrame(TestSpark.jsc().parallelize(rows, 2), schema);
        SparkPredictor sp = SparkPredictor.builder(model).inputColumn("x").batchSize(3).catalystRows(catalyst).build();
        String col = d == DType.STRING ? "pred_y_bytes" : "pred_y";
        if (!HostTensor.served(d)) {
          assertThatThrownBy(() -> sp.transform(data).collectAsList()).hasStackTraceContaining("'x'")
              .hasStackTraceContaining(d.label());
          continue;
        }
        List<Row> out = sp.transform(data).collectAsList();
        List<String> got = new ArrayList<>();
        for (Row r : out) {
          got.add(bits(d, r, r.fieldIndex(col)));
        }
        assertThat(got).as("%s, catalystRows=%s", d.label(), catalyst).isEqualTo(values(d, "outputs"));
        carried.add(d.label());
      }
    }
    assertThat(carried).containsOnly("float32", "float64", "int32", "int64", "uint8", "uint16", "bool", "string")
        .hasSize(16);
  }
}
