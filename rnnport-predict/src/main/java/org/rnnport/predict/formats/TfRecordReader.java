package org.rnnport.predict.formats;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnnport.predict.InputBinding;
import org.rnnport.predict.InputException;
import org.rnnport.predict.ReadOptions;
import org.rnnport.predict.RecordRowReader;
import org.rnnport.predict.RowAssembler;
import org.rnnport.tensorio.DType;
import org.rnnport.tensorio.batch.Column;
import org.rnnport.tensorio.batch.ColumnBuilder;
import org.rnnport.tensorio.batch.ValueException;
import org.rnnport.tensorio.files.FileFormatException;
import org.rnnport.tensorio.files.TfRecordInput;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;

/**
 * TFRecord files (raw or gzipped) of {@code tf.train.Example}: each feature named like an input
 * key (a single-input signature takes the only feature) gives that input's values, flattened
 * ({@code float_list} or {@code int64_list}). Framing and both CRCs of every record: tensor I/O's
 * {@link TfRecordInput}.
 */
public final class TfRecordReader extends RecordRowReader {
  private final TfRecordInput in;
  private long recordNo;
  private byte[] data;

  public TfRecordReader(Path file, ReadOptions opts) throws IOException {
    this(file, opts, new CountingStream(Files.newInputStream(file)));
  }

  private TfRecordReader(Path file, ReadOptions opts, CountingStream counter) throws IOException {
    super(file, opts, counter);
    TfRecordInput r;
    try {
      r = TfRecordInput.open(counter, file.toString());
    } catch (FileFormatException e) {
      throw new InputException(file, "record 0", null, e.detail());
    }
    this.in = r;
  }

  @Override
  protected String where() {
    return "record " + recordNo;
  }

  @Override
  protected String raw() {
    return data == null ? null : java.util.Base64.getEncoder().encodeToString(data);
  }

  private boolean fatal;

  @Override
  protected boolean recoverable(InputException e) {
    return !fatal;
  }

  @Override
  protected RowAssembler.Row next() throws IOException {
    data = null;
    byte[] d;
    String where = where();
    recordNo++;
    try {
      d = in.next();
    } catch (FileFormatException e) {
      fatal = !e.resumable();
      throw new InputException(file, where, null, e.detail());
    }
    if (d == null) {
      return null;
    }
    data = d;
    Example ex;
    try {
      ex = Example.parseFrom(d);
    } catch (InvalidProtocolBufferException e) {
      throw new InputException(file, where, null, "not a tf.train.Example: " + e.getMessage());
    }
    Map<String, Feature> features = ex.getFeatures().getFeatureMap();
    Map<String, Column> values = new LinkedHashMap<>();
    for (InputBinding b : opts.inputs()) {
      Feature f = features.get(b.key());
      if (f == null && opts.singleInput()) {
        var others = features.keySet().stream().filter(k -> !k.equals(opts.labelColumn())).toList();
        if (others.size() == 1) {
          f = features.get(others.get(0));
        }
      }
      if (f == null) {
        throw new InputException(file, where, b.key(), "missing feature: the Example has " + new java.util.TreeSet<>(
            features.keySet()) + ", the signature takes " + opts.keys());
      }
      Column c = column(f, b.dtype(), where, b.key());
      values.put(b.key(), new Column(c.dtype(), b.resolveRowShape(c.rowShape(), file, where), 1, c.data()));
    }
    Integer label = null;
    if (opts.labelColumn() != null) {
      Feature f = features.get(opts.labelColumn());
      if (f == null) {
        throw new InputException(file, where, opts.labelColumn(), "missing label feature");
      }
      label = RowAssembler.label(column(f, DType.FLOAT64, where, opts.labelColumn()), file, where, opts.labelColumn());
    }
    return new RowAssembler.Row(values, label);
  }

  private Column column(Feature f, DType dtype, String where, String key) {
    ColumnBuilder v;
    try {
      switch (f.getKindCase()) {
        case FLOAT_LIST -> {
          if (!dtype.floating()) {
            throw new InputException(file, where, key, "dtype mismatch: the feature is a float_list, the signature "
                + "expects " + dtype.tfName());
          }
          v = new ColumnBuilder(dtype, f.getFloatList().getValueCount());
          for (int i = 0; i < f.getFloatList().getValueCount(); i++) {
            v.addFloat(f.getFloatList().getValue(i));
          }
        }
        case INT64_LIST -> {
          v = new ColumnBuilder(dtype, f.getInt64List().getValueCount());
          for (int i = 0; i < f.getInt64List().getValueCount(); i++) {
            v.addLong(f.getInt64List().getValue(i));
          }
        }
        case BYTES_LIST -> {
          if (dtype != DType.STRING) {
            throw new InputException(file, where, key, "dtype mismatch: the feature is a bytes_list, the signature "
                + "expects " + dtype.tfName());
          }
          v = new ColumnBuilder(dtype, f.getBytesList().getValueCount());
          for (int i = 0; i < f.getBytesList().getValueCount(); i++) {
            v.addBytes(f.getBytesList().getValue(i).toByteArray());
          }
        }
        default -> throw new InputException(file, where, key, "an empty feature (no value list)");
      }
    } catch (ValueException e) {
      throw new InputException(file, where, key, e.getMessage());
    }
    return v.toColumn(new long[] {v.size()}, 1);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
