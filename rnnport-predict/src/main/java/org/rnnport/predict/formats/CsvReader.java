package org.rnnport.predict.formats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

/**
 * CSV, one instance per row, values flattened. The header row is optional (a first row with a
 * cell that is not a number is a header); its names map columns to input keys (see
 * {@link ColumnMapping}). Without a header, only a single-input signature can be fed.
 */
public final class CsvReader extends RecordRowReader {
  private final BufferedReader in;
  private long lineNo;
  private String line;
  private String firstData;
  private ColumnMapping mapping;
  private int width;
  private boolean hasHeader;

  public CsvReader(Path file, ReadOptions opts) throws IOException {
    this(file, opts, new CountingStream(Files.newInputStream(file)));
  }

  private CsvReader(Path file, ReadOptions opts, CountingStream counter) throws IOException {
    super(file, opts, counter);
    this.in = new BufferedReader(new InputStreamReader(counter, StandardCharsets.UTF_8), 1 << 16);
    try {
      header();
    } catch (RuntimeException | IOException e) {
      in.close();
      throw e;
    }
  }

  private void header() throws IOException {
    String first;
    do {
      first = in.readLine();
      lineNo++;
    } while (first != null && first.isBlank());
    if (first == null) {
      mapping = null;
      return;
    }
    String[] cells = split(first);
    boolean header = false;
    for (String c : cells) {
      try {
        Double.parseDouble(c.trim());
      } catch (NumberFormatException e) {
        header = true;
        break;
      }
    }
    width = cells.length;
    hasHeader = header;
    List<String> names = new ArrayList<>();
    if (header) {
      for (String c : cells) {
        names.add(unquote(c.trim()));
      }
    } else {
      if (!opts.singleInput()) {
        throw new InputException(file, null, null, "a CSV without a header row feeds a single-input signature only; "
            + "this one takes " + opts.keys() + ": add a header naming the columns (key or key_0, key_1, ...)");
      }
      if (opts.labelColumn() != null) {
        throw new InputException(file, null, opts.labelColumn(), "--label-column needs a header row naming the columns");
      }
      for (int i = 0; i < cells.length; i++) {
        names.add("c" + i);
      }
      firstData = first;
    }
    mapping = ColumnMapping.of(names, opts, file, "CSV");
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  private static String[] split(String line) {
    return line.split(",", -1);
  }

  @Override
  protected String where() {
    return "line " + lineNo;
  }

  @Override
  protected String raw() {
    return line;
  }

  @Override
  protected RowAssembler.Row next() throws IOException {
    if (mapping == null) {
      return null;
    }
    if (firstData != null) {
      line = firstData;
      firstData = null;
    } else {
      do {
        line = in.readLine();
        lineNo++;
        if (line == null) {
          return null;
        }
      } while (line.isBlank());
    }
    String[] cells = split(line);
    if (cells.length != width) {
      throw new InputException(file, where(), null, "malformed row: " + cells.length + " fields, the "
          + (hasHeader ? "header has " : "first row has ") + width);
    }
    Map<String, Column> values = new LinkedHashMap<>();
    for (InputBinding b : opts.inputs()) {
      int[] idx = mapping.inputs().get(b.key());
      ColumnBuilder v = new ColumnBuilder(b.dtype(), idx.length);
      for (int i : idx) {
        String c = cells[i];
        if (c.isBlank()) {
          throw new InputException(file, where(), b.key(), "empty value in column " + (i + 1));
        }
        try {
          v.addText(unquote(c.trim()));
        } catch (ValueException e) {
          throw new InputException(file, where(), b.key(), "column " + (i + 1) + ": " + e.getMessage());
        }
      }
      long[] src = mapping.scalar().get(b.key()) ? new long[0] : new long[] {idx.length};
      values.put(b.key(), v.toColumn(b.resolveRowShape(src, file, where()), 1));
    }
    Integer label = null;
    if (mapping.label() >= 0) {
      ColumnBuilder v = new ColumnBuilder(DType.FLOAT64, 1);
      try {
        v.addText(cells[mapping.label()]);
      } catch (ValueException e) {
        throw new InputException(file, where(), opts.labelColumn(), e.getMessage());
      }
      label = RowAssembler.label(v.toColumn(new long[0], 1), file, where(), opts.labelColumn());
    }
    return new RowAssembler.Row(values, label);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
