package org.quench.runtime.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A scratch directory is fresh, and closing it removes it with all that was left in it. */
class ScratchDirectoryTest {
  @Test
  void closingRemovesTheDirectoryAndItsNestedFilesOnce() throws IOException {
    Path path;
    try (ScratchDirectory scratch = ScratchDirectory.create("quench-scratch-test")) {
      path = scratch.path();
      assertTrue(Files.isDirectory(path));
      assertTrue(path.getFileName().toString().startsWith("quench-scratch-test"));
      try (var listing = Files.list(path)) {
        assertFalse(listing.findAny().isPresent(), "fresh and empty");
      }
      Path deep = Files.createDirectories(path.resolve("seeds/nir"));
      Files.writeString(deep.resolve("case0.nir"), "left by a child");
      Files.writeString(path.resolve("top.txt"), "x");
      scratch.close();
      assertFalse(Files.exists(path));
      // A second close (the try's own) finds nothing to do and does not fail.
    }
    assertFalse(Files.exists(path));
  }
}
