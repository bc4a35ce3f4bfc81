package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .ci/run} judges a build by its surefire reports: it passes only when tests ran, none
 * failed and none was skipped. Each case runs the real script in a copy of the repository layout
 * with a stand-in {@code mvn} on the PATH that writes the reports a build would.
 */
class CiScriptTest {
  @TempDir
  Path repo;

  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".ci/run"))) {
        return p;
      }
    }
    throw new IllegalStateException("no .ci/run above the working directory");
  }

  private record Result(int exit, String output) {}

  /** Runs the script with an mvn that exits {@code mvnExit} after writing {@code reports}. */
  private Result run(int mvnExit, String... reports) throws IOException, InterruptedException {
    Files.createDirectories(repo.resolve(".ci"));
    Files.copy(repositoryRoot().resolve(".ci/run"), repo.resolve(".ci/run"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path bin = Files.createDirectories(repo.resolve("bin"));
    StringBuilder mvn = new StringBuilder("#!/usr/bin/env bash\nmkdir -p module/target/surefire-reports\n");
    for (int i = 0; i < reports.length; i++) {
      mvn.append("cat > module/target/surefire-reports/TEST-T").append(i).append(".xml <<'X'\n")
          .append("<?xml version=\"1.0\"?>\n").append(reports[i]).append("\nX\n");
    }
    mvn.append("exit ").append(mvnExit).append('\n');
    Files.writeString(bin.resolve("mvn"), mvn);
    for (Path p : new Path[] {bin.resolve("mvn"), repo.resolve(".ci/run")}) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ProcessBuilder pb = new ProcessBuilder("bash", repo.resolve(".ci/run").toString())
        .redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }

  private static String suite(int tests, int failures, int errors, int skipped) {
    return "<testsuite name=\"T\" tests=\"" + tests + "\" failures=\"" + failures + "\" errors=\""
        + errors + "\" skipped=\"" + skipped + "\">\n</testsuite>";
  }

  private static String lastLine(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  @Test
  void passesWhenTestsRanAndAllPassed() throws Exception {
    Result r = run(0, suite(3, 0, 0, 0), suite(2, 0, 0, 0));
    assertEquals(0, r.exit(), r.output());
    assertEquals("5 passed, 0 failed", lastLine(r.output()));
  }

  @Test
  void failsWhenATestFails() throws Exception {
    Result r = run(0, suite(3, 1, 0, 0));
    assertEquals(1, r.exit(), r.output());
    assertEquals("2 passed, 1 failed", lastLine(r.output()));
  }

  @Test
  void failsWhenNoTestRan() throws Exception {
    Result none = run(0);
    assertEquals(1, none.exit(), none.output());
    assertTrue(none.output().contains("no tests ran"), none.output());
    assertEquals("0 passed, 0 failed", lastLine(none.output()));
    Result empty = run(0, suite(0, 0, 0, 0));
    assertEquals(1, empty.exit(), empty.output());
  }

  @Test
  void failsWhenATestIsSkipped() throws Exception {
    Result r = run(0, suite(4, 0, 0, 1));
    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains("1 test(s) skipped"), r.output());
    assertEquals("3 passed, 0 failed, 1 skipped", lastLine(r.output()));
  }

  @Test
  void failsWhenTheBuildFails() throws Exception {
    Result r = run(1, suite(3, 0, 0, 0));
    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains("build failed"), r.output());
  }

}
