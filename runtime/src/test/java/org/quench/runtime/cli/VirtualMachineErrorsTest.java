package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Running out of heap or stack is something a user's input can cause (a huge model, a deeply
 * nested graph): it ends in one line like every other failure, with the trace only on --debug.
 */
class VirtualMachineErrorsTest {
  @Command(name = "explode")
  static final class Explode implements Callable<Integer> {
    @CommandLine.Option(names = "--stack")
    boolean stack;

    @Override
    public Integer call() {
      if (stack) {
        throw new StackOverflowError();
      }
      throw new OutOfMemoryError("Java heap space");
    }
  }

  private record Outcome(int code, String err) {}

  private static Outcome run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = QuenchCli.commandLine(new PrintWriter(err, true),
        List.of(() -> new Explode()));
    int code = QuenchCli.execute(cli, new PrintWriter(new StringWriter(), true),
        new PrintWriter(err, true), args);
    return new Outcome(code, err.toString());
  }

  @Test
  void outOfMemoryIsOneLine() {
    Outcome o = run("explode");
    assertEquals(QuenchCli.EXIT_FAILURE, o.code());
    assertEquals(1, o.err().lines().count(), o.err());
    assertTrue(o.err().startsWith("quench: out of memory: give the JVM more heap"), o.err());
  }

  @Test
  void stackOverflowIsOneLine() {
    Outcome o = run("explode", "--stack");
    assertEquals(QuenchCli.EXIT_FAILURE, o.code());
    assertEquals(1, o.err().lines().count(), o.err());
    assertTrue(o.err().startsWith("quench: out of stack: the input is nested too deeply"), o.err());
    assertFalse(o.err().contains("\tat "), o.err());
  }

  @Test
  void debugAddsTheTrace() {
    Outcome o = run("explode", "--debug");
    assertTrue(o.err().startsWith("quench: out of memory"), o.err());
    assertTrue(o.err().contains("\tat "), o.err());
  }
}
