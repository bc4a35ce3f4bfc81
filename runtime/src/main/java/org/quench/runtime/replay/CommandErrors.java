package org.quench.runtime.replay;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.quench.hal.QuenchException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one-line error policy of {@code record} and {@code replay}, as for the other commands: a
 * {@link QuenchException} prints {@code quench: <message>} and exits 1; the stack trace only
 * under the inherited {@code --debug}. (The session package's copy is package-private.)
 */
final class CommandErrors {
  private CommandErrors() {}

  static int guarded(CommandSpec spec, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (QuenchException e) {
      PrintWriter err = spec.commandLine().getErr();
      String msg = e.getMessage() == null ? "unknown error"
          : e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
      err.println("quench: " + msg);
      OptionSpec debug = spec.findOption("--debug");
      if (debug != null && Boolean.TRUE.equals(debug.getValue())) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        err.print(trace);
      }
      err.flush();
      return 1;
    }
  }

  /** A command line for one command alone, with {@code --debug} and one-line usage errors. */
  static CommandLine standalone(Object command) {
    CommandLine cli = new CommandLine(command);
    cli.getCommandSpec().addOption(OptionSpec.builder("-q", "--quiet").type(boolean.class)
        .description("Print less.").build());
    cli.getCommandSpec().addOption(OptionSpec.builder("--debug").type(boolean.class)
        .description("On errors, print the full stack trace too.").build());
    cli.setParameterExceptionHandler((ex, args) -> {
      ex.getCommandLine().getErr().println("quench: " + ex.getMessage() + " (see '"
          + ex.getCommandLine().getCommandName() + " --help')");
      return 2;
    });
    return cli;
  }
}
