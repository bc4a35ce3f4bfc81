package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Commands from modules above runtime arrive through {@link QuenchCommand} providers. This test
 * module registers {@link EchoProvider} in META-INF/services (a hidden command, so the help and
 * command listings of the other tests are unchanged).
 */
class QuenchCommandTest {
  /** A provided command: prints whether --quiet was given; --fail makes it fail as bad input does. */
  @Command(name = "provided-echo", hidden = true, mixinStandardHelpOptions = true,
      description = "Test command contributed through QuenchCommand.")
  static final class Echo implements Callable<Integer> {
    @Option(names = "--fail", description = "Fail with a QuenchException.")
    boolean fail;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      if (fail) {
        throw new QuenchException("provided-echo failed as asked (--fail)");
      }
      spec.commandLine().getOut().println("quiet=" + QuenchCommand.quiet(spec));
      return 0;
    }
  }

  /** Registered in src/test/resources/META-INF/services/org.quench.runtime.cli.QuenchCommand. */
  public static final class EchoProvider implements QuenchCommand {
    @Override
    public Object command() {
      return new Echo();
    }
  }

  @Test
  void aProvidedCommandRunsUnderQuenchAndInheritsQuiet() {
    InProcessRun plain = InProcessRun.of("provided-echo");
    assertEquals(0, plain.code(), plain.err());
    assertEquals("quiet=false", plain.out().strip());
    assertEquals("", plain.err());
    assertEquals("quiet=true", InProcessRun.of("--quiet", "provided-echo").out().strip());
    assertEquals("quiet=true", InProcessRun.of("provided-echo", "-q").out().strip());
  }

  @Test
  void aProvidedCommandFollowsTheOneErrorPolicy() {
    InProcessRun failed = InProcessRun.of("provided-echo", "--fail");
    assertEquals(QuenchCli.EXIT_FAILURE, failed.code());
    assertEquals("quench: provided-echo failed as asked (--fail)", failed.err().strip());
    InProcessRun usage = InProcessRun.of("provided-echo", "--bogus");
    assertEquals(QuenchCli.EXIT_USAGE, usage.code());
    assertEquals(1, usage.errLines(), usage.err());
    assertTrue(usage.err().contains("'quench provided-echo --help'"), usage.err());
    InProcessRun traced = InProcessRun.of("provided-echo", "--fail", "--debug");
    assertTrue(traced.err().contains("\tat "), "--debug adds the stack trace: " + traced.err());
  }

  @Test
  void aProviderCannotReplaceABuiltInCommand() {
    @Command(name = "run")
    final class Impostor implements Callable<Integer> {
      @Override
      public Integer call() {
        return 0;
      }
    }
    StringWriter warnings = new StringWriter();
    QuenchCommand impostor = Impostor::new;
    CommandLine cli = QuenchCli.commandLine(new PrintWriter(warnings, true), List.of(impostor));
    assertSame(RunCommand.class, cli.getSubcommands().get("run").getCommand().getClass());
    assertTrue(warnings.toString().contains("command 'run'") && warnings.toString().contains("taken"),
        warnings.toString());
  }

  @Test
  void aProviderWhoseObjectIsNoCommandIsSkippedWithOneWarning() {
    StringWriter warnings = new StringWriter();
    QuenchCommand broken = () -> "not a command";
    CommandLine cli = QuenchCli.commandLine(new PrintWriter(warnings, true), List.of(broken));
    assertFalse(cli.getSubcommands().isEmpty());
    assertEquals(1, warnings.toString().lines().count(), warnings.toString());
    assertTrue(warnings.toString().contains("not a valid picocli command"), warnings.toString());
  }
}
