package org.rnnport.util;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Write-to-temp-then-rename helpers: a reader never sees a half-written file or folder, and a
 * failed write leaves nothing behind.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a whole file or folder at the given (temporary) path. */
  @FunctionalInterface
  public interface Writer {
    void write(Path tmp) throws IOException;
  }

  /** Writes {@code target} through a sibling temp file, then renames it into place. */
  public static void write(Path target, Writer writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".part");
    try {
      Files.deleteIfExists(tmp);
      writer.write(tmp);
      move(tmp, target);
    } finally {
      deleteRecursively(tmp);
    }
  }

  /** Writes bytes atomically. */
  public static void writeBytes(Path target, byte[] bytes) throws IOException {
    write(target, tmp -> Files.write(tmp, bytes));
  }

  /** Writes through an output stream atomically. */
  public static void writeStream(Path target, StreamWriter body) throws IOException {
    write(target, tmp -> {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        body.write(out);
      }
    });
  }

  /** Body of {@link #writeStream}. */
  @FunctionalInterface
  public interface StreamWriter {
    void write(OutputStream out) throws IOException;
  }

  /** Renames {@code tmp} to {@code target} atomically (replacing a file, never a non-empty folder). */
  public static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes a file or a folder tree if it exists. */
  public static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try {
      Files.walkFileTree(path, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + path, e);
    }
  }

  /**
   * Removes what a killed process left in {@code dir}: each entry whose name matches {@code pattern}
   * (its group 1 a process id) and whose process is no longer running (a running one may be another
   * export writing now, and is left alone). Returns the entries removed, for the caller to say so.
   */
  public static java.util.List<Path> removeStale(Path dir, java.util.regex.Pattern pattern) throws IOException {
    java.util.List<Path> removed = new java.util.ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return removed;
    }
    long self = ProcessHandle.current().pid();
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        java.util.regex.Matcher m = pattern.matcher(p.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid != self && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        deleteRecursively(p);
        removed.add(p);
      }
    }
    return removed;
  }
}
