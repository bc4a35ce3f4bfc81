package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One whole {@code quench} command line run in this JVM as the launcher runs it (the same
 * subcommands, error policy and exit codes), with what it printed on stdout and stderr. Test
 * support: runtime's test-jar carries it to the tests of modules above runtime (examples), so that
 * every module checks its commands the same way.
 *
 * @param code the exit code (0 success, 1 failure, 2 malformed command line, 3 unmet bound)
 * @param out what the command printed on stdout (UTF-8)
 * @param err what it printed on stderr (UTF-8)
 */
public record InProcessRun(int code, String out, String err) {
  /** Runs {@code quench ARGS...} and returns its outcome, whatever the exit code. */
  public static InProcessRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = QuenchCli.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new InProcessRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Runs {@code quench ARGS...} and fails the test, showing the command line and all it printed,
   * unless it exits with {@code expectedCode}.
   */
  public static InProcessRun expecting(int expectedCode, String... args) {
    InProcessRun run = of(args);
    assertEquals(expectedCode, run.code, "quench " + String.join(" ", args) + ": " + run.out + run.err);
    return run;
  }

  /** Lines printed on stderr. */
  public long errLines() {
    return err.lines().count();
  }
}
