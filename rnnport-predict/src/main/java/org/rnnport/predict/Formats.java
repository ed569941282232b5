package org.rnnport.predict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.rnnport.predict.formats.ArraysReader;
import org.rnnport.predict.formats.CsvReader;
import org.rnnport.predict.formats.CsvWriter;
import org.rnnport.predict.formats.JsonlReader;
import org.rnnport.predict.formats.JsonlWriter;
import org.rnnport.predict.formats.NpyWriter;
import org.rnnport.predict.formats.NpzWriter;
import org.rnnport.predict.formats.ParquetRowReader;
import org.rnnport.predict.formats.ParquetRowWriter;
import org.rnnport.predict.formats.TfRecordReader;

/** The input and output formats, told by file extension or named with {@code --format}/{@code --output-format}. */
public final class Formats {
  private Formats() {}

  public static final List<String> INPUTS = List.of("npy", "npz", "idx", "jsonl", "csv", "tfrecord", "parquet");
  public static final List<String> OUTPUTS = List.of("jsonl", "csv", "npy", "npz", "parquet");

  /** The input format of {@code file}: {@code format} if given, else by extension. */
  public static String inputFormat(Path file, String format) {
    if (format != null) {
      String f = normalize(format);
      if (!INPUTS.contains(f)) {
        throw new IllegalArgumentException("unknown input format '" + format + "'; one of " + INPUTS);
      }
      return f;
    }
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String base = n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    if (base.endsWith(".npy")) {
      return "npy";
    } else if (base.endsWith(".npz")) {
      return "npz";
    } else if (base.endsWith(".idx") || base.contains("-ubyte") || base.matches(".*\\.idx\\d.*")) {
      return "idx";
    } else if (base.endsWith(".jsonl") || base.endsWith(".ndjson") || base.endsWith(".json")) {
      return "jsonl";
    } else if (base.endsWith(".csv")) {
      return "csv";
    } else if (base.endsWith(".tfrecord") || base.endsWith(".tfrecords") || base.endsWith(".tfr")) {
      return "tfrecord";
    } else if (base.endsWith(".parquet") || base.endsWith(".pq")) {
      return "parquet";
    }
    throw new IllegalArgumentException(file + ": cannot tell the input format from the name; say it with --format "
        + INPUTS);
  }

  public static String outputFormat(Path file, String format) {
    if (format != null) {
      String f = normalize(format);
      if (!OUTPUTS.contains(f)) {
        throw new IllegalArgumentException("unknown output format '" + format + "'; one of " + OUTPUTS);
      }
      return f;
    }
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    for (String f : OUTPUTS) {
      if (n.endsWith("." + f)) {
        return f;
      }
    }
    if (n.endsWith(".json") || n.endsWith(".ndjson")) {
      return "jsonl";
    }
    if (n.endsWith(".pq")) {
      return "parquet";
    }
    throw new IllegalArgumentException(file + ": cannot tell the output format from the name; say it with "
        + "--output-format " + OUTPUTS);
  }

  private static String normalize(String f) {
    String s = f.toLowerCase(Locale.ROOT);
    return switch (s) {
      case "json", "ndjson", "json-lines", "jsonlines" -> "jsonl";
      case "tfrecords", "tfr" -> "tfrecord";
      case "pq" -> "parquet";
      default -> s;
    };
  }

  public static RowReader open(Path file, String format, ReadOptions opts) throws IOException {
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new InputException(file, null, null, "no such file");
    }
    return switch (format) {
      case "npy" -> ArraysReader.npy(file, opts);
      case "npz" -> ArraysReader.npz(file, opts);
      case "idx" -> ArraysReader.idx(file, opts);
      case "jsonl" -> new JsonlReader(file, opts);
      case "csv" -> new CsvReader(file, opts);
      case "tfrecord" -> new TfRecordReader(file, opts);
      case "parquet" -> new ParquetRowReader(file, opts);
      default -> throw new IllegalArgumentException("unknown input format " + format);
    };
  }

  /**
   * A writer of {@code format} to {@code tmp}; {@code npy} needs exactly one output key.
   */
  public static OutputWriter writer(Path tmp, String format, List<String> outputKeys) throws IOException {
    return switch (format) {
      case "jsonl" -> new JsonlWriter(tmp);
      case "csv" -> new CsvWriter(tmp);
      case "npy" -> {
        if (outputKeys.size() != 1) {
          throw new IllegalArgumentException("an .npy file holds one array, the signature has outputs " + outputKeys
              + ": choose one with --output-keys KEY, or write .npz");
        }
        yield new NpyWriter(tmp, outputKeys.get(0));
      }
      case "npz" -> new NpzWriter(tmp);
      case "parquet" -> new ParquetRowWriter(tmp);
      default -> throw new IllegalArgumentException("unknown output format " + format);
    };
  }
}
