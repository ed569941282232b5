package org.rnnport.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.LinkedHashMap;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.json.JsonTensors;

/**
 * TF Serving's REST API as request in, answer out, independent of the HTTP stack: routing,
 * {@code model_version_status}, metadata, {@code :predict}, {@code :classify}, {@code :regress}, health
 * and metrics. Maps {@link ServingException} codes to HTTP statuses; errors are
 * {@code {"error": "..."}}.
 */
final class RestApi {
  /**
   * Jackson with its fast, correctly rounded double parser: a predict body is mostly decimals, and the JDK's
   * {@code Double.parseDouble} took 44 % of a REST worker's CPU under load (JFR; the same doubles either way).
   */
  /**
   * Deepest JSON nesting read (Jackson's default, as the tensor codec's parser for :predict): a tensor
   * has at most 254 dimensions (TensorFlow's limit); deeper input is refused while reading, never recursed into.
   */
  static final int MAX_NESTING = 1000;

  static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder(
      com.fasterxml.jackson.core.JsonFactory.builder().streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints
          .builder().maxNestingDepth(MAX_NESTING).build()).build())
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      // TF Serving's JSON conformance (api_rest.md): NaN, Infinity and -Infinity tokens in requests and answers
      .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(com.fasterxml.jackson.core.json.JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Pattern MODEL = Pattern.compile(
      "^/v1/models/([^/:]+)(?:/versions/(\\d+)|/labels/([^/:]+))?(/metadata|:predict|:classify|:regress)?$");

  /** An answer: status, content type and body. */
  record Reply(int status, String contentType, byte[] body) {
    static Reply json(int status, JsonNode body) {
      try {
        return new Reply(status, "application/json", JSON.writeValueAsBytes(body));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static Reply error(int status, String message) {
      return json(status, F.objectNode().put("error", message));
    }
  }

  /** Whether a request needs a worker (it runs a model or parses a body) or can be answered on the I/O thread. */
  static boolean heavy(String path) {
    return path.endsWith(":predict") || path.endsWith(":classify") || path.endsWith(":regress");
  }

  private final Inference inference;
  private final ModelRepository repo;
  private final Metrics metrics;
  private volatile boolean draining;
  private volatile String prometheusPath;

  RestApi(Inference inference, Metrics metrics) {
    this.inference = inference;
    this.repo = inference.repository();
    this.metrics = metrics;
  }

  /** Serves the metrics at this path too ({@code --monitoring_config_file}'s prometheus_config), or not (null). */
  void prometheusPath(String path) {
    this.prometheusPath = path;
  }

  void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  /** The model a path names, when it is a model this server knows (for metrics), else null. */
  String modelOf(String path) {
    Matcher m = MODEL.matcher(path);
    return m.matches() && repo.knows(m.group(1)) ? m.group(1) : null;
  }

  /** Answers one request; the future never fails (errors become their replies). */
  CompletableFuture<Reply> handle(String method, String path, byte[] body) {
    try {
      return route(method, path, body).exceptionally(RestApi::errorReply);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(errorReply(e));
    }
  }

  static Reply errorReply(Throwable e) {
    ServingException s = ServingException.of(e);
    return Reply.error(httpStatus(s), s.getMessage());
  }

  /** TF Serving's mapping of canonical codes to HTTP, with rnnport's 413 for oversized requests. */
  static int httpStatus(ServingException e) {
    return switch (e.code()) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION -> 400;
      case NOT_FOUND -> 404;
      case RESOURCE_EXHAUSTED -> e.tooLarge() ? 413 : 503;
      case UNAVAILABLE -> 503;
      case UNIMPLEMENTED -> 501;
      case DEADLINE_EXCEEDED -> 504;
      case INTERNAL -> 500;
    };
  }

  private CompletableFuture<Reply> route(String method, String path, byte[] body) {
    if (path.equals("/healthz")) {
      boolean ok = !draining && repo.ready();
      ObjectNode o = F.objectNode().put("status", ok ? "ready" : draining ? "shutting down" : "no model loaded");
      o.set("models", JSON.valueToTree(repo.names()));
      return done(Reply.json(ok ? 200 : 503, o));
    }
    if (path.equals("/metrics") || path.equals(prometheusPath)) {
      return done(new Reply(200, "text/plain; version=0.0.4", metrics.text().getBytes(StandardCharsets.UTF_8)));
    }
    Matcher m = MODEL.matcher(path);
    if (!m.matches()) {
      return done(Reply.error(404, "no such endpoint: " + method + " " + path));
    }
    String model = m.group(1);
    Long version;
    try {
      version = m.group(2) == null ? null : Long.parseLong(m.group(2));
    } catch (NumberFormatException e) { // past int64: TF Serving's own answer
      throw ServingException.invalid("Failed to convert version: " + m.group(2) + " (not an int64)");
    }
    String label = m.group(3);
    String op = m.group(4);
    if (op == null || op.equals("/metadata")) {
      if (!method.equals("GET")) {
        return done(Reply.error(405, "use GET, not " + method));
      }
      if (op == null) {
        Long v = label != null ? Long.valueOf(repo.labelVersion(model, label)) : version;
        return done(Reply.json(200, versionStatus(repo.status(model, v))));
      }
      return done(new Reply(200, "application/json", ModelMetadata.restJson(inference.resolve(
          new Inference.Spec(model, version, label, null)))));
    }
    if (!method.equals("POST")) {
      return done(Reply.error(405, "use POST, not " + method));
    }
    if (draining) {
      throw ServingException.unavailable("shutting down");
    }
    if (op.equals(":predict")) {
      return predict(model, version, label, body);
    }
    JsonNode req;
    try {
      req = JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      // e.g. 500,000 nested brackets: refused while reading, without recursion (no stack overflow)
      throw ServingException.invalid("invalid JSON: nested deeper than " + MAX_NESTING + " levels (a tensor has at "
          + "most 254 dimensions): " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ServingException.invalid("invalid JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage()));
    }
    return switch (op) {
      case ":classify", ":regress" -> Examples.rest(inference, new Inference.Spec(model, version, label,
          req != null && req.hasNonNull("signature_name") ? req.get("signature_name").asText() : null), req,
          op.equals(":classify")).thenApply(j -> Reply.json(200, j));
      default -> done(Reply.error(404, "no such endpoint: " + method + " " + path));
    };
  }

  private CompletableFuture<Reply> predict(String model, Long version, String label, byte[] body) {
    RestRequests.Predict p = RestRequests.predict(body);
    Inference.Spec spec = new Inference.Spec(model, version, label, p.signatureName());
    return inference.run(spec, p::tensors, null).thenApply(a -> {
      try (a) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String k : a.outputs().keys()) {
          out.put(k, HostTensor.of(k, a.outputs().get(k)));
        }
        return new Reply(200, "application/json", JsonTensors.predictResponse(p.rowFormat(), out));
      }
    });
  }

  private static CompletableFuture<Reply> done(Reply r) {
    return CompletableFuture.completedFuture(r);
  }

  static JsonNode versionStatus(List<ModelRepository.VersionStatus> statuses) {
    ArrayNode list = F.arrayNode();
    for (ModelRepository.VersionStatus s : statuses) {
      ObjectNode st = F.objectNode();
      st.put("error_code", s.error().isEmpty() ? "OK" : "UNKNOWN");
      st.put("error_message", s.error());
      list.add(F.objectNode().put("version", Long.toString(s.version())).put("state", s.state().name()).set("status", st));
    }
    return F.objectNode().set("model_version_status", list);
  }

}
