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
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.rnnport.predict.Column;
import org.rnnport.predict.DType;
import org.rnnport.predict.OutputWriter;

/**
 * Parquet (snappy): one row per input row; a per-row scalar output is a required column, any
 * other a standard 3-level LIST column of its values, flattened row-major.
 */
public final class ParquetRowWriter implements OutputWriter {
  private final Path file;
  private ParquetWriter<Group> writer;
  private SimpleGroupFactory groups;

  public ParquetRowWriter(Path file) {
    this.file = file;
  }

  private static PrimitiveTypeName type(DType t) {
    return switch (t) {
      case FLOAT32 -> PrimitiveTypeName.FLOAT;
      case FLOAT64 -> PrimitiveTypeName.DOUBLE;
      case INT64 -> PrimitiveTypeName.INT64;
      default -> PrimitiveTypeName.INT32;
    };
  }

  private void open(Map<String, Column> outputs) throws IOException {
    Types.MessageTypeBuilder mb = Types.buildMessage();
    for (Map.Entry<String, Column> e : outputs.entrySet()) {
      PrimitiveTypeName t = type(e.getValue().dtype());
      if (e.getValue().rowShape().length == 0) {
        mb.addField(Types.required(t).named(e.getKey()));
      } else {
        Type element = Types.required(t).named("element");
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
      case FLOAT32 -> g.append(name, ((float[]) c.data())[i]);
      case FLOAT64 -> g.append(name, ((double[]) c.data())[i]);
      case INT64 -> g.append(name, c.getLong(i));
      default -> g.append(name, (int) c.getLong(i));
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
