package org.quench.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.QuenchException;

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

  @TempDir
  Path outside;

  @Test
  void closingNeverFollowsASymlinkOutOfTheTree() throws IOException {
    // What a child left may point anywhere: a link is removed as a link, what it names is kept.
    Path kept = Files.createDirectories(outside.resolve("kept/deeper"));
    Files.writeString(kept.resolve("precious.txt"), "not scratch");
    Path keptFile = Files.writeString(outside.resolve("alone.txt"), "not scratch either");
    ScratchDirectory scratch = ScratchDirectory.create("quench-scratch-test");
    Path inner = Files.createDirectories(scratch.path().resolve("work"));
    Files.createSymbolicLink(inner.resolve("to-dir"), outside.resolve("kept"));
    Files.createSymbolicLink(scratch.path().resolve("to-file"), keptFile);
    Files.createSymbolicLink(scratch.path().resolve("dangling"), outside.resolve("gone"));
    scratch.close();
    assertFalse(Files.exists(scratch.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals("not scratch", Files.readString(kept.resolve("precious.txt")));
    assertEquals("not scratch either", Files.readString(keptFile));
    // Nor when the scratch directory itself was swapped for a link to somewhere else.
    ScratchDirectory swapped = ScratchDirectory.create("quench-scratch-test");
    Files.delete(swapped.path());
    Files.createSymbolicLink(swapped.path(), outside.resolve("kept"));
    swapped.close();
    assertFalse(Files.exists(swapped.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals("not scratch", Files.readString(kept.resolve("precious.txt")));
  }

  @Test
  void aDirectoryThatCannotBeMadeIsOneLineNamingWhere() throws IOException {
    Path notADirectory = Files.writeString(outside.resolve("file"), "x");
    QuenchException e = assertThrows(QuenchException.class,
        () -> ScratchDirectory.create(notADirectory, "quench-fuzz"));
    assertTrue(e.getMessage().startsWith("cannot create a scratch directory quench-fuzz* in " + notADirectory + ": "),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void aBranchTooLongForAPathIsRemovedRelativeToItsParent() throws Exception {
    // A child may leave a branch deeper than a path may be (here 30 names of 200 characters).
    // Opening each directory relative to its parent's open directory removes it all; a walk by
    // path (the fallback without secure directory streams) cannot list it, skips it and still
    // removes everything beside it.
    for (boolean secure : new boolean[] {true, false}) {
      ScratchDirectory scratch = ScratchDirectory.create("quench-scratch-test");
      Path deep = Files.createDirectories(scratch.path().resolve("deep"));
      try {
        Files.writeString(scratch.path().resolve("top.txt"), "x");
        Path seeds = Files.createDirectories(scratch.path().resolve("seeds/nir"));
        Files.writeString(seeds.resolve("case0.nir"), "x");
        String name = "d".repeat(200);
        Process p = new ProcessBuilder("bash", "-c", "for i in $(seq 1 30); do mkdir " + name + " && cd " + name
            + " || exit 1; done; touch bottom").directory(deep.toFile()).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        if (secure) {
          scratch.close();
          assertFalse(Files.exists(scratch.path(), LinkOption.NOFOLLOW_LINKS), "all of it");
        } else {
          TreeRemoval.walk(scratch.path());
          assertFalse(Files.exists(scratch.path().resolve("top.txt")), "a file beside the branch");
          assertFalse(Files.exists(scratch.path().resolve("seeds")), "a directory beside the branch");
          assertTrue(Files.exists(deep), "the branch the walk cannot list");
          scratch.close();
        }
      } finally {
        new ProcessBuilder("rm", "-rf", scratch.path().toString()).start().waitFor();
      }
    }
  }

  @Test
  void writesGoInsideAndStopOnceClosedSoTheDirectoryIsNotMadeAgain() throws IOException {
    ScratchDirectory scratch = ScratchDirectory.create("quench-scratch-test");
    Path file = scratch.write("nir/case.nir", new byte[] {1, 2});
    assertEquals(scratch.path().resolve("nir/case.nir"), file);
    assertEquals(2, Files.size(file));
    QuenchException outside = assertThrows(QuenchException.class, () -> scratch.write("../escaped.txt", new byte[0]));
    assertEquals("'../escaped.txt' is not a file inside the scratch directory " + scratch.path(), outside.getMessage());
    assertFalse(Files.exists(scratch.path().resolveSibling("escaped.txt")));
    assertFalse(scratch.isClosed());
    scratch.close();
    assertTrue(scratch.isClosed());
    // A thread still running after the removal (a shutdown hook's, while the run goes on) writes nothing.
    QuenchException closed = assertThrows(QuenchException.class, () -> scratch.write("nir/case.nir", new byte[] {3}));
    assertEquals("the scratch directory " + scratch.path() + " is removed (the run is ending): nir/case.nir is not"
        + " written", closed.getMessage());
    assertFalse(Files.exists(scratch.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }
}
