package org.rnnport.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.rnnport.util.AtomicFiles;
import org.rnnport.util.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets dataset files from a mirror (a local folder or an http(s) base URL) or from their canonical
 * URLs, verifies size and sha256, and writes each atomically (temp file + rename): an interrupted
 * or corrupt download leaves nothing. Files already present and valid are not fetched again.
 */
public final class DataFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(DataFetcher.class);

  private final DataManifest manifest;
  private final Path dataDir;
  private final String mirror;
  private final HttpClient http;

  /** @param mirror a folder or http(s) base URL holding {@code <path>} for each file, or null */
  public DataFetcher(DataManifest manifest, Path dataDir, String mirror) {
    this.manifest = manifest;
    this.dataDir = dataDir;
    this.mirror = mirror;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(20)).build();
  }

  /** What happened to one file. */
  public enum Outcome { ALREADY_VALID, FETCHED }

  /** Makes every file of {@code dataset} present and valid; returns the data directory. */
  public Path fetch(String dataset) throws IOException {
    for (DataManifest.FileEntry f : manifest.dataset(dataset).files()) {
      fetchFile(f);
    }
    return dataDir;
  }

  /** True when every file of the dataset is present with the right size and hash. */
  public boolean isComplete(String dataset) throws IOException {
    for (DataManifest.FileEntry f : manifest.dataset(dataset).files()) {
      Path target = dataDir.resolve(f.path());
      if (!Files.isRegularFile(target) || Files.size(target) != f.size()
          || !f.sha256().equalsIgnoreCase(sha256(target))) {
        return false;
      }
    }
    return true;
  }

  /** Fetches one manifest entry unless a valid copy is already there. */
  public Outcome fetchFile(DataManifest.FileEntry f) throws IOException {
    Path target = dataDir.resolve(f.path());
    if (Files.isRegularFile(target)) {
      if (Files.size(target) == f.size() && f.sha256().equalsIgnoreCase(sha256(target))) {
        LOG.debug("{} is present and valid", target);
        return Outcome.ALREADY_VALID;
      }
      LOG.warn("{} exists but does not match the manifest (size or sha256); fetching it again", target);
    }
    List<String> sources = sources(f);
    List<String> failures = new ArrayList<>();
    for (String source : sources) {
      try {
        download(source, f, target);
        LOG.info("fetched {} from {}", f.path(), source);
        return Outcome.FETCHED;
      } catch (ChecksumException e) {
        throw e; // a source that serves wrong bytes is an error, not something to paper over
      } catch (IOException e) {
        // some network failures carry no message (a refused connection): name the exception instead of "null"
        failures.add(source + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getName()));
      }
    }
    throw new DataException(target, "could not fetch from any source:\n  " + String.join("\n  ", failures)
        + "\n(offline? point RNNPORT_DATA_MIRROR at a folder holding the files, as the README's test command does)");
  }

  private List<String> sources(DataManifest.FileEntry f) {
    List<String> s = new ArrayList<>();
    if (mirror != null) {
      String base = mirror.endsWith("/") ? mirror : mirror + "/";
      if (isUrl(mirror)) {
        s.add(base + f.path());
      } else {
        s.add(Path.of(mirror).resolve(f.path()).toString());
      }
      return s; // a mirror is explicit: do not silently go to the internet
    }
    s.addAll(f.urls());
    return s;
  }

  private static boolean isUrl(String s) {
    return s.startsWith("http://") || s.startsWith("https://") || s.startsWith("file:");
  }

  private void download(String source, DataManifest.FileEntry f, Path target) throws IOException {
    AtomicFiles.write(target, tmp -> {
      MessageDigest md = newSha256();
      try (InputStream raw = open(source);
           InputStream in = new DigestInputStream(raw, md);
           OutputStream out = Files.newOutputStream(tmp);
           ProgressBar pb = Progress.bar("fetch " + f.path(), f.size(), "KB", 1024)) {
        byte[] buf = new byte[1 << 16];
        int n;
        long total = 0;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          total += n;
          pb.stepTo(Math.min(total, f.size()));
          if (total > f.size()) {
            throw new ChecksumException(target, "source " + source + " sent more than the manifest's "
                + f.size() + " bytes");
          }
        }
        if (total != f.size()) {
          throw new ChecksumException(target, "size mismatch from " + source + ": expected " + f.size()
              + " bytes, got " + total);
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (!actual.equalsIgnoreCase(f.sha256())) {
        throw new ChecksumException(target, "sha256 mismatch from " + source + ": expected " + f.sha256()
            + ", got " + actual + " (nothing was written)");
      }
    });
  }

  private InputStream open(String source) throws IOException {
    if (source.startsWith("http://") || source.startsWith("https://")) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(source)).timeout(Duration.ofMinutes(5)).GET().build();
      try {
        HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (resp.statusCode() != 200) {
          resp.body().close();
          throw new IOException("HTTP " + resp.statusCode());
        }
        return resp.body();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    Path p = source.startsWith("file:") ? Path.of(URI.create(source)) : Path.of(source);
    if (!Files.isRegularFile(p)) {
      throw new FileNotFoundException("no such file " + p.toAbsolutePath());
    }
    return Files.newInputStream(p);
  }

  /** The sha256 of a file, lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md = newSha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fetched bytes are not the manifest's. */
  public static final class ChecksumException extends DataException {
    public ChecksumException(Path file, String problem) {
      super(file, problem);
    }
  }
}
