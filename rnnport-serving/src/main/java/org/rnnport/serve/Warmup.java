package org.rnnport.serve;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.rnnport.predictor.NamedTensors;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.tensorio.files.FileFormatException;
import org.rnnport.tensorio.files.TfRecordInput;
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
  static int run(ModelRepository.Loaded l, Path dir, int iterations, boolean methodNameCheck) throws IOException {
    Path f = dir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return 0;
    }
    long t0 = System.nanoTime();
    int n = 0;
    try (TfRecordInput in = new TfRecordInput(new BufferedInputStream(Files.newInputStream(f)), f.toString())) {
      byte[] record;
      while ((record = next(in, f)) != null) {
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
            runOne(l, log, methodNameCheck);
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

  private static void runOne(ModelRepository.Loaded l, PredictionLog log, boolean check) {
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
          Examples.CLASSIFY, Examples.serialized(log.getClassifyLog().getRequest().getInput()), check);
      case REGRESS_LOG -> examples(l, log.getRegressLog().getRequest().getModelSpec().getSignatureName(),
          Examples.REGRESS, Examples.serialized(log.getRegressLog().getRequest().getInput()), check);
      case MULTI_INFERENCE_LOG -> {
        var req = log.getMultiInferenceLog().getRequest();
        List<ByteString> ex = Examples.serialized(req.getInput());
        for (var t : req.getTasksList()) {
          examples(l, t.getModelSpec().getSignatureName(), t.getMethodName(), ex, check);
        }
      }
      case SESSION_RUN_LOG -> throw new IllegalArgumentException("Unsupported log_type for warmup: session_run_log");
      default -> { } // an empty record: nothing to run, as in TF Serving
    }
  }

  private static void examples(ModelRepository.Loaded l, String signature, String method, List<ByteString> ex,
      boolean check) {
    SignatureSpec sig = l.predictor().signature(signature);
    Examples.checkKind(l, sig, method, check);
    try (NamedTensors in = Examples.input(sig, ex); Result r = l.predictor().run(sig, in.asMap())) {
      // as above
    }
  }

  /** The next record's data (tensor I/O's TFRecord framer), or null at the end. */
  private static byte[] next(TfRecordInput in, Path f) throws IOException {
    try {
      return in.next();
    } catch (FileFormatException e) {
      throw dataLoss(f, e.where() + ": " + e.detail());
    }
  }

  private static IOException dataLoss(Path f, String what) {
    return new IOException(f + ": " + what + ". Please verify your warmup data is in TFRecord format.");
  }
}
