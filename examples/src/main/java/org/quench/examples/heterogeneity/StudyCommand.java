package org.quench.examples.heterogeneity;

import org.quench.runtime.session.CommandSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quench study}: the studies a user can run (for now the heterogeneity study). Runnable on
 * its own through {@link #main}, which is what the {@code quench} launcher calls for
 * {@code quench study ...}.
 */
@Command(name = "study", mixinStandardHelpOptions = true,
    description = "Run a study: measurements of a research claim on emulated chips.",
    subcommands = {HeterogeneityCommand.class})
public final class StudyCommand implements Runnable {
  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing study: try 'quench study heterogeneity --quick'");
  }

  /** Runs {@code study ARGS...} as the {@code quench} program would and exits with its code. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** {@code quench study ARGS...} in process; returns the exit code (0, 1 failure, 2 usage). */
  static int execute(String... args) {
    CommandLine cli = new CommandLine(new Launcher());
    cli.setParameterExceptionHandler((ex, rawArgs) -> {
      ex.getCommandLine().getErr().println("quench: " + CommandSupport.oneLine(ex.getMessage())
          + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
      return 2;
    });
    String[] all = new String[args.length + 1];
    all[0] = "study";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  /**
   * Stands in for the {@code quench} top-level command when the study runs through
   * {@link #main}: it declares the global --quiet and --debug options the way the CLI does
   * (inherited by every subcommand), so the study reads them the same way in both.
   */
  @Command(name = "quench", subcommands = {StudyCommand.class})
  static final class Launcher implements Runnable {
    @CommandLine.Option(names = {"-q", "--quiet"}, scope = CommandLine.ScopeType.INHERIT,
        description = "No progress bar (it is also off when stdout is not a terminal).")
    boolean quiet;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
        description = "On errors, print the full stack trace too.")
    boolean debug;

    @Override
    public void run() {
      throw new IllegalStateException("the launcher always runs 'study'");
    }
  }
}
