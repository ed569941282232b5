package org.rnnport.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnport.predict.formats.ParquetRowReader;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;

/**
 * The column readers ({@code ParquetRowReader}'s direct path) give what parquet-mr's record assembly gives, row for
 * row, on every layout the direct path takes: required and optional scalars, 2-level repeated numbers, 3-level
 * lists with null elements, empty and null lists, lists of lists, float/double/int32/int64/boolean, dictionary and
 * plain pages, several row groups and pages; and the rows it refuses (a null column) carry the same text.
 */
class ParquetColumnReadersTest {
  @TempDir
  Path tmp;

  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message m {"
      + " required float a;"
      + " optional double b;"
      + " repeated int32 c;"
      + " optional group d (LIST) { repeated group list { optional float element; } }"
      + " required group e (LIST) { repeated group list { required int64 element; } }"
      + " optional group f (LIST) { repeated group list { optional group element (LIST) {"
      + "   repeated group list { optional double element; } } } }"
      + " optional boolean g;"
      + " optional group h (LIST) { repeated group list { required int32 element; } }"
      + " }");

  private static final List<String> KEYS = List.of("a", "b", "c", "d", "e", "f", "g", "h");

  private Path write(int rows, boolean dictionary) throws IOException {
    Path file = tmp.resolve("mixed-" + dictionary + ".parquet");
    Random rnd = new Random(7);
    SimpleGroupFactory gf = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration()).withType(SCHEMA).withCompressionCodec(CompressionCodecName.SNAPPY)
        .withDictionaryEncoding(dictionary).withRowGroupSize(16 * 1024).withPageSize(1024)
        .withWriterVersion(dictionary ? ParquetProperties.WriterVersion.PARQUET_1_0
            : ParquetProperties.WriterVersion.PARQUET_2_0).build()) {
      for (int r = 0; r < rows; r++) {
        Group g = gf.newGroup();
        g.append("a", dictionary ? (float) (r % 5) : rnd.nextFloat());
        if (rnd.nextInt(40) > 0) {
          g.append("b", rnd.nextGaussian());
        }
        for (int k = rnd.nextInt(4); k > 0; k--) {
          g.append("c", rnd.nextInt(100));
        }
        int dn = rnd.nextInt(40);
        if (dn > 0) { // 0: a null list (the row is refused)
          Group list = g.addGroup("d");
          for (int k = 0; k < dn % 6 - 1; k++) { // dn % 6 == 1: an empty list
            Group el = list.addGroup("list");
            if (rnd.nextInt(4) > 0) { // else a null element
              el.append("element", rnd.nextFloat());
            }
          }
        }
        Group e = g.addGroup("e");
        for (int k = rnd.nextInt(3); k > 0; k--) {
          e.addGroup("list").append("element", rnd.nextLong() >> 11); // exactly a float64 (an int64 beyond 2^53 is refused)
        }
        if (rnd.nextInt(40) > 0) {
          Group outer = g.addGroup("f");
          for (int i = rnd.nextInt(3); i > 0; i--) {
            Group el = outer.addGroup("list");
            if (rnd.nextInt(5) > 0) {
              Group inner = el.addGroup("element");
              for (int k = rnd.nextInt(3); k > 0; k--) {
                Group ie = inner.addGroup("list");
                if (rnd.nextInt(5) > 0) {
                  ie.append("element", rnd.nextDouble());
                }
              }
            }
          }
        }
        if (rnd.nextInt(40) > 0) {
          g.append("g", rnd.nextBoolean());
        }
        if (r % 17 != 3) { // a null column: the row is refused
          Group h = g.addGroup("h");
          for (int k = rnd.nextInt(3); k > 0; k--) {
            h.addGroup("list").append("element", rnd.nextInt());
          }
        }
        w.write(g);
      }
    }
    return file;
  }

  /** Every row, one at a time: each column's values (float64 inputs of any length), or the refusal and its text. */
  private static List<String> read(Path file, boolean recordAssembly) throws IOException {
    String before = System.getProperty("rnnport.parquet.recordAssembly");
    System.setProperty("rnnport.parquet.recordAssembly", Boolean.toString(recordAssembly));
    List<InputBinding> inputs = new ArrayList<>();
    for (String k : KEYS) {
      inputs.add(new InputBinding(k, DType.FLOAT64, new long[] {-1, -1}));
    }
    List<String> rows = new ArrayList<>();
    try (ParquetRowReader r = new ParquetRowReader(file, new ReadOptions(inputs, null, true, Map.of()))) {
      assertThat(r.usesColumnReaders()).isEqualTo(!recordAssembly);
      for (Chunk c = r.read(1); c != null && c.records() > 0; c = r.read(1)) {
        StringBuilder sb = new StringBuilder();
        for (String k : KEYS) {
          Column col = c.inputs().get(k);
          sb.append(k).append('=').append(col == null ? "-" : Arrays.toString(col.toHost("t").doubles())).append(' ');
        }
        for (Reject j : c.rejects()) {
          sb.append("rejected ").append(j.where()).append(' ').append(j.key()).append(": ").append(j.error())
              .append(' ').append(j.input());
        }
        rows.add(sb.toString());
      }
    } finally {
      if (before == null) {
        System.clearProperty("rnnport.parquet.recordAssembly");
      } else {
        System.setProperty("rnnport.parquet.recordAssembly", before);
      }
    }
    return rows;
  }

  @Test
  void columnReadersGiveWhatTheRecordAssemblyGives() throws IOException {
    for (boolean dictionary : new boolean[] {true, false}) {
      int n = 3000;
      Path file = write(n, dictionary);
      List<String> assembled = read(file, true);
      List<String> direct = read(file, false);
      assertThat(assembled).hasSize(n);
      long refused = assembled.stream().filter(s -> s.contains("rejected")).count();
      assertThat(refused).isGreaterThanOrEqualTo((n - 3 + 16) / 17).isLessThan(n / 2);
      assertThat(String.join("\n", assembled)).contains("null in column 'h'", "null in column 'd'");
      assertThat(assembled.stream().filter(s -> s.contains("d=[]")).count()).isPositive();
      assertThat(String.join("\n", assembled)).contains("c=[]");
      for (int i = 0; i < n; i++) {
        assertThat(direct.get(i)).as("row %d (dictionary pages: %s)", i, dictionary).isEqualTo(assembled.get(i));
      }
    }
  }
}
