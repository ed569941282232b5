package org.rnnport.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.rnnport.predictor.InvalidInputException;
import org.rnnport.predictor.SavedModelPredictor;
import org.rnnport.predictor.SignatureSpec;
import org.rnnport.predictor.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorFlow Serving's REST API over a {@link ModelRepository}, on the JDK's HTTP server:
 * {@code GET /v1/models/{name}[/versions/{v}]} (version status), {@code .../metadata} (signatures),
 * {@code POST .../{name}[/versions/{v}]:predict} with {@code "instances"} (row) or {@code "inputs"}
 * (columnar), plus {@code /healthz} and {@code /metrics}. Errors are {@code {"error": "..."}} with 400,
 * 404, 405, 413 or 503; the server goes on.
 */
public final class RestServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY every response waits
    // for the client's delayed ACK (~40 ms). Must be set before the server classes load.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MODEL = Pattern.compile(
      "^/v1/models/([^/:]+)(?:/versions/(\\d{1,18}))?(/metadata|:predict)?$");

  /** Server settings. */
  public record Config(String host, int port, int threads, long maxBodyBytes, int maxInFlight, int maxBatch,
      long batchWindowMicros) {
    public Config(String host, int port, int threads, long maxBodyBytes, int maxInFlight, int maxBatch) {
      this(host, port, threads, maxBodyBytes, maxInFlight, maxBatch, 0);
    }

    public static Config defaults() {
      return new Config("127.0.0.1", 8501, 16, 16L << 20, 64, 1024, 0);
    }
  }

  /** Micro-batchers by (loaded version, signature); a swapped-out version's batcher stops with it. */
  private final Map<SavedModelPredictor, Map<String, MicroBatcher>> batchers = new java.util.WeakHashMap<>();

  private synchronized MicroBatcher batcher(SavedModelPredictor p, SignatureSpec sig) {
    batchers.keySet().removeIf(SavedModelPredictor::isClosed);
    return batchers.computeIfAbsent(p, k -> new java.util.HashMap<>()).computeIfAbsent(sig.key(),
        k -> new MicroBatcher(p, sig, config.batchWindowMicros(), config.maxBatch(), 2));
  }

  private final ModelRepository repo;
  private final Config config;
  private final HttpServer server;
  private final ExecutorService executor;
  private final Semaphore inFlight;
  private final Metrics metrics = new Metrics();
  private volatile boolean draining;

  public RestServer(ModelRepository repo, Config config) throws IOException {
    this.repo = repo;
    this.config = config;
    this.inFlight = new Semaphore(config.maxInFlight());
    this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
    this.executor = Executors.newFixedThreadPool(config.threads(), r -> {
      Thread t = new Thread(r, "rnnport-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public void start() {
    server.start();
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  public Metrics metrics() {
    return metrics;
  }

  private void handle(HttpExchange ex) {
    long t0 = System.nanoTime();
    String model = null;
    int status;
    try {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/healthz")) {
        boolean ok = !draining && repo.ready();
        status = send(ex, ok ? 200 : 503, ok ? ok("ready", repo.names()) : error(draining ? "shutting down" : "no model loaded"));
      } else if (path.equals("/metrics")) {
        byte[] b = metrics.text().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(b);
        }
        status = 200;
      } else {
        Matcher m = MODEL.matcher(path);
        if (!m.matches()) {
          throw new BadRequestException(404, "no such endpoint: " + method + " " + path);
        }
        model = m.group(1);
        Long version = m.group(2) == null ? null : Long.parseLong(m.group(2));
        String op = m.group(3);
        if (op == null) {
          requireMethod(method, "GET");
          status = send(ex, 200, versionStatus(model, version));
        } else if (op.equals("/metadata")) {
          requireMethod(method, "GET");
          status = send(ex, 200, metadata(repo.get(model, version)));
        } else {
          requireMethod(method, "POST");
          status = predict(ex, model, version);
        }
      }
    } catch (BadRequestException e) {
      status = trySend(ex, e.status(), error(e.getMessage()));
    } catch (InvalidInputException e) {
      status = trySend(ex, e.tooLarge() ? 413 : 400, error(e.getMessage()));
    } catch (IOException e) {
      // the client closed the connection before the answer was written (e.g. a load tester stopping)
      LOG.debug("client went away: {}", e.getMessage());
      status = 499;
    } catch (RuntimeException e) {
      LOG.error("request failed", e);
      status = trySend(ex, 500, error("internal error: " + e.getMessage()));
    } finally {
      ex.close();
    }
    metrics.record(model, status, (System.nanoTime() - t0) / 1e9);
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new BadRequestException(405, "use " + expected + ", not " + method);
    }
  }

  private int predict(HttpExchange ex, String model, Long version) throws IOException {
    if (draining) {
      throw new BadRequestException(503, "shutting down");
    }
    byte[] body = readBody(ex);
    if (!inFlight.tryAcquire()) {
      metrics.rejectedBusy.increment();
      throw new BadRequestException(503, "server busy: " + config.maxInFlight() + " predictions in flight; retry");
    }
    metrics.inFlight.incrementAndGet();
    try {
      JsonNode req;
      try {
        req = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        throw new BadRequestException("invalid JSON: " + e.getOriginalMessage());
      }
      if (req == null || !req.isObject()) {
        throw new BadRequestException("the request body must be a JSON object with \"instances\" or \"inputs\"");
      }
      // a hot swap can close the version between lookup and call: retry on the new one
      for (int attempt = 0; ; attempt++) {
        ModelRepository.Loaded loaded = repo.get(model, version);
        try {
          JsonNode answer = config.batchWindowMicros() > 0 ? predictBatched(loaded.predictor(), req) : predict(loaded.predictor(), req);
          return send(ex, 200, answer);
        } catch (SavedModelPredictor.ClosedException e) {
          if (attempt >= 3) {
            throw new BadRequestException(503, "model '" + model + "' is being swapped; retry");
          }
        }
      }
    } finally {
      metrics.inFlight.decrementAndGet();
      inFlight.release();
    }
  }

  /** Runs one predict request body on a predictor; the TF Serving response. */
  static JsonNode predict(SavedModelPredictor p, JsonNode req) {
    JsonNode sigName = req.get("signature_name");
    if (sigName != null && !sigName.isTextual()) {
      throw new BadRequestException("signature_name must be a string");
    }
    SignatureSpec sig = p.signature(sigName == null ? null : sigName.asText());
    boolean rows = req.has("instances");
    if (rows == req.has("inputs")) {
      throw new BadRequestException("give exactly one of \"instances\" (row format) or \"inputs\" (columnar format)");
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    try {
      if (rows) {
        JsonNode inst = req.get("instances");
        if (!inst.isArray()) {
          throw new BadRequestException("\"instances\" must be a list of instances");
        }
        if (inst.isEmpty()) {
          throw new BadRequestException("empty instances: nothing to predict");
        }
        for (TensorSpec spec : sig.inputs().values()) {
          List<JsonNode> values = new ArrayList<>(inst.size());
          for (int i = 0; i < inst.size(); i++) {
            values.add(rowValue(inst.get(i), spec, sig, i));
          }
          inputs.put(spec.key(), JsonTensors.fromRows(spec, values, "instances[#]" + (sig.inputs().size() > 1
              ? "['" + spec.key() + "']" : "")));
        }
      } else {
        JsonNode in = req.get("inputs");
        boolean named = in.isObject();
        if (!named && sig.inputs().size() != 1) {
          throw new BadRequestException("\"inputs\" must be an object of " + sig.inputs().keySet() + " for this signature");
        }
        for (TensorSpec spec : sig.inputs().values()) {
          JsonNode v = named ? in.get(spec.key()) : in;
          if (v == null) {
            throw new BadRequestException("\"inputs\" lacks '" + spec.key() + "'; the signature takes " + sig.inputs().keySet());
          }
          inputs.put(spec.key(), JsonTensors.fromColumn(spec, v, "inputs" + (named ? "['" + spec.key() + "']" : "")));
        }
        if (named) {
          for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!sig.inputs().containsKey(k)) {
              throw new BadRequestException("unknown input '" + k + "'; the signature takes " + sig.inputs().keySet());
            }
          }
        }
      }
      try (Result r = p.run(sig, inputs)) {
        return rows ? rowResponse(sig, r) : columnResponse(sig, r);
      }
    } finally {
      inputs.values().forEach(Tensor::close);
    }
  }

  /** As {@link #predict(SavedModelPredictor, JsonNode)}, through the signature's micro-batcher. */
  private JsonNode predictBatched(SavedModelPredictor p, JsonNode req) {
    JsonNode sigName = req.get("signature_name");
    SignatureSpec sig = p.signature(sigName == null || !sigName.isTextual() ? null : sigName.asText());
    boolean rows = req.has("instances");
    if (rows == req.has("inputs") || sig.inputs().values().stream().anyMatch(t -> t.shape() == null
        || t.shape().length == 0 || t.shape()[0] != -1)) {
      return predict(p, req); // errors, or a signature without a batch dimension: the plain path
    }
    Map<String, JsonTensors.Dense> inputs = new LinkedHashMap<>();
    int n = -1;
    if (rows) {
      JsonNode inst = req.get("instances");
      if (!inst.isArray() || inst.isEmpty()) {
        return predict(p, req);
      }
      for (TensorSpec spec : sig.inputs().values()) {
        List<JsonNode> values = new ArrayList<>(inst.size());
        for (int i = 0; i < inst.size(); i++) {
          values.add(rowValue(inst.get(i), spec, sig, i));
        }
        inputs.put(spec.key(), JsonTensors.denseRows(spec, values, "instances[#]"));
      }
      n = inst.size();
    } else {
      JsonNode in = req.get("inputs");
      for (TensorSpec spec : sig.inputs().values()) {
        JsonNode v = in.isObject() ? in.get(spec.key()) : in;
        if (v == null) {
          return predict(p, req);
        }
        JsonTensors.Dense d = JsonTensors.dense(v, "inputs", JsonTensors.integral(spec));
        JsonTensors.checkShape(spec, d.shape());
        inputs.put(spec.key(), d);
        n = (int) d.shape()[0];
      }
    }
    if (n == 0) {
      throw new BadRequestException("empty batch: no rows to predict");
    }
    if (n > config.maxBatch()) {
      throw new BadRequestException(413, n + " rows is more than this server's limit of " + config.maxBatch() + " per request");
    }
    try {
      return batcher(p, sig).submit(inputs, n, rows).get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BadRequestException(503, "interrupted");
    }
  }

  private static JsonNode rowValue(JsonNode instance, TensorSpec spec, SignatureSpec sig, int i) {
    if (instance.isObject()) {
      JsonNode v = instance.get(spec.key());
      if (v == null) {
        throw new BadRequestException("instances[" + i + "] lacks '" + spec.key() + "'; the signature takes "
            + sig.inputs().keySet());
      }
      if (instance.size() != sig.inputs().size()) {
        throw new BadRequestException("instances[" + i + "] has keys " + JSON.valueToTree(fieldNames(instance))
            + "; the signature takes " + sig.inputs().keySet());
      }
      return v;
    }
    if (sig.inputs().size() != 1) {
      throw new BadRequestException("instances[" + i + "] must be an object of " + sig.inputs().keySet());
    }
    return instance;
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static JsonNode rowResponse(SignatureSpec sig, Result r) {
    List<String> keys = new ArrayList<>(sig.outputs().keySet());
    return rowResponse(sig, r, 0, (int) r.get(keys.get(0)).orElseThrow().shape().size(0));
  }

  /** TF Serving's row answer for rows {@code [from, from+n)} of a result. */
  static JsonNode rowResponse(SignatureSpec sig, Result r, int from, int n) {
    List<String> keys = new ArrayList<>(sig.outputs().keySet());
    ArrayNode preds = F.arrayNode();
    for (int i = from; i < from + n; i++) {
      if (keys.size() == 1) {
        preds.add(JsonTensors.toJson(r.get(keys.get(0)).orElseThrow(), i));
      } else {
        ObjectNode o = F.objectNode();
        for (String k : keys) {
          o.set(k, JsonTensors.toJson(r.get(k).orElseThrow(), i));
        }
        preds.add(o);
      }
    }
    return F.objectNode().set("predictions", preds);
  }

  private static JsonNode columnResponse(SignatureSpec sig, Result r) {
    List<String> keys = new ArrayList<>(sig.outputs().keySet());
    return columnResponse(sig, r, 0, (int) r.get(keys.get(0)).orElseThrow().shape().size(0));
  }

  /** TF Serving's columnar answer for rows {@code [from, from+n)} of a result. */
  static JsonNode columnResponse(SignatureSpec sig, Result r, int from, int n) {
    List<String> keys = new ArrayList<>(sig.outputs().keySet());
    ObjectNode o = F.objectNode();
    for (String k : keys) {
      ArrayNode rows = F.arrayNode();
      for (int i = from; i < from + n; i++) {
        rows.add(JsonTensors.toJson(r.get(k).orElseThrow(), i));
      }
      o.set(k, rows);
    }
    return F.objectNode().set("outputs", keys.size() == 1 ? o.get(keys.get(0)) : o);
  }

  private JsonNode versionStatus(String model, Long version) {
    ArrayNode list = F.arrayNode();
    for (ModelRepository.VersionStatus s : repo.status(model, version)) {
      ObjectNode st = F.objectNode();
      st.put("error_code", s.error().isEmpty() ? "OK" : "UNKNOWN");
      st.put("error_message", s.error());
      list.add(F.objectNode().put("version", Long.toString(s.version())).put("state", s.state().name()).set("status", st));
    }
    return F.objectNode().set("model_version_status", list);
  }

  /** TF Serving's GetModelMetadata answer: the signature map. */
  static JsonNode metadata(ModelRepository.Loaded l) {
    ObjectNode sigs = F.objectNode();
    l.predictor().signatures().forEach((key, sig) -> {
      ObjectNode s = F.objectNode();
      s.set("inputs", tensors(sig.inputs()));
      s.set("outputs", tensors(sig.outputs()));
      s.put("method_name", sig.methodName());
      sigs.set(key, s);
    });
    ObjectNode md = F.objectNode();
    md.set("signature_def", F.objectNode().put("@type", "type.googleapis.com/tensorflow.serving.SignatureDefMap")
        .set("signature_def", sigs));
    ObjectNode spec = F.objectNode().put("name", l.name()).put("signature_name", "").put("version", Long.toString(l.version()));
    ObjectNode out = F.objectNode();
    out.set("model_spec", spec);
    out.set("metadata", md);
    return out;
  }

  private static ObjectNode tensors(Map<String, TensorSpec> specs) {
    ObjectNode o = F.objectNode();
    specs.forEach((k, t) -> {
      ObjectNode shape = F.objectNode();
      ArrayNode dims = F.arrayNode();
      if (t.shape() != null) {
        for (long d : t.shape()) {
          dims.add(F.objectNode().put("size", Long.toString(d)).put("name", ""));
        }
      }
      shape.set("dim", dims);
      shape.put("unknown_rank", t.shape() == null);
      o.set(k, F.objectNode().put("dtype", t.dtype()).put("name", t.tensorName()).set("tensor_shape", shape));
    });
    return o;
  }

  private byte[] readBody(HttpExchange ex) throws IOException {
    String len = ex.getRequestHeaders().getFirst("Content-Length");
    if (len != null) {
      try {
        if (Long.parseLong(len.trim()) > config.maxBodyBytes()) {
          throw new BadRequestException(413, "request body of " + len + " bytes is over the limit of "
              + config.maxBodyBytes());
        }
      } catch (NumberFormatException e) {
        throw new BadRequestException("bad Content-Length: " + len);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = ex.getRequestBody()) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        if (out.size() > config.maxBodyBytes()) {
          throw new BadRequestException(413, "request body is over the limit of " + config.maxBodyBytes() + " bytes");
        }
      }
    }
    return out.toByteArray();
  }

  private static JsonNode error(String message) {
    return F.objectNode().put("error", message);
  }

  private static JsonNode ok(String status, List<String> models) {
    ObjectNode o = F.objectNode().put("status", status);
    o.set("models", JSON.valueToTree(models));
    return o;
  }

  private static int send(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] b = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
    return status;
  }

  private static int trySend(HttpExchange ex, int status, JsonNode body) {
    try {
      return send(ex, status, body);
    } catch (IOException e) {
      return status; // the client went away
    }
  }

  /**
   * Graceful stop: refuse new predictions, wait up to {@code drainSeconds} for those in flight,
   * then close the listener and the threads.
   */
  public void stop(int drainSeconds) {
    draining = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    while (metrics.inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    server.stop(1);
    executor.shutdown();
  }

  @Override
  public void close() {
    stop(5);
  }
}
