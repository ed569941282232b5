package org.rnnport.predict.formats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.rnnport.predict.OutputWriter;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;

/**
 * Parquet (snappy): one row per input row; a per-row scalar output is a required column, any
 * other a standard 3-level LIST column of its values, flattened row-major. Each dtype has its own
 * Parquet type ({@link #type}); bfloat16 is refused by name.
 */
public final class ParquetRowWriter implements OutputWriter {
  private final Path file;
  private ParquetWriter<Group> writer;
  private SimpleGroupFactory groups;

  public ParquetRowWriter(Path file) {
    this.file = file;
  }

  /**
   * The Parquet type of a dtype: FLOAT, DOUBLE, FLOAT16 (a 2-byte fixed array), INT32/INT64 with the integer
   * annotation of the dtype's width and sign (int32 and int64 plain, as before), BOOLEAN, BINARY for bytes.
   *
   * @throws IOException naming the output for bfloat16, which Parquet has no type for
   */
  private static Type type(DType t, String name, String key) throws IOException {
    return switch (t) {
      case FLOAT32 -> Types.required(PrimitiveTypeName.FLOAT).named(name);
      case FLOAT64 -> Types.required(PrimitiveTypeName.DOUBLE).named(name);
      case FLOAT16 -> Types.required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(2)
          .as(LogicalTypeAnnotation.float16Type()).named(name);
      case INT32 -> Types.required(PrimitiveTypeName.INT32).named(name);
      case INT64 -> Types.required(PrimitiveTypeName.INT64).named(name);
      case INT8, INT16, UINT8, UINT16, UINT32 -> Types.required(PrimitiveTypeName.INT32)
          .as(LogicalTypeAnnotation.intType(8 * t.bytes(), !t.unsigned())).named(name);
      case UINT64 -> Types.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.intType(64, false)).named(name);
      case BOOL -> Types.required(PrimitiveTypeName.BOOLEAN).named(name);
      case STRING -> Types.required(PrimitiveTypeName.BINARY).named(name);
      case BFLOAT16 -> throw new IOException("output '" + key + "' is bfloat16, which Parquet has no type for: write "
          + "JSON Lines instead");
    };
  }

  private void open(Map<String, Column> outputs) throws IOException {
    Types.MessageTypeBuilder mb = Types.buildMessage();
    for (Map.Entry<String, Column> e : outputs.entrySet()) {
      DType t = e.getValue().dtype();
      if (e.getValue().rowShape().length == 0) {
        mb.addField(type(t, e.getKey(), e.getKey()));
      } else {
        Type element = type(t, "element", e.getKey());
        mb.addField(Types.optionalGroup().as(LogicalTypeAnnotation.listType())
            .addField(Types.repeatedGroup().addField(element).named("list")).named(e.getKey()));
      }
    }
    MessageType schema = mb.named("predictions");
    groups = new SimpleGroupFactory(schema);
    writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withConf(new PlainParquetConfiguration())
        .withType(schema).withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(CompressionCodecName.SNAPPY).build();
  }

  @Override
  public void write(Map<String, Column> outputs, int rows) throws IOException {
    if (writer == null) {
      open(outputs);
    }
    for (int r = 0; r < rows; r++) {
      Group g = groups.newGroup();
      for (Map.Entry<String, Column> e : outputs.entrySet()) {
        Column c = e.getValue();
        int rs = c.rowSize();
        if (c.rowShape().length == 0) {
          add(g, e.getKey(), c, r);
        } else {
          Group list = g.addGroup(e.getKey());
          for (int i = r * rs; i < (r + 1) * rs; i++) {
            add(list.addGroup("list"), "element", c, i);
          }
        }
      }
      writer.write(g);
    }
  }

  private static void add(Group g, String name, Column c, int i) {
    switch (c.dtype()) {
      case FLOAT32 -> g.append(name, c.getFloat(i));
      case FLOAT64 -> g.append(name, c.getDouble(i));
      case FLOAT16 -> g.append(name, Binary.fromConstantByteArray(c.bytes(), 2 * i, 2));
      case INT64, UINT64 -> g.append(name, c.getLong(i));
      case BOOL -> g.append(name, c.getLong(i) != 0);
      case STRING -> g.append(name, Binary.fromConstantByteArray(c.strings()[i]));
      default -> g.append(name, (int) c.bits(i)); // uint32 as its bits, as Parquet stores UINT_32
    }
  }

  @Override
  public void finish() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }
}
