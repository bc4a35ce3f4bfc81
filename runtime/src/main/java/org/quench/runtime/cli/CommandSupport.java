package org.quench.runtime.cli;

import java.nio.file.Path;
import java.util.List;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.encode.InputArguments;
import org.quench.runtime.encode.SpikeTrains;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What every {@code quench} command shares: the global {@code --quiet} and {@code --debug} options
 * and their one reading, running a command alone (tests, embedding) under the same error policy as
 * the {@code quench} command ({@link QuenchCli#withErrorPolicy}), and the reading of
 * {@code --input [TARGET=]FILE} and {@code --steps}.
 *
 * <p>The {@code quench} top-level command declares {@code --quiet} and {@code --debug} as
 * inherited options; a subcommand that declared them again would clash, so commands read them from
 * their spec ({@link #quiet}), and {@link #standalone} adds them for use outside the {@code quench}
 * command. {@code --quiet} means: no progress bars and no progress chatter on stdout; results and
 * errors still print.
 */
final class CommandSupport {
  private CommandSupport() {}

  /** Whether the user asked for {@code --quiet}. */
  static boolean quiet(CommandSpec spec) {
    return flag(spec, "--quiet");
  }

  /** Whether the user asked for {@code --debug} (stack traces with errors). */
  static boolean debug(CommandSpec spec) {
    return flag(spec, "--debug");
  }

  /** The value of a boolean option if the command has it (inherited or added), else false. */
  private static boolean flag(CommandSpec spec, String name) {
    OptionSpec o = spec.findOption(name);
    if (o == null) {
      return false;
    }
    Object v = o.getValue();
    return v instanceof Boolean b && b;
  }

  /** A command line for {@code command} alone, with --quiet, --debug and quench's error policy. */
  static CommandLine standalone(Object command) {
    CommandLine cli = new CommandLine(command);
    CommandSpec spec = cli.getCommandSpec();
    spec.addOption(OptionSpec.builder("-q", "--quiet").type(boolean.class)
        .description(QuenchCli.QUIET_DESCRIPTION).build());
    spec.addOption(OptionSpec.builder("--debug").type(boolean.class)
        .description(QuenchCli.DEBUG_DESCRIPTION).build());
    return QuenchCli.withErrorPolicy(cli);
  }

  /**
   * Reads an {@code --input [TARGET=]FILE} option for {@code image} (null when not given). A
   * prefix before '=' names the target port or population unless it looks like a directory.
   */
  static SpikeTrains input(String option, ChipImage image) {
    return option == null ? null : InputArguments.read(List.of(option), null, 0, image);
  }

  /** What a run past the input's end means, or null when the input covers the run. */
  static String paddingNote(long steps, SpikeTrains input) {
    if (input == null || steps <= input.length()) {
      return null;
    }
    return "the input has " + input.length() + " steps; steps " + input.length() + ".." + (steps - 1)
        + " run without input";
  }

  /** How many steps to run: {@code --steps} when given, else the input's length. */
  static long steps(Long steps, SpikeTrains input) {
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
