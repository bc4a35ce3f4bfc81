package org.quench.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.runtime.cli.QuenchCli;
import org.quench.runtime.io.ScratchDirectory;

/**
 * A JVM ended by SIGTERM (what Ctrl-C's SIGINT does too: the shutdown hooks run) removes the
 * scratch directories it still had open, its own and its cluster workers', and nothing they link
 * to. Each case is a real child JVM on this test's class path, sent {@link Process#destroy()}.
 */
class ScratchRemovedOnShutdownTest {
  @TempDir
  Path temp;

  @TempDir
  Path outside;

  /** A child JVM: makes a scratch directory with files and links in it, says where, then blocks. */
  static final class HoldsScratch {
    public static void main(String[] args) throws Exception {
      ScratchDirectory scratch = ScratchDirectory.create("quench-held-");
      Path nested = Files.createDirectories(scratch.path().resolve("seeds/nir"));
      Files.writeString(nested.resolve("case0.nir"), "scratch");
      Files.createSymbolicLink(scratch.path().resolve("to-user-data"), Path.of(args[0]));
      System.out.println("scratch " + scratch.path());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /** A child JVM: starts one real cluster worker (in a scratch directory of its own), then blocks. */
  static final class HoldsWorkers {
    public static void main(String[] args) throws Exception {
      WorkerProcesses workers = WorkerProcesses.start(List.of(QuenchCli.class.getName(), "worker"), 1, 1, 120,
          true);
      System.out.println("workers " + workers.name());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /**
   * Starts {@code main} in a child JVM whose temp directory is {@code temp} and waits for its line
   * starting with {@code ready} (added to {@code lines}, with all it printed before).
   */
  private Process start(Class<?> main, String ready, List<String> lines, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + temp,
        "-cp", WorkerProcesses.absoluteClassPath(), main.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    // A paused machine may take long; the ready line says the child is set up (EOF: it failed).
    String line;
    while ((line = r.readLine()) != null) {
      lines.add(line);
      if (line.startsWith(ready)) {
        return p;
      }
    }
    throw new AssertionError(main.getSimpleName() + " ended before it was ready: " + lines);
  }

  private List<Path> tempEntries() throws IOException {
    try (Stream<Path> s = Files.list(temp)) {
      return s.toList();
    }
  }

  /** Sends SIGTERM and waits for the JVM to finish its shutdown hooks and exit. */
  private static void terminate(Process p) throws InterruptedException {
    p.destroy();
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the child JVM did not end after SIGTERM");
    // 128 + SIGTERM: the JVM ended by the signal, through its shutdown hooks, not by a crash.
    assertEquals(143, p.exitValue());
  }

  @Test
  void aJvmEndedBySigtermRemovesItsOpenScratchDirectoryButNotWhatItLinksTo() throws Exception {
    Path precious = Files.createDirectories(outside.resolve("user/data"));
    Files.writeString(precious.resolve("results.csv"), "keep me");
    List<String> lines = new ArrayList<>();
    Process p = start(HoldsScratch.class, "scratch ", lines, outside.resolve("user").toString());
    try {
      String ready = lines.get(lines.size() - 1);
      Path scratch = Path.of(ready.substring("scratch ".length()));
      assertTrue(Files.isRegularFile(scratch.resolve("seeds/nir/case0.nir")), "made before SIGTERM");
      terminate(p);
      assertFalse(Files.exists(scratch, LinkOption.NOFOLLOW_LINKS), scratch + " is left behind");
      assertEquals(List.of(), tempEntries());
      assertEquals("keep me", Files.readString(precious.resolve("results.csv")));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aCoordinatorEndedBySigtermKillsItsWorkersAndRemovesTheirDirectories() throws Exception {
    List<String> lines = new ArrayList<>();
    Process p = start(HoldsWorkers.class, "workers ", lines);
    List<ProcessHandle> workers = p.descendants().toList();
    try {
      assertEquals(1, workers.size(), "one worker JVM: " + workers);
      List<Path> made = tempEntries();
      assertEquals(1, made.size(), made.toString());
      Path directory = made.get(0);
      assertTrue(directory.getFileName().toString().startsWith("quench-worker-"), directory.toString());
      // What a worker left there goes too; what it links to stays.
      Path precious = Files.writeString(outside.resolve("results.csv"), "keep me");
      Files.writeString(directory.resolve("left-by-worker.txt"), "scratch");
      Files.createSymbolicLink(directory.resolve("to-user-data"), precious);
      terminate(p);
      assertFalse(workers.get(0).isAlive(), "the worker outlived its coordinator");
      assertEquals(List.of(), tempEntries());
      assertEquals("keep me", Files.readString(precious));
    } finally {
      p.destroyForcibly();
      workers.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
