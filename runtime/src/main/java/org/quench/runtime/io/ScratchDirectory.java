package org.quench.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A fresh directory under the system's temp directory that lives as long as one piece of work
 * (a fuzz run's scratch files, a worker JVM's working directory): closing it removes it and
 * everything left in it. Removal is best effort, since what a crashed child process left
 * behind must not turn a finished run into a failure; what cannot be removed stays for the
 * system's temp cleaner.
 */
public final class ScratchDirectory implements AutoCloseable {
  private final Path path;

  private ScratchDirectory(Path path) {
    this.path = path;
  }

  /** A new empty directory whose name starts with {@code prefix}. */
  public static ScratchDirectory create(String prefix) {
    try {
      return new ScratchDirectory(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp directory " + prefix + "*", e);
    }
  }

  public Path path() {
    return path;
  }

  /** Removes the directory and its contents, deepest first; idempotent. */
  @Override
  public void close() {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Left for the system's temp cleaner.
    }
  }
}
