package org.quench.runtime.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * A {@code quench} subcommand contributed by a module above runtime (the examples module's
 * {@code quench study}), so that runtime finds it without depending on that module.
 *
 * <p>A module registers an implementation in
 * {@code META-INF/services/org.quench.runtime.cli.QuenchCommand}; {@link QuenchCli} loads every
 * provider on the class path with {@link java.util.ServiceLoader} and adds its command under the
 * name of the command's {@code @Command(name = ...)}. The command inherits {@code --quiet} (read it
 * with {@link #quiet}) and {@code --debug} and the one error policy: it throws
 * {@link org.quench.hal.QuenchException} for bad input and lets the policy print it. A name already taken (a built-in command or an earlier
 * provider) is skipped with a warning. See docs/cli-commands.md.
 */
public interface QuenchCommand {
  /**
   * A fresh picocli command object: an instance of a class annotated with
   * {@code @picocli.CommandLine.Command} (typically a {@code Callable<Integer>}), or a
   * {@code picocli.CommandLine.Model.CommandSpec}. Called once per command line built.
   */
  Object command();

  /**
   * Whether the user asked for {@code --quiet} (no progress bars or progress messages), read as
   * every built-in command reads it; {@code spec} is the command's own {@code @Spec}.
   */
  static boolean quiet(CommandSpec spec) {
    return CommandSupport.quiet(spec);
  }
}
