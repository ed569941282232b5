package org.rnnport.serve;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import tensorflow.serving.PredictionLogOuterClass.PredictionLog;

/**
 * TF Serving's SavedModel warm-up ({@code --enable_model_warmup}, on by default): before a version
 * is served, the requests in its {@code assets.extra/tf_serving_warmup_requests} (a TFRecord file of
 * {@code PredictionLog}s, at most 1,000) are run {@code num_request_iterations} times each, so the
 * first real request does not pay for TensorFlow's graph optimization and buffer sizing. Predict,
 * Classify, Regress and MultiInference records run; a SessionRun record, a record that is not a
 * PredictionLog, a corrupt file or a request the model refuses fails the version's load, as in TF
 * Serving ({@code saved_model_warmup.cc}).
 */
final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  static final String FILE = "assets.extra/tf_serving_warmup_requests";
  static final int MAX_RECORDS = 1000;

  private Warmup() {}

  /** Runs the warm-up requests of {@code l}'s version folder; returns how many records ran (0 without a file). */
  static int run(ModelRepository.Loaded l, Path dir, int iterations) throws IOException {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return 0;
    }
    long t0 = System.nanoTime();
    int n = 0;
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
      byte[] record;
      while ((record = next(in, f, n)) != null) {
        if (++n > MAX_RECORDS) {
          throw new IOException("Number of warmup records exceeds the maximum (" + MAX_RECORDS + ") at " + f);
        }
        PredictionLog log;
        try {
          log = PredictionLog.parseFrom(record);
        } catch (InvalidProtocolBufferException e) {
          throw new IOException("Failed to parse warmup record " + n + " from " + f + ": not a PredictionLog", e);
        }
        for (int i = 0; i < Math.max(1, iterations); i++) {
          try {
            runOne(l, log);
          } catch (RuntimeException e) {
            throw new IOException("warmup record " + n + " of " + f + " (" + log.getLogTypeCase() + ") failed: "
                + e.getMessage(), e);
          }
        }
      }
    }
    LOG.info("{} version {}: ran {} warmup record(s) x {} from {} in {} ms", l.name(), l.version(), n,
        Math.max(1, iterations), f, (System.nanoTime() - t0) / 1_000_000);
    return n;
  }

  private static void runOne(ModelRepository.Loaded l, PredictionLog log) {
    switch (log.getLogTypeCase()) {
      case PREDICT_LOG -> {
        var req = log.getPredictLog().getRequest();
        SignatureSpec sig = l.predictor().signature(req.getModelSpec().getSignatureName());
        try (NamedTensors in = ServingProtos.inputs(sig, req.getInputsMap());
            Result r = l.predictor().run(sig, in.asMap())) {
          // run for its side effects on TensorFlow's caches only
        }
      }
      case CLASSIFY_LOG -> examples(l, log.getClassifyLog().getRequest().getModelSpec().getSignatureName(),
          Examples.CLASSIFY, Examples.serialized(log.getClassifyLog().getRequest().getInput()));
      case REGRESS_LOG -> examples(l, log.getRegressLog().getRequest().getModelSpec().getSignatureName(),
          Examples.REGRESS, Examples.serialized(log.getRegressLog().getRequest().getInput()));
      case MULTI_INFERENCE_LOG -> {
        var req = log.getMultiInferenceLog().getRequest();
        List<ByteString> ex = Examples.serialized(req.getInput());
        for (var t : req.getTasksList()) {
          examples(l, t.getModelSpec().getSignatureName(), t.getMethodName(), ex);
        }
      }
      case SESSION_RUN_LOG -> throw new IllegalArgumentException("Unsupported log_type for warmup: session_run_log");
      default -> { } // an empty record: nothing to run, as in TF Serving
    }
  }

  private static void examples(ModelRepository.Loaded l, String signature, String method, List<ByteString> ex) {
    SignatureSpec sig = l.predictor().signature(signature);
    Examples.checkKind(l, sig, method);
    try (NamedTensors in = Examples.input(sig, ex); Result r = l.predictor().run(sig, in.asMap())) {
      // as above
    }
  }

  /** The next TFRecord's data (length, masked CRC-32C of it, data, masked CRC-32C of that), or null at the end. */
  private static byte[] next(DataInputStream in, Path f, int index) throws IOException {
    byte[] header = new byte[12];
    int got = in.readNBytes(header, 0, 12);
    if (got == 0) {
      return null;
    }
    if (got < 12) {
      throw dataLoss(f, "truncated record header after record " + index);
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = h.getLong(0);
    if (masked(header, 0, 8) != h.getInt(8)) {
      throw dataLoss(f, "corrupted record " + (index + 1) + ": length checksum mismatch");
    }
    if (length < 0 || length > Integer.MAX_VALUE - 8) {
      throw dataLoss(f, "record " + (index + 1) + " claims " + length + " bytes");
    }
    byte[] data = new byte[(int) length];
    byte[] crc = new byte[4];
    try {
      in.readFully(data);
      in.readFully(crc);
    } catch (EOFException e) {
      throw dataLoss(f, "truncated record " + (index + 1));
    }
    if (masked(data, 0, data.length) != ByteBuffer.wrap(crc).order(ByteOrder.LITTLE_ENDIAN).getInt()) {
      throw dataLoss(f, "corrupted record " + (index + 1) + ": data checksum mismatch");
    }
    return data;
  }

  private static IOException dataLoss(Path f, String what) {
    return new IOException(f + ": " + what + ". Please verify your warmup data is in TFRecord format.");
  }

  /** TFRecord's masked CRC-32C. */
  static int masked(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    int crc = (int) c.getValue();
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }
}
