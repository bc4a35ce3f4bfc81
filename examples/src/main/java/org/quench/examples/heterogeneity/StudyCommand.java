package org.quench.examples.heterogeneity;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quench study}: the studies a user can run (for now the heterogeneity study). The
 * {@code quench} command finds it through {@link StudyCommandProvider} (docs/cli-commands.md).
 */
@Command(name = "study", mixinStandardHelpOptions = true,
    description = "Run a study: measurements of a research claim on emulated chips.",
    subcommands = {HeterogeneityCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {"  quench study heterogeneity --quick    the heterogeneity study, a few minutes"})
public final class StudyCommand implements Runnable {
  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing study: try 'quench study heterogeneity --quick'");
  }
}
