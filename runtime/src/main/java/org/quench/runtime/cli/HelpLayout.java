package org.quench.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * How {@code --help} lays out: descriptions wrap at a readable width, while the examples and notes
 * of a command's footer are printed line by line as written, so that a command line in an example
 * never breaks in the middle of a word or a file name. Applies to a command and all its
 * subcommands.
 */
final class HelpLayout {
  /** Columns descriptions wrap at (picocli's default is 80). */
  static final int WIDTH = 100;

  private HelpLayout() {}

  static CommandLine apply(CommandLine cli) {
    cli.setUsageHelpWidth(WIDTH);
    cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
      List<String> lines = new ArrayList<>();
      for (String line : help.commandSpec().usageMessage().footer()) {
        lines.add(String.format(Locale.ROOT, line));
      }
      return lines.isEmpty() ? "" : String.join(System.lineSeparator(), lines) + System.lineSeparator();
    });
    for (CommandLine sub : cli.getSubcommands().values()) {
      apply(sub);
    }
    return cli;
  }
}
