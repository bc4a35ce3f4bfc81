package org.quench.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Removing a tree never reaches outside it through a link: not through a link that was there from
 * the start, and (with secure directory streams) not through a subdirectory swapped for a link
 * between the look at it and its opening.
 */
class TreeRemovalTest {
  @TempDir
  Path temp;

  @TempDir
  Path outside;

  /** Files outside the tree a link may name; each must survive every removal. */
  private Path keptDirectory() throws IOException {
    Path kept = Files.createDirectories(outside.resolve("kept/deeper"));
    Files.writeString(kept.resolve("precious.txt"), "not scratch");
    Files.writeString(outside.resolve("kept/top.txt"), "not scratch either");
    return outside.resolve("kept");
  }

  private static void assertKept(Path kept) throws IOException {
    assertEquals("not scratch", Files.readString(kept.resolve("deeper/precious.txt")));
    assertEquals("not scratch either", Files.readString(kept.resolve("top.txt")));
  }

  /** A tree: a link to a directory outside, nested subdirectories with files. */
  private Path tree(Path kept) throws IOException {
    Path root = Files.createDirectories(temp.resolve("scratch"));
    Path nested = Files.createDirectories(root.resolve("seeds/nir/deep"));
    Files.writeString(nested.resolve("case0.nir"), "scratch");
    Files.writeString(root.resolve("seeds/top.txt"), "scratch");
    Files.createSymbolicLink(root.resolve("to-user-data"), kept);
    Files.createSymbolicLink(root.resolve("seeds/nir/to-user-data"), kept);
    return root;
  }

  @Test
  void onLinuxTheRemovalGoesThroughSecureDirectoryStreamsAndRemovesLinksAsLinks() throws IOException {
    Path kept = keptDirectory();
    Path root = tree(kept);
    List<Path> opened = new ArrayList<>();
    assertTrue(TreeRemoval.remove(root, opened::add),
        "this platform's default file system offers SecureDirectoryStream (Linux's does)");
    assertFalse(Files.exists(root, LinkOption.NOFOLLOW_LINKS), "the whole tree is gone");
    assertKept(kept);
    // Only the tree's own directories were opened, never one through a link.
    assertEquals(List.of(root, root.resolve("seeds"), root.resolve("seeds/nir"), root.resolve("seeds/nir/deep")),
        opened.stream().sorted().toList());
  }

  @Test
  void theWalkWithoutSecureStreamsAlsoRemovesLinksAsLinks() throws IOException {
    Path kept = keptDirectory();
    Path root = tree(kept);
    TreeRemoval.walk(root);
    assertFalse(Files.exists(root, LinkOption.NOFOLLOW_LINKS), "the whole tree is gone");
    assertKept(kept);
  }

  @Test
  void aSubdirectorySwappedForALinkJustBeforeItIsOpenedGoesAsALink() throws IOException {
    // The race a same-user process could win: "work" is seen to be a directory, then moved out of
    // the tree and replaced by a link to the user's data before the removal opens it. Opening by
    // path would follow the link and empty the user's directory.
    Path kept = keptDirectory();
    Path root = tree(kept);
    Path work = Files.createDirectories(root.resolve("work"));
    Files.writeString(work.resolve("result.bin"), "scratch");
    Path movedOut = outside.resolve("moved-out");
    Consumer<Path> swap = opening -> {
      if (opening.equals(work)) {
        try {
          Files.move(work, movedOut);
          Files.createSymbolicLink(work, kept);
        } catch (IOException e) {
          throw new AssertionError("could not swap " + work + " for a link", e);
        }
      }
    };
    assertTrue(TreeRemoval.remove(root, swap));
    assertFalse(Files.exists(root, LinkOption.NOFOLLOW_LINKS), "the link went as a link, then the tree");
    assertKept(kept);
    // What was moved out of the tree is out of reach too.
    assertEquals("scratch", Files.readString(movedOut.resolve("result.bin")));
  }

  @Test
  void aRootThatIsALinkIsRemovedAsALink() throws IOException {
    Path kept = keptDirectory();
    Path root = Files.createSymbolicLink(temp.resolve("scratch"), kept);
    assertTrue(TreeRemoval.remove(root, opening -> { }));
    assertFalse(Files.exists(root, LinkOption.NOFOLLOW_LINKS));
    assertKept(kept);
  }

  @Test
  void aBranchDeeperThanTheLimitIsLeftAndEverythingBesideItGoes() throws Exception {
    Path root = Files.createDirectories(temp.resolve("scratch"));
    Files.writeString(root.resolve("top.txt"), "x");
    Files.writeString(Files.createDirectories(root.resolve("seeds/nir")).resolve("case0.nir"), "x");
    // MAX_DEPTH + 4 levels below "deep": "deep" is level 0, its bottom far past the limit.
    Process p = new ProcessBuilder("bash", "-c", "for i in $(seq 1 " + (TreeRemoval.MAX_DEPTH + 4)
        + "); do mkdir d && cd d || exit 1; done; touch bottom").directory(
        Files.createDirectories(root.resolve("deep")).toFile()).redirectErrorStream(true).start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
    List<Path> opened = new ArrayList<>();
    TreeRemoval.remove(root, opened::add);
    assertFalse(Files.exists(root.resolve("top.txt")), "a file beside the branch");
    assertFalse(Files.exists(root.resolve("seeds")), "a directory beside the branch");
    assertTrue(Files.isDirectory(root.resolve("deep")), "the branch past the limit is left");
    // root, seeds, seeds/nir, deep and its d's at depths 2 to MAX_DEPTH - 1: nothing deeper was opened.
    assertEquals(4 + TreeRemoval.MAX_DEPTH - 2, opened.size());
  }
}
