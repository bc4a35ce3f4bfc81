package org.quench.runtime.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.quench.hal.QuenchException;

/**
 * A fresh directory under the system's temp directory that lives as long as one piece of work
 * (a fuzz run's scratch files, a worker JVM's working directory): closing it removes it and
 * everything left in it. Removal is best effort, since what a crashed child process left
 * behind must not turn a finished run into a failure; what cannot be removed stays for the
 * system's temp cleaner.
 *
 * <p>A directory still open when the JVM shuts down (Ctrl-C, SIGTERM, {@code System.exit}) is
 * removed by a shutdown hook, the same way {@link #close()} removes it; a kill that runs no hooks
 * (SIGKILL) leaves it to the temp cleaner. The JVM's other threads keep running while the hook
 * does, so files this process writes here go through {@link #write}: it and {@link #close()}
 * take turns, and once closed nothing more is written, so a run still going cannot make the
 * directory again after its removal.
 */
public final class ScratchDirectory implements AutoCloseable {
  /** Directories made and not yet closed, removed by the shutdown hook should the JVM end first. */
  private static final Set<ScratchDirectory> OPEN = ConcurrentHashMap.newKeySet();

  static {
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(ScratchDirectory::closeAllOpen, "quench-scratch-removal"));
    } catch (IllegalStateException shuttingDown) {
      // First used while the JVM is already ending: nothing made from now on outlives close().
    }
  }

  private final Path path;
  /** Set by the first close; guarded by this object's lock, as every {@link #write} is. */
  private boolean closed;

  private ScratchDirectory(Path path) {
    this.path = path;
  }

  private static void closeAllOpen() {
    for (ScratchDirectory open : OPEN) {
      open.close();
    }
  }

  /**
   * A new empty directory under the system's temp directory whose name starts with {@code prefix}.
   *
   * @throws QuenchException (one line naming where) when it cannot be made
   */
  public static ScratchDirectory create(String prefix) {
    return create(Path.of(System.getProperty("java.io.tmpdir")), prefix);
  }

  /** A new empty directory in {@code parent} whose name starts with {@code prefix}. */
  static ScratchDirectory create(Path parent, String prefix) {
    try {
      ScratchDirectory made = new ScratchDirectory(Files.createTempDirectory(parent, prefix));
      OPEN.add(made);
      return made;
    } catch (IOException e) {
      // The exception's own message is often the bare path (AccessDeniedException): say what failed.
      String reason = e instanceof AccessDeniedException ? "permission denied"
          : e instanceof NoSuchFileException ? "no such directory"
          : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
          : String.valueOf(e.getMessage());
      throw new QuenchException("cannot create a scratch directory " + prefix + "* in " + parent + ": "
          + reason + " (java.io.tmpdir chooses where)");
    }
  }

  /** The directory (absolute, under the parent it was made in). */
  public Path path() {
    return path;
  }

  /**
   * Writes {@code bytes} to the file {@code relative} names inside this directory, making the
   * directories on the way, and returns its path.
   *
   * @throws QuenchException (one line) once the directory is closed (the run is ending: nothing
   *     more goes here), when {@code relative} leads outside it, or when the file cannot be written
   */
  public synchronized Path write(String relative, byte[] bytes) {
    Path file = path.resolve(relative).normalize();
    if (!file.startsWith(path) || file.equals(path)) {
      throw new QuenchException("'" + relative + "' is not a file inside the scratch directory " + path);
    }
    if (closed) {
      throw new QuenchException("the scratch directory " + path + " is removed (the run is ending): "
          + relative + " is not written");
    }
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new QuenchException("cannot write " + file + ": " + e.getMessage());
    }
  }

  /** Whether {@link #close()} has begun (for a run to tell its own failures from its removal). */
  public synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Removes the directory and its contents, deepest first; idempotent (each call removes what is
   * there again, e.g. what a child process wrote since). Links are removed as links, never
   * followed, even when a process swaps a subdirectory for a link during the removal (where the
   * file system has secure directory streams, as Linux's does: {@code TreeRemoval}). What cannot be
   * listed or removed is skipped, and the rest still goes. From the first call on, {@link #write}
   * refuses.
   */
  @Override
  public synchronized void close() {
    closed = true;
    OPEN.remove(this);
    TreeRemoval.remove(path);
  }
}
