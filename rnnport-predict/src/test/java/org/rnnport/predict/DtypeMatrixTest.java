package org.rnnport.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.rnnport.TestData;
import org.rnnport.parity.PythonEnv;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.HostTensor;

/**
 * Issue #23, the dtype matrix of {@code rnnport predict}'s files: for each of the 14 dtypes, an identity SavedModel
 * exported by the parity venv's TensorFlow ({@code parity/rnnport_oracle/dtype_files.py}, on the serving
 * matrix's models) is fed its extremes
 * (min and max, 2^53 +- 1 for int64, 2^64 - 1 for uint64, -0.0, the smallest subnormal, NaN and +-Infinity for
 * floats, empty and non-UTF-8 bytes for strings) from JSON Lines and {@code .npy} files Python wrote, and from a
 * Parquet file parquet-mr writes here; predict writes the same format. numpy reads the JSON Lines and {@code .npy}
 * outputs and compares them with what TensorFlow answered, bit for bit; the Parquet outputs are read back with
 * parquet-mr and compared the same way. A dtype that a format cannot hold, or that TF Java cannot make a tensor of
 * (int8, int16, uint32, uint64), is refused with a message naming the dtype and the key.
 */
@DisabledIfSystemProperty(named = "skipParity", matches = "true|")
class DtypeMatrixTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Path dir;
  static JsonNode expected;
  static PythonEnv python;

  @BeforeAll
  static void export() throws IOException {
    Path project = TestData.projectDir();
    dir = project.resolve("target/predict-tests/dtype-matrix");
    org.rnnport.util.AtomicFiles.deleteRecursively(dir);
    python = PythonEnv.ensure(project.resolve("parity/requirements.txt"), System.err);
    python.runModule(project.resolve("parity"), "rnnport_oracle.dtype_files", List.of("export", "--out",
        dir.toString()), System.err);
    expected = JSON.readTree(dir.resolve("expected.json").toFile());
  }

  /** Whether a format holds a dtype as it is. */
  static boolean holds(String format, DType d) {
    return switch (format) {
      case "npy" -> d.numpy() != null;
      case "parquet" -> d != DType.BFLOAT16;
      default -> true;
    };
  }

  static long[] bits(DType d, String which) {
    JsonNode a = expected.get(d.label()).get(which);
    long[] b = new long[a.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = Long.parseUnsignedLong(a.get(i).asText());
    }
    return b;
  }

  static List<String> strings(String which) {
    List<String> s = new ArrayList<>();
    expected.get("string").get(which).forEach(n -> s.add(n.asText()));
    return s;
  }

  @Test
  void predictCarriesEachDtypeItsFormatHoldsBitForBitAndRefusesTheRestByName() throws Exception {
    Path outs = dir.resolve("outputs");
    Files.createDirectories(outs);
    List<String> refused = new ArrayList<>();
    int carried = 0;
    for (DType d : DType.values()) {
      Path model = dir.resolve("models").resolve("dt_" + d.label()).resolve("1");
      for (String format : List.of("jsonl", "npy", "parquet")) {
        Path in = switch (format) {
          case "npy" -> dir.resolve("inputs").resolve((d.numpy() == null ? "float32" : d.label()) + ".npy");
          case "parquet" -> parquetInput(d);
          default -> dir.resolve("inputs").resolve(d.label() + ".jsonl");
        };
        Path out = outs.resolve(d.label() + ".from-" + format + "." + format);
        PredictFixtures.Opts o = new PredictFixtures.Opts(out, in);
        o.model = model;
        o.format = format;
        o.outputFormat = format;
        o.batchSize = 4; // several batches, the last one short
        o.workers = 1;
        boolean served = HostTensor.served(d);
        if (served && holds(format, d)) {
          o.run();
          carried++;
          if (format.equals("parquet")) {
            assertParquetOutput(d, out);
          }
        } else {
          String what = d.label() + " from " + format;
          assertThatThrownBy(o::run).as(what).hasMessageContaining(d.label())
              .satisfies(e -> System.err.println("refused " + what + ": " + e.getMessage()))
              .satisfies(e -> assertThat(e.getMessage()).as(what).containsAnyOf("'x'", "'y'", "'y_bytes'"));
          assertThat(out).as(what + ": nothing written").doesNotExist();
          if (served) {
            // a dtype the input file cannot hold is refused as it is read, before any conversion
            assertThatThrownBy(o::run).hasMessageContaining("input 'x'");
          }
          refused.add(what);
        }
      }
    }
    assertThat(carried).isEqualTo(10 + 8 + 9); // jsonl: the 10 served dtypes; npy: not bfloat16, string; parquet: not bfloat16
    assertThat(refused).contains("int8 from jsonl", "uint64 from parquet", "bfloat16 from npy", "string from npy",
        "bfloat16 from parquet");
    // numpy reads what predict wrote
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(log, true, "UTF-8")) {
      python.runModule(TestData.projectDir().resolve("parity"), "rnnport_oracle.dtype_files", List.of("check",
          "--out", dir.toString(), "--outputs", outs.toString()), p);
    }
    String checked = log.toString("UTF-8");
    assertThat(checked).contains("0 different").doesNotContain("DIFF").contains("same uint16.from-npy.npy",
        "same string.from-jsonl.jsonl", "same float16.from-jsonl.jsonl", "same int64.from-jsonl.jsonl");
  }

  /** A Parquet column 'x' of the dtype's own Parquet type, written by parquet-mr from Python's input bits. */
  static Path parquetInput(DType d) throws IOException {
    Path f = dir.resolve("inputs").resolve(d.label() + ".parquet");
    if (Files.exists(f)) {
      return f;
    }
    DType col = d == DType.BFLOAT16 ? DType.FLOAT32 : d; // Parquet has no bfloat16: a float column is refused for it
    MessageType schema = Types.buildMessage().addField(type(col)).named("inputs");
    SimpleGroupFactory gf = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(f))
        .withConf(new PlainParquetConfiguration()).withType(schema).build()) {
      if (col == DType.STRING) {
        for (String s : strings("inputs")) {
          w.write(gf.newGroup().append("x", Binary.fromConstantByteArray(Base64.getDecoder().decode(s))));
        }
      } else {
        long[] b = col == d ? bits(d, "inputs") : new long[] {0, Float.floatToIntBits(1f)};
        for (long v : b) {
          Group g = gf.newGroup();
          switch (col) {
            case FLOAT32 -> g.append("x", Float.intBitsToFloat((int) v));
            case FLOAT64 -> g.append("x", Double.longBitsToDouble(v));
            case FLOAT16 -> g.append("x", Binary.fromConstantByteArray(new byte[] {(byte) v, (byte) (v >>> 8)}));
            case BOOL -> g.append("x", v != 0);
            case INT64, UINT64 -> g.append("x", v);
            case INT8 -> g.append("x", (int) (byte) v);
            case INT16 -> g.append("x", (int) (short) v);
            default -> g.append("x", (int) v); // int32, and the unsigned ones as their bits
          }
          w.write(g);
        }
      }
    }
    return f;
  }

  static Type type(DType d) {
    return switch (d) {
      case FLOAT32 -> Types.required(PrimitiveTypeName.FLOAT).named("x");
      case FLOAT64 -> Types.required(PrimitiveTypeName.DOUBLE).named("x");
      case FLOAT16 -> Types.required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(2)
          .as(LogicalTypeAnnotation.float16Type()).named("x");
      case BOOL -> Types.required(PrimitiveTypeName.BOOLEAN).named("x");
      case STRING -> Types.required(PrimitiveTypeName.BINARY).named("x");
      case INT64 -> Types.required(PrimitiveTypeName.INT64).named("x");
      case UINT64 -> Types.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.intType(64, false)).named("x");
      default -> Types.required(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(8 * d.bytes(),
          !d.unsigned())).named("x");
    };
  }

  /** predict's Parquet output, read by parquet-mr: column 'y', the dtype's Parquet type, TensorFlow's bits. */
  static void assertParquetOutput(DType d, Path out) throws IOException {
    List<Group> rows = new ArrayList<>();
    ParquetReader.Builder<Group> b = new ParquetReader.Builder<>(new LocalInputFile(out)) {
      @Override
      protected org.apache.parquet.hadoop.api.ReadSupport<Group> getReadSupport() {
        return new GroupReadSupport();
      }
    };
    try (ParquetReader<Group> r = b.withConf(new PlainParquetConfiguration()).build()) {
      for (Group g = r.read(); g != null; g = r.read()) {
        rows.add(g);
      }
    }
    String y = d == DType.STRING ? "y_bytes" : "y";
    Type t = rows.get(0).getType().getType(y);
    assertThat(t.asPrimitiveType().getPrimitiveTypeName()).as(d.label())
        .isEqualTo(type(d).asPrimitiveType().getPrimitiveTypeName());
    if (d == DType.STRING) {
      List<String> got = rows.stream().map(g -> Base64.getEncoder().encodeToString(g.getBinary(y, 0).getBytes()))
          .toList();
      assertThat(got).isEqualTo(strings("outputs"));
      return;
    }
    long[] want = bits(d, "outputs");
    long[] got = new long[rows.size()];
    for (int i = 0; i < got.length; i++) {
      Group g = rows.get(i);
      got[i] = switch (d) {
        case FLOAT32 -> Float.floatToRawIntBits(g.getFloat(y, 0)) & 0xffffffffL;
        case FLOAT64 -> Double.doubleToRawLongBits(g.getDouble(y, 0));
        case FLOAT16 -> ByteBuffer.wrap(g.getBinary(y, 0).getBytes()).order(ByteOrder.LITTLE_ENDIAN).getShort()
            & 0xffffL;
        case BOOL -> g.getBoolean(y, 0) ? 1 : 0;
        case INT64, UINT64 -> g.getLong(y, 0);
        default -> g.getInteger(y, 0) & ((1L << (8 * d.bytes())) - 1);
      };
    }
    assertThat(got).as(d.label()).containsExactly(want);
  }
}
