package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.encode.InputFiles;
import org.quench.runtime.encode.SpikeTrains;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What the commands outside the cli package ({@link RunCommand}, {@link DemoCommand}, record,
 * replay) share: the global {@code --quiet} and
 * {@code --debug} options and the one-line error policy.
 *
 * <p>The {@code quench} top-level command declares {@code --quiet} and {@code --debug} as
 * inherited options; a subcommand that declared them again would clash, so these commands read
 * them from their spec when present, and {@link #standalone} adds them for use outside the
 * {@code quench} command (tests, embedding).
 */
public final class CommandSupport {
  private CommandSupport() {}

  /** The value of a boolean option if the command has it (inherited or added), else false. */
  public static boolean flag(CommandSpec spec, String name) {
    OptionSpec o = spec.findOption(name);
    if (o == null) {
      return false;
    }
    Object v = o.getValue();
    return v instanceof Boolean b && b;
  }

  /** A command line for {@code command} alone, with --quiet, --debug and one-line usage errors. */
  public static CommandLine standalone(Object command) {
    CommandLine cli = new CommandLine(command);
    CommandSpec spec = cli.getCommandSpec();
    spec.addOption(OptionSpec.builder("-q", "--quiet").type(boolean.class)
        .description("No progress bar (it is also off when stdout is not a terminal).").build());
    spec.addOption(OptionSpec.builder("--debug").type(boolean.class)
        .description("On errors, print the full stack trace too.").build());
    cli.setParameterExceptionHandler((ex, args) -> {
      ex.getCommandLine().getErr().println("quench: " + oneLine(ex.getMessage()) + " (see '"
          + ex.getCommandLine().getCommandName() + " --help')");
      return 2;
    });
    return cli;
  }

  /**
   * Runs {@code body}; a {@link QuenchException} becomes one line on stderr and exit code 1 (with
   * the stack trace only under --debug).
   */
  public static int guarded(CommandSpec spec, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (QuenchException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("quench: " + oneLine(e.getMessage()));
      if (flag(spec, "--debug")) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        err.print(trace);
      }
      err.flush();
      return 1;
    }
  }

  public static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "unknown error";
    }
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /**
   * Reads an {@code --input [TARGET=]FILE} option for {@code image} (null when not given). A
   * prefix before '=' names the target port or population unless it looks like a directory.
   */
  public static SpikeTrains input(String option, ChipImage image) {
    if (option == null) {
      return null;
    }
    String target = null;
    String file = option;
    int eq = option.indexOf('=');
    if (eq > 0) {
      String head = option.substring(0, eq);
      if (!head.contains("/") && !head.contains("\\")) {
        target = head;
        file = option.substring(eq + 1);
      }
    }
    return InputFiles.read(Path.of(file), target, image);
  }

  /** How many steps to run: {@code --steps} when given, else the input's length. */
  public static long steps(Long steps, SpikeTrains input) {
    if (steps != null) {
      if (steps < 0) {
        throw new QuenchException("--steps " + steps + " is negative");
      }
      return steps;
    }
    if (input != null) {
      return input.length();
    }
    throw new QuenchException("nothing says how long to run: give --steps N (or an --input)");
  }
}
