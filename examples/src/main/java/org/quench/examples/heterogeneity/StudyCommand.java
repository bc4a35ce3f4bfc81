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
    System.exit(CommandSupport.standalone(new StudyCommand()).execute(args));
  }
}
