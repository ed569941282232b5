package org.rnnport.serve;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.WrappersProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tensorflow.serving.FileSystemStoragePathSource.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import tensorflow.serving.ModelServerConfigOuterClass.ModelConfig;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;
import tensorflow.serving.MonitoringConfigOuterClass.MonitoringConfig;

/**
 * TF Serving's configuration files, parsed with protobuf's TextFormat: the model config
 * ({@code --model_config_file}: a {@code ModelServerConfig}, TF Serving's own generated class), the
 * monitoring config ({@code --monitoring_config_file}: {@code MonitoringConfig}) and the batching
 * parameters ({@code --batching_parameters_file}: {@code BatchingParameters}, whose generated class
 * no Maven artifact carries: its fields are declared here by name and type, with the wrapper types
 * TF Serving uses, and parsed into a DynamicMessage).
 */
public final class TfServingConfig {
  private TfServingConfig() {}

  /**
   * Parses a text-format proto; an error says what TF Serving's {@code ParseProtoTextFile} says ("Error parsing
   * text-format tensorflow.serving.ModelServerConfig: 1:1: ...").
   */
  static <B extends Message.Builder> B parse(String text, B b) {
    try {
      TextFormat.merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException("Error parsing text-format " + b.getDescriptorForType().getFullName() + ": "
          + e.getMessage(), e);
    }
    return b;
  }

  /** The models of a {@code model_config_list}; relative base paths resolve against {@code dir}. */
  public static List<ModelRepository.ModelConfig> modelConfig(String text, Path dir) {
    ModelServerConfig.Builder b = ModelServerConfig.newBuilder();
    parse(text, b);
    return modelConfig(b.build(), dir);
  }

  /** The models of a {@code ModelServerConfig} (a file's, or a ReloadConfigRequest's). */
  public static List<ModelRepository.ModelConfig> modelConfig(ModelServerConfig c, Path dir) {
    if (c.getConfigCase() != ModelServerConfig.ConfigCase.MODEL_CONFIG_LIST) {
      throw new IllegalArgumentException("model config: only model_config_list is supported (got "
          + c.getConfigCase() + ")");
    }
    List<ModelRepository.ModelConfig> out = new ArrayList<>();
    for (ModelConfig m : c.getModelConfigList().getConfigList()) {
      if (m.getName().isEmpty() || m.getBasePath().isEmpty()) {
        throw new IllegalArgumentException("model config: every config needs a name and a base_path: " + shortText(m));
      }
      if (!m.getModelPlatform().isEmpty() && !m.getModelPlatform().equals("tensorflow")) {
        throw new IllegalArgumentException("model config: model '" + m.getName() + "' has model_platform '"
            + m.getModelPlatform() + "'; only tensorflow is served");
      }
      out.add(new ModelRepository.ModelConfig(m.getName(), dir.resolve(m.getBasePath()).normalize(),
          policy(m.getName(), m.hasModelVersionPolicy() ? m.getModelVersionPolicy() : null),
          new LinkedHashMap<>(m.getVersionLabelsMap())));
    }
    return out;
  }

  private static String shortText(Message m) {
    String s = TextFormat.shortDebugString(m);
    return s.length() > 200 ? s.substring(0, 197) + "..." : s;
  }

  static VersionPolicy policy(String name, ServableVersionPolicy p) {
    if (p == null) {
      return new VersionPolicy.Latest(1);
    }
    return switch (p.getPolicyChoiceCase()) {
      case LATEST -> {
        int n = p.getLatest().getNumVersions() == 0 ? 1 : p.getLatest().getNumVersions();
        if (n < 0) {
          throw new IllegalArgumentException("model config: model '" + name + "': latest num_versions must be positive");
        }
        yield new VersionPolicy.Latest(n);
      }
      case ALL -> new VersionPolicy.All();
      case SPECIFIC -> {
        if (p.getSpecific().getVersionsCount() == 0) {
          throw new IllegalArgumentException("model config: model '" + name + "': specific needs at least one version");
        }
        yield new VersionPolicy.Specific(new TreeSet<>(p.getSpecific().getVersionsList()));
      }
      case POLICYCHOICE_NOT_SET -> new VersionPolicy.Latest(1);
    };
  }

  /**
   * TF Serving's {@code --ssl_config_file} (a text {@code SSLConfig}: {@code server_key},
   * {@code server_cert}, {@code custom_ca}, {@code client_verify}) as the server TLS context of gRPC,
   * as TF Serving's {@code BuildServerCredentialsFromSSLConfigFile} builds its credentials: the key
   * and certificate chain (PEM); with {@code client_verify}, a client certificate is required and
   * checked against {@code custom_ca} (or the JDK's trusted roots when it is empty). The private key
   * must be PKCS#8 PEM ({@code BEGIN PRIVATE KEY}; see docs/serving.md for converting a PKCS#1 one).
   */
  public static io.netty.handler.ssl.SslContext tls(String text, String file) {
    tensorflow.serving.SslConfig.SSLConfig.Builder b = tensorflow.serving.SslConfig.SSLConfig.newBuilder();
    try {
      TextFormat.merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    tensorflow.serving.SslConfig.SSLConfig c = b.build();
    if (c.getServerKey().isBlank() || c.getServerCert().isBlank()) {
      throw new IllegalArgumentException(file + ": server_key and server_cert (PEM) are both required");
    }
    if (c.getServerKey().contains("BEGIN RSA PRIVATE KEY") || c.getServerKey().contains("BEGIN EC PRIVATE KEY")
        || c.getServerKey().contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      throw new IllegalArgumentException(file + ": server_key must be an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); "
          + "convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
    }
    try {
      io.netty.handler.ssl.SslContextBuilder sb = io.netty.handler.ssl.SslContextBuilder.forServer(
          stream(c.getServerCert()), stream(c.getServerKey()));
      if (c.getClientVerify()) {
        sb.clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE);
        if (!c.getCustomCa().isBlank()) {
          sb.trustManager(stream(c.getCustomCa()));
        }
      }
      io.netty.handler.ssl.SslContext ctx = io.grpc.netty.GrpcSslContexts.configure(sb).build();
      checkKeyMatchesCertificate(c.getServerKey(), c.getServerCert(), file);
      return ctx;
    } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": cannot use its key and certificates: " + e.getMessage(), e);
    }
  }

  /**
   * That server_key is the key of server_cert's first certificate (a signature made with the one
   * verifies with the other), as OpenSSL's {@code SSL_CTX_check_private_key} checks when TF Serving
   * starts: the JDK's TLS would accept the pair and fail every handshake instead.
   */
  private static void checkKeyMatchesCertificate(String keyPem, String certPem, String file) {
    try {
      java.security.cert.Certificate cert = java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(stream(certPem)).iterator().next();
      String b64 = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      java.security.spec.PKCS8EncodedKeySpec spec = new java.security.spec.PKCS8EncodedKeySpec(
          java.util.Base64.getDecoder().decode(b64));
      String alg = cert.getPublicKey().getAlgorithm();
      java.security.PrivateKey key = java.security.KeyFactory.getInstance(alg).generatePrivate(spec);
      String sigAlg = switch (alg) {
        case "RSA" -> "SHA256withRSA";
        case "EC" -> "SHA256withECDSA";
        case "Ed25519", "EdDSA" -> "Ed25519";
        default -> null;
      };
      if (sigAlg == null) {
        return; // a key type without a signature check here: the handshake will tell
      }
      byte[] probe = "rnnport: server_key against server_cert".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.security.Signature sign = java.security.Signature.getInstance(sigAlg);
      sign.initSign(key);
      sign.update(probe);
      byte[] sig = sign.sign();
      java.security.Signature verify = java.security.Signature.getInstance(sigAlg);
      verify.initVerify(cert.getPublicKey());
      verify.update(probe);
      if (!verify.verify(sig)) {
        throw new IllegalArgumentException(file + ": server_key is not the key of server_cert's certificate");
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException(file + ": server_key does not match server_cert: " + e.getMessage(), e);
    }
  }

  private static java.io.InputStream stream(String pem) {
    return new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** The Prometheus settings of a monitoring config: the path to serve metrics on, or null when off. */
  public static String prometheusPath(String text) {
    MonitoringConfig.Builder b = MonitoringConfig.newBuilder();
    parse(text, b);
    MonitoringConfig c = b.build();
    if (!c.hasPrometheusConfig() || !c.getPrometheusConfig().getEnable()) {
      return null;
    }
    String path = c.getPrometheusConfig().getPath();
    return path.isEmpty() ? "/monitoring/prometheus/metrics" : path;
  }

  private static final Descriptors.Descriptor BATCHING = batchingDescriptor();

  private static Descriptors.Descriptor batchingDescriptor() {
    String i64 = ".google.protobuf.Int64Value";
    DescriptorProto.Builder m = DescriptorProto.newBuilder().setName("BatchingParameters");
    Object[][] fields = {
        {"max_batch_size", 1, i64}, {"batch_timeout_micros", 2, i64}, {"thread_pool_name", 3, ".google.protobuf.StringValue"},
        {"num_batch_threads", 4, i64}, {"max_enqueued_batches", 5, i64}};
    for (Object[] f : fields) {
      m.addField(FieldDescriptorProto.newBuilder().setName((String) f[0]).setNumber((Integer) f[1])
          .setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName((String) f[2])
          .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL));
    }
    m.addField(FieldDescriptorProto.newBuilder().setName("allowed_batch_sizes").setNumber(6)
        .setType(FieldDescriptorProto.Type.TYPE_INT64).setLabel(FieldDescriptorProto.Label.LABEL_REPEATED));
    m.addField(FieldDescriptorProto.newBuilder().setName("pad_variable_length_inputs").setNumber(7)
        .setType(FieldDescriptorProto.Type.TYPE_BOOL).setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL));
    FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("rnnport/batching_parameters.proto")
        .setPackage("tensorflow.serving").setSyntax("proto3").addDependency("google/protobuf/wrappers.proto")
        .addMessageType(m).build();
    try {
      return Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[] {WrappersProto.getDescriptor()})
          .findMessageTypeByName("BatchingParameters");
    } catch (Descriptors.DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A batching parameters file as {@link BatchingOptions}, TF Serving's defaults where a field is unset. */
  public static BatchingOptions batching(String text) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(BATCHING);
    try {
      TextFormat.merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException("Error parsing text-format tensorflow.serving.BatchingParameters: " + e.getMessage()
          + " (fields read: max_batch_size, batch_timeout_micros, thread_pool_name, num_batch_threads, "
          + "max_enqueued_batches, allowed_batch_sizes, pad_variable_length_inputs)", e);
    }
    DynamicMessage m = b.build();
    BatchingOptions d = BatchingOptions.defaults();
    long maxBatch = wrapped(m, "max_batch_size", d.maxBatchSize());
    long timeout = wrapped(m, "batch_timeout_micros", d.batchTimeoutMicros());
    long threads = wrapped(m, "num_batch_threads", d.numBatchThreads());
    long queued = wrapped(m, "max_enqueued_batches", d.maxEnqueuedBatches());
    List<Integer> allowed = new ArrayList<>();
    for (Object o : (List<?>) m.getField(BATCHING.findFieldByName("allowed_batch_sizes"))) {
      allowed.add(Math.toIntExact((Long) o));
    }
    boolean pad = (Boolean) m.getField(BATCHING.findFieldByName("pad_variable_length_inputs"));
    return new BatchingOptions(Math.toIntExact(maxBatch), timeout, Math.toIntExact(threads), Math.toIntExact(queued),
        allowed, pad);
  }

  private static long wrapped(DynamicMessage m, String field, long dflt) {
    Descriptors.FieldDescriptor f = BATCHING.findFieldByName(field);
    if (!m.hasField(f)) {
      return dflt;
    }
    Message w = (Message) m.getField(f);
    return (Long) w.getField(w.getDescriptorForType().findFieldByName("value"));
  }

  /** A single model ({@code --model_name}, {@code --model_base_path}), TF Serving's latest-version policy. */
  public static List<ModelRepository.ModelConfig> single(String name, Path basePath) {
    return List.of(new ModelRepository.ModelConfig(name, basePath, new VersionPolicy.Latest(1), Map.of()));
  }
}
