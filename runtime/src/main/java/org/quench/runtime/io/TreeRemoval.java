package org.quench.runtime.io;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Removes a directory and everything in it without ever following a symbolic link: a link in the
 * tree goes as a link, and what it names stays. Best effort: what cannot be listed or removed is
 * left, and the rest still goes.
 *
 * <p>Where the file system offers a {@link SecureDirectoryStream} (Linux does), every entry is
 * opened and removed relative to its parent's open directory, and a directory is opened without
 * following links. A process that swaps a subdirectory for a link between the look at it and its
 * opening then gets the open refused, and the link is removed as a link: nothing outside the tree
 * is reached. Elsewhere a file-tree walk that does not follow links does the work; it looks at a
 * directory and opens it by path in two steps, so there such a swap is not caught.
 */
final class TreeRemoval {
  /**
   * Directories this many levels below the root (the root is level 0) or deeper are not opened:
   * left to the temp cleaner unless empty. Each level of the descent holds one open directory and
   * one stack frame, and a child process may leave a tree of any depth.
   */
  static final int MAX_DEPTH = 256;

  private TreeRemoval() {}

  /** Removes {@code root} and its contents; a link at {@code root} itself is removed as a link. */
  static void remove(Path root) {
    remove(root, opening -> { });
  }

  /**
   * As {@link #remove(Path)}; {@code beforeOpening} is told the path of each directory of the tree
   * just before it is opened (a test's way into the gap between looking and opening). Returns
   * whether the removal went through secure directory streams, rather than the walk.
   */
  static boolean remove(Path root, Consumer<Path> beforeOpening) {
    Path absolute = root.toAbsolutePath();
    Path parent = absolute.getParent();
    if (parent == null) {
      return false;
    }
    // The parent (the temp directory a user chose) is opened following links; the root is not.
    try (DirectoryStream<Path> parentStream = Files.newDirectoryStream(parent)) {
      if (parentStream instanceof SecureDirectoryStream<Path> secure) {
        removeEntry(secure, parent, absolute.getFileName(), 0, beforeOpening);
        return true;
      }
    } catch (IOException e) {
      // The parent cannot be opened (no read permission): the walk below needs none on it.
    }
    walk(absolute);
    return false;
  }

  /** Removes the entry {@code name} of the open directory {@code dir} (at {@code where}). */
  private static void removeEntry(SecureDirectoryStream<Path> dir, Path where, Path name, int depth,
      Consumer<Path> beforeOpening) {
    BasicFileAttributes attributes;
    try {
      attributes = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes();
    } catch (IOException e) {
      return; // Gone already, or not ours to see.
    }
    if (!attributes.isDirectory()) {
      deleteFile(dir, name);
      return;
    }
    Path path = where.resolve(name);
    if (depth < MAX_DEPTH) {
      beforeOpening.accept(path);
      try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
        // Names first, removals after: the listing is not disturbed by its own removals.
        List<Path> names = new ArrayList<>();
        for (Path entry : child) {
          names.add(entry.getFileName());
        }
        for (Path entryName : names) {
          removeEntry(child, path, entryName, depth + 1, beforeOpening);
        }
      } catch (IOException | DirectoryIteratorException e) {
        // No longer a directory (swapped for a link or a file since the look: removed as one
        // below) or it cannot be listed (left, with what is in it).
      }
    }
    try {
      dir.deleteDirectory(name);
    } catch (IOException e) {
      // Not empty (left), or swapped for a link or a file since the look: that goes as one.
      deleteFile(dir, name);
    }
  }

  private static void deleteFile(SecureDirectoryStream<Path> dir, Path name) {
    try {
      dir.deleteFile(name);
    } catch (IOException e) {
      // A directory now, or not ours to remove: left behind.
    }
  }

  /**
   * The removal where no secure directory stream exists: a walk that never follows a link, deepest
   * first; a branch that cannot be listed is skipped.
   */
  static void walk(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          return delete(file);
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return delete(file);
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          return delete(dir);
        }
      });
    } catch (IOException e) {
      // Left for the system's temp cleaner.
    }
  }

  private static FileVisitResult delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Not empty (a branch that could not be listed) or not ours to remove: left behind.
    }
    return FileVisitResult.CONTINUE;
  }
}
