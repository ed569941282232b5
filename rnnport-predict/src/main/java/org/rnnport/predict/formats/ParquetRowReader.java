package org.rnnport.predict.formats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.rnnport.predict.Column;
import org.rnnport.predict.DType;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RecordRowReader;
import org.rnnport.predict.RowAssembler;
import org.rnnport.predict.Values;

/**
 * Parquet, one instance per row, read a row group at a time: a column named like an input key
 * (a list/array column, nested lists flattened, or a scalar) or scalar columns {@code key_0 ..
 * key_N-1} (see {@link ColumnMapping}). Any codec parquet-hadoop ships (snappy, gzip, zstd, ...).
 */
public final class ParquetRowReader extends RecordRowReader {
  private final ParquetFileReader reader;
  private final MessageType schema;
  private final ColumnMapping mapping;
  private final long total;
  private RecordReader<Group> rows;
  private long left;
  private long rowNo;
  private Group current;

  public ParquetRowReader(Path file, ReadOptions opts) throws IOException {
    super(file, opts, null);
    try {
      reader = ParquetFileReader.open(new LocalInputFile(file),
          ParquetReadOptions.builder(new PlainParquetConfiguration()).build());
    } catch (RuntimeException | IOException e) {
      throw new InputException(file, null, null, "not a readable Parquet file: " + e.getMessage());
    }
    try {
      schema = reader.getFooter().getFileMetaData().getSchema();
      List<String> names = new ArrayList<>();
      for (Type t : schema.getFields()) {
        names.add(t.getName());
      }
      mapping = ColumnMapping.of(names, opts, file, "Parquet");
      total = reader.getRecordCount();
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  @Override
  public long knownRecords() {
    return total;
  }

  @Override
  public long bytesRead() {
    return -1;
  }

  @Override
  protected String where() {
    return "row " + rowNo;
  }

  @Override
  protected String raw() {
    return current == null ? null : current.toString().replace('\n', ' ');
  }

  @Override
  protected RowAssembler.Row next() throws IOException {
    current = null;
    while (left == 0) {
      PageReadStore pages;
      try {
        pages = reader.readNextRowGroup();
      } catch (RuntimeException e) {
        throw new InputException(file, where(), null, "corrupt row group: " + e.getMessage());
      }
      if (pages == null) {
        return null;
      }
      rows = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
      left = pages.getRowCount();
    }
    String where = where();
    rowNo++;
    left--;
    Group g;
    try {
      g = rows.read();
    } catch (RuntimeException e) {
      throw new InputException(file, where, null, "corrupt data: " + e.getMessage());
    }
    current = g;
    Map<String, Column> values = new LinkedHashMap<>();
    for (InputBinding b : opts.inputs()) {
      int[] idx = mapping.inputs().get(b.key());
      Values v = new Values(b.dtype(), 64, file, where, b.key());
      boolean list = false;
      for (int i : idx) {
        Type t = schema.getType(i);
        if (g.getFieldRepetitionCount(i) == 0) {
          throw new InputException(file, where, b.key(), "null in column '" + t.getName() + "'");
        }
        list |= !t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED);
        flatten(g, i, t, v, where, b);
      }
      long[] src = mapping.scalar().get(b.key()) && !list ? new long[0] : new long[] {v.size()};
      values.put(b.key(), v.toColumn(b.resolveRowShape(src, file, where), 1));
    }
    Integer label = null;
    if (mapping.label() >= 0) {
      Values v = new Values(DType.FLOAT64, 4, file, where, opts.labelColumn());
      flatten(g, mapping.label(), schema.getType(mapping.label()), v, where, null);
      label = RowAssembler.label(v.toColumn(new long[] {v.size()}, 1), file, where, opts.labelColumn());
    }
    return new RowAssembler.Row(values, label);
  }

  private void flatten(Group g, int field, Type t, Values out, String where, InputBinding b) {
    int n = g.getFieldRepetitionCount(field);
    for (int j = 0; j < n; j++) {
      if (t.isPrimitive()) {
        PrimitiveType p = t.asPrimitiveType();
        switch (p.getPrimitiveTypeName()) {
          case FLOAT -> {
            requireFloat(b, where, t);
            out.addFloat(g.getFloat(field, j));
          }
          case DOUBLE -> {
            requireFloat(b, where, t);
            out.addDouble(g.getDouble(field, j));
          }
          case INT32 -> out.addLong(g.getInteger(field, j));
          case INT64 -> out.addLong(g.getLong(field, j));
          case BOOLEAN -> out.addLong(g.getBoolean(field, j) ? 1 : 0);
          default -> throw new InputException(file, where, b == null ? opts.labelColumn() : b.key(), "column '"
              + t.getName() + "' is " + p.getPrimitiveTypeName() + ", not numeric");
        }
      } else {
        Group sub = g.getGroup(field, j);
        GroupType gt = t.asGroupType();
        for (int k = 0; k < gt.getFieldCount(); k++) {
          flatten(sub, k, gt.getType(k), out, where, b);
        }
      }
    }
  }

  private void requireFloat(InputBinding b, String where, Type t) {
    if (b != null && b.dtype().integral()) {
      throw new InputException(file, where, b.key(), "dtype mismatch: column '" + t.getName() + "' holds floats, the "
          + "signature expects " + b.dtype().tf() + " (integers)");
    }
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  static boolean looksLikeParquet(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      byte[] m = in.readNBytes(4);
      return m.length == 4 && new String(m, java.nio.charset.StandardCharsets.US_ASCII).equals("PAR1");
    }
  }
}
