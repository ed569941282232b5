package org.rnnport.predict.formats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RecordRowReader;
import org.rnnport.predict.RowAssembler;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.Minifloats;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.batch.ColumnBuilder;
import org.rnnport.tensorio.batch.ValueException;

/**
 * Parquet, one instance per row, read a row group at a time: a column named like an input key
 * (a list/array column, nested lists flattened, or a scalar) or scalar columns {@code key_0 ..
 * key_N-1} (see {@link ColumnMapping}). Any codec parquet-hadoop ships (snappy, gzip, zstd, ...).
 *
 * <p>Only the columns the inputs and the label use are read (a projection), and their values go
 * straight from parquet-mr's converters into primitive buffers, one per column ({@link Field}):
 * no {@code Group} object per row and per list element, no boxed values.
 *
 * <p>When every column read has one leaf of a numeric type (a scalar, a list of numbers, a list of lists of
 * numbers: what Spark, pandas and pyarrow write for arrays), its values come from parquet-mr's column readers
 * directly ({@link Leaf}), without the record assembly: a row is the values up to the next repetition level 0.
 * The result is the same as the converters': a value wherever the definition level is the leaf's maximum, the
 * column present unless its top level is null. Other columns (structs of several leaves, text) take the record
 * assembly.
 */
public final class ParquetRowReader extends RecordRowReader {
  private final ParquetFileReader reader;
  private final MessageType schema;
  private final ColumnMapping mapping;
  private final long total;
  private final MessageType projection;
  private final Field[] fields; // by the file schema's field index; null for columns not read
  private final Materializer materializer;
  private RecordReader<Field[]> rows;
  /** The column readers of the current row group, one per column read, when every column is a single leaf. */
  private Leaf[] leaves;
  private final boolean direct;
  private final String createdBy;
  private long left;
  private long rowNo;
  private boolean haveCurrent;

  public ParquetRowReader(Path file, ReadOptions opts) throws IOException {
    super(file, opts, null);
    for (InputBinding b : opts.inputs()) {
      if (b.dtype() == DType.BFLOAT16) {
        throw new InputException(file, null, b.key(), "the signature's input is bfloat16, which Parquet has no type "
            + "for: feed it from JSON Lines");
      }
    }
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
      fields = new Field[names.size()];
      for (int[] idx : mapping.inputs().values()) {
        for (int i : idx) {
          fields[i] = new Field(schema.getType(i));
        }
      }
      if (mapping.label() >= 0) {
        fields[mapping.label()] = new Field(schema.getType(mapping.label()));
      }
      List<Type> read = new ArrayList<>();
      List<Field> readFields = new ArrayList<>();
      for (int i = 0; i < fields.length; i++) {
        if (fields[i] != null) {
          read.add(schema.getType(i));
          readFields.add(fields[i]);
        }
      }
      projection = new MessageType(schema.getName(), read);
      reader.setRequestedSchema(projection);
      materializer = new Materializer(fields, readFields);
      boolean simple = true;
      for (Type t : read) {
        List<ColumnDescriptor> cols = leavesOf(t);
        simple &= cols.size() == 1 && numeric(cols.get(0).getPrimitiveType().getPrimitiveTypeName());
      }
      direct = simple && !Boolean.getBoolean("rnnport.parquet.recordAssembly");
      createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  @Override
  public long knownRecords() {
    return total;
  }

  /** Whether the rows come from the column readers (every column read is one numeric leaf), not the record assembly. */
  public boolean usesColumnReaders() {
    return direct;
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
    if (!haveCurrent) {
      return null;
    }
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < fields.length; i++) {
      if (fields[i] != null) {
        sb.append(sb.length() > 1 ? ", " : "").append(fields[i].type.getName()).append(": ");
        fields[i].describe(sb);
      }
    }
    return sb.append('}').toString();
  }

  @Override
  protected RowAssembler.Row next() throws IOException {
    haveCurrent = false;
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
      if (direct) {
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages, materializer.getRootConverter(), projection,
            createdBy);
        leaves = new Leaf[fields.length];
        for (int i = 0; i < fields.length; i++) {
          if (fields[i] != null) {
            ColumnDescriptor c = leavesOf(fields[i].type).get(0);
            leaves[i] = new Leaf(store.getColumnReader(c), c, topLevelDefinition(fields[i].type));
          }
        }
      } else {
        rows = new ColumnIOFactory().getColumnIO(projection, schema).getRecordReader(pages, materializer);
      }
      left = pages.getRowCount();
    }
    String where = where();
    rowNo++;
    left--;
    try {
      if (direct) {
        for (int i = 0; i < fields.length; i++) {
          if (fields[i] != null) {
            leaves[i].readRow(fields[i]);
          }
        }
      } else {
        rows.read();
      }
    } catch (RuntimeException e) {
      throw new InputException(file, where, null, "corrupt data: " + e.getMessage());
    }
    haveCurrent = true;
    Map<String, Column> values = new LinkedHashMap<>();
    for (InputBinding b : opts.inputs()) {
      int[] idx = mapping.inputs().get(b.key());
      int count = 0;
      for (int i : idx) {
        count += fields[i].n;
      }
      ColumnBuilder v = new ColumnBuilder(b.dtype(), Math.max(1, count)); // sized once: no regrowth per row
      boolean list = false;
      for (int i : idx) {
        Field f = fields[i];
        Type t = f.type;
        if (!f.present) {
          throw new InputException(file, where, b.key(), "null in column '" + t.getName() + "'");
        }
        list |= !t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED);
        f.replay(v, where, b);
      }
      long[] src = mapping.scalar().get(b.key()) && !list ? new long[0] : new long[] {v.size()};
      values.put(b.key(), v.toColumn(b.resolveRowShape(src, file, where), 1));
    }
    Integer label = null;
    if (mapping.label() >= 0) {
      ColumnBuilder v = new ColumnBuilder(DType.FLOAT64, 4);
      fields[mapping.label()].replay(v, where, null);
      label = RowAssembler.label(v.toColumn(new long[] {v.size()}, 1), file, where, opts.labelColumn());
    }
    return new RowAssembler.Row(values, label);
  }

  /**
   * One top-level column's values in the current record, flattened in order as parquet-mr's converters hand them
   * over: floats and doubles in {@code d}, integers (unsigned ones as their bits) and booleans in {@code l}, byte
   * strings in {@code b}, and per value which one it is.
   */
  private final class Field {
    static final byte FLOAT = 0;
    static final byte DOUBLE = 1;
    static final byte LONG = 2;
    static final byte UNSIGNED = 3;
    static final byte BOOL = 4;
    static final byte BYTES = 5;
    final Type type;
    boolean present;
    int n;
    double[] d = new double[64];
    long[] l = new long[64];
    byte[][] b = new byte[64][];
    byte[] kind = new byte[64];
    String notNumeric; // the primitive type of a value that is not a number, if one came

    Field(Type type) {
      this.type = type;
    }

    void reset() {
      present = false;
      n = 0;
      notNumeric = null;
    }

    private int slot(byte k) {
      present = true;
      if (n == kind.length) {
        int cap = n * 2;
        d = java.util.Arrays.copyOf(d, cap);
        l = java.util.Arrays.copyOf(l, cap);
        b = java.util.Arrays.copyOf(b, cap);
        kind = java.util.Arrays.copyOf(kind, cap);
      }
      kind[n] = k;
      return n++;
    }

    // (the slot first: it may grow the arrays, and d[slot(...)] would write to the old one)
    void addFloat(float v) {
      int i = slot(FLOAT);
      d[i] = v;
    }

    void addDouble(double v) {
      int i = slot(DOUBLE);
      d[i] = v;
    }

    void addLong(long v) {
      int i = slot(LONG);
      l[i] = v;
    }

    void addUnsigned(long bits) {
      int i = slot(UNSIGNED);
      l[i] = bits;
    }

    void addBool(boolean v) {
      int i = slot(BOOL);
      l[i] = v ? 1 : 0;
    }

    void addBytes(byte[] v) {
      int i = slot(BYTES);
      b[i] = v;
    }

    void addOther(String primitiveType) {
      present = true;
      if (notNumeric == null) {
        notNumeric = primitiveType;
      }
    }

    /** Appends the record's values of this column to {@code out}, exactly (tensor I/O's {@link ColumnBuilder}). */
    void replay(ColumnBuilder out, String where, InputBinding in) {
      String key = in == null ? opts.labelColumn() : in.key();
      if (notNumeric != null) {
        throw new InputException(file, where, key, "column '" + type.getName() + "' is " + notNumeric
            + ", which no dtype of rnnport reads");
      }
      DType want = in == null ? DType.FLOAT64 : in.dtype();
      for (int j = 0; j < n; j++) {
        if (kind[j] == BYTES && want != DType.STRING) {
          throw new InputException(file, where, key, "column '" + type.getName() + "' is BINARY, not numeric (the "
              + "input is " + want.label() + ")");
        }
      }
      if (in != null && (in.dtype().integral() || in.dtype() == DType.BOOL)) {
        for (int j = 0; j < n; j++) {
          if (kind[j] == FLOAT || kind[j] == DOUBLE) {
            requireFloat(in, where, type);
          }
        }
      }
      try {
        for (int j = 0; j < n; j++) {
          switch (kind[j]) {
            case FLOAT -> out.addFloat((float) d[j]);
            case DOUBLE -> out.addDouble(d[j]);
            case UNSIGNED -> out.addUnsignedLong(l[j]);
            case BOOL -> {
              if (out.dtype() == DType.BOOL) {
                out.addBool(l[j] != 0);
              } else {
                out.addLong(l[j]); // a bool feeds a number as 0 or 1, as before
              }
            }
            case BYTES -> out.addBytes(b[j]);
            default -> out.addLong(l[j]);
          }
        }
      } catch (ValueException e) {
        throw new InputException(file, where, key, "column '" + type.getName() + "': " + e.getMessage());
      }
    }

    void describe(StringBuilder sb) {
      if (!present) {
        sb.append("null");
        return;
      }
      sb.append('[');
      for (int j = 0; j < Math.min(n, 16); j++) {
        sb.append(j > 0 ? ", " : "").append(switch (kind[j]) {
          case FLOAT -> Float.toString((float) d[j]);
          case DOUBLE -> Double.toString(d[j]);
          case UNSIGNED -> Long.toUnsignedString(l[j]);
          case BOOL -> l[j] != 0 ? "true" : "false";
          case BYTES -> "b64:" + java.util.Base64.getEncoder().encodeToString(b[j]);
          default -> Long.toString(l[j]);
        });
      }
      sb.append(n > 16 ? ", ... (" + n + " values)]" : "]");
    }
  }

  /** The leaf columns under a top-level field of the projection. */
  private List<ColumnDescriptor> leavesOf(Type top) {
    List<ColumnDescriptor> out = new ArrayList<>();
    for (ColumnDescriptor c : projection.getColumns()) {
      if (c.getPath()[0].equals(top.getName())) {
        out.add(c);
      }
    }
    return out;
  }

  private static boolean numeric(PrimitiveType.PrimitiveTypeName t) {
    return switch (t) {
      case FLOAT, DOUBLE, INT32, INT64, BOOLEAN -> true;
      default -> false;
    };
  }

  /** Whether an integer column is annotated unsigned ({@code UINT_8} .. {@code UINT_64}): its values are bits. */
  static boolean unsigned(PrimitiveType t) {
    return t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned();
  }

  /** The definition level at which a top-level field is there (0 when it is required, 1 when optional). */
  private static int topLevelDefinition(Type top) {
    return top.isRepetition(Type.Repetition.REQUIRED) ? 0 : 1;
  }

  /**
   * One leaf column read straight from its pages: a row's entries are the first one (repetition level 0) and every
   * one after it with a repetition level above 0; an entry at the leaf's maximum definition level is a value, one
   * below it a null or an empty list somewhere on the path, which adds nothing (as with the record assembly).
   */
  private static final class Leaf {
    final ColumnReader r;
    final int maxDef;
    final int presentAt;
    final PrimitiveType.PrimitiveTypeName type;
    final boolean unsigned;
    long left;

    Leaf(ColumnReader r, ColumnDescriptor c, int presentAt) {
      this.r = r;
      this.maxDef = c.getMaxDefinitionLevel();
      this.presentAt = presentAt;
      this.type = c.getPrimitiveType().getPrimitiveTypeName();
      this.unsigned = unsigned(c.getPrimitiveType());
      this.left = r.getTotalValueCount();
    }

    void readRow(Field f) {
      f.reset();
      if (left <= 0) {
        throw new IllegalStateException("column " + f.type.getName() + " ends before its row group");
      }
      boolean first = true;
      do {
        int def = r.getCurrentDefinitionLevel();
        if (first && def >= presentAt) {
          f.present = true;
        }
        first = false;
        if (def == maxDef) {
          switch (type) {
            case FLOAT -> f.addFloat(r.getFloat());
            case DOUBLE -> f.addDouble(r.getDouble());
            case INT32 -> f.addLong(unsigned ? r.getInteger() & 0xffffffffL : r.getInteger());
            case INT64 -> {
              if (unsigned) {
                f.addUnsigned(r.getLong());
              } else {
                f.addLong(r.getLong());
              }
            }
            default -> f.addBool(r.getBoolean());
          }
        }
        r.consume();
        left--;
      } while (left > 0 && r.getCurrentRepetitionLevel() > 0);
    }
  }

  /** parquet-mr's record assembly into the {@link Field}s: every leaf of a column writes to that column's buffer. */
  private static final class Materializer extends RecordMaterializer<Field[]> {
    private final Field[] all;
    private final GroupConverter root;

    Materializer(Field[] all, List<Field> read) {
      this.all = all;
      Converter[] children = new Converter[read.size()];
      for (int k = 0; k < children.length; k++) {
        children[k] = converter(read.get(k), read.get(k).type);
      }
      root = group(children, () -> read.forEach(Field::reset));
    }

    private static Converter converter(Field f, Type t) {
      if (t.isPrimitive()) {
        String name = t.asPrimitiveType().getPrimitiveTypeName().name();
        boolean unsigned = unsigned(t.asPrimitiveType());
        boolean bytes = t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY;
        boolean half = t.asPrimitiveType().getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.Float16LogicalTypeAnnotation;
        return new PrimitiveConverter() {
          @Override
          public void addFloat(float v) {
            f.addFloat(v);
          }

          @Override
          public void addDouble(double v) {
            f.addDouble(v);
          }

          @Override
          public void addInt(int v) {
            f.addLong(unsigned ? v & 0xffffffffL : v);
          }

          @Override
          public void addLong(long v) {
            if (unsigned) {
              f.addUnsigned(v);
            } else {
              f.addLong(v);
            }
          }

          @Override
          public void addBoolean(boolean v) {
            f.addBool(v);
          }

          @Override
          public void addBinary(Binary v) {
            if (bytes) {
              f.addBytes(v.getBytes());
            } else if (half && v.length() == 2) {
              byte[] h = v.getBytes();
              f.addFloat(Minifloats.halfToFloat((short) ((h[0] & 0xff) | (h[1] << 8))));
            } else {
              f.addOther(name);
            }
          }
        };
      }
      GroupType gt = t.asGroupType();
      Converter[] children = new Converter[gt.getFieldCount()];
      for (int k = 0; k < children.length; k++) {
        children[k] = converter(f, gt.getType(k));
      }
      return group(children, () -> f.present = true);
    }

    /** A group's converter: its children's, and what to do when a group (a record, a list, ...) starts. */
    private static GroupConverter group(Converter[] children, Runnable onStart) {
      return new GroupConverter() {
        @Override
        public Converter getConverter(int fieldIndex) {
          return children[fieldIndex];
        }

        @Override
        public void start() {
          onStart.run();
        }

        @Override
        public void end() {}
      };
    }

    @Override
    public Field[] getCurrentRecord() {
      return all;
    }

    @Override
    public GroupConverter getRootConverter() {
      return root;
    }
  }

  private void requireFloat(InputBinding b, String where, Type t) {
    if (b != null) {
      throw new InputException(file, where, b.key(), "dtype mismatch: column '" + t.getName() + "' holds floats, the "
          + "signature expects " + b.dtype().tfName());
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
