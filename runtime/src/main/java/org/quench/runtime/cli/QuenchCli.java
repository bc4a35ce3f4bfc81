package org.quench.runtime.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.quench.hal.QuenchException;
import org.quench.hal.QuenchVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code quench} command line: the top-level command, its global options and the one error
 * policy every command shares ({@link #withErrorPolicy}).
 *
 * <p>A built-in subcommand is one class of this package annotated with {@code @Command} (see
 * {@link InspectCommand}); list it in {@code subcommands} below. Modules above runtime (examples)
 * add commands through {@link QuenchCommand} providers, found with {@link ServiceLoader}. Error
 * policy: a {@link QuenchException}, a bad command line or a missing file prints one line
 * {@code quench: <message>} on stderr, never a stack trace unless {@code --debug} is given. Exit
 * codes: 0 success, 1 failure, 2 usage error.
 */
@Command(
    name = "quench",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = "Deploy heterogeneous spiking networks onto fixed-point neuromorphic chips.",
    subcommands = {DemoCommand.class, CompileCommand.class, InspectCommand.class, RunCommand.class,
        VerifyCommand.class, RecordCommand.class, ReplayCommand.class, ServeCommand.class,
        DevicesCommand.class, LavaCommand.class, MismatchCommand.class, BenchCommand.class,
        CalibrateCommand.class, FuzzCommand.class, WorkerCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench demo                       the shipped braille model, end to end",
        "  quench compile m.nir -o m.qimg    compile a NIR or netx model (loihi chip)",
        "  quench inspect m.qimg             explain a chip image",
        "  quench run m.qimg --plot r.png    run on the emulator, plot a raster",
        "  quench verify m.nir               chip vs float reference",
        "  quench serve --port 7000          host emulated chips for remote clients",
        "  quench mismatch m.qimg --chips 1000 --variability analog   a batch of imperfect chips",
        "  quench COMMAND --help             options and examples of one command"})
public final class QuenchCli implements Runnable {
  /** Exit code of a failed command (bad input, device error). */
  public static final int EXIT_FAILURE = 1;
  /** Exit code of a malformed command line. */
  public static final int EXIT_USAGE = 2;

  static final String DEBUG_DESCRIPTION = "On errors, print the full stack trace too.";
  static final String QUIET_DESCRIPTION = "No progress bars or progress messages, only results"
      + " and errors (bars are also off when stdout is not a terminal).";

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = DEBUG_DESCRIPTION)
  boolean debug;

  @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = QUIET_DESCRIPTION)
  boolean quiet;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command: try 'quench --help'");
  }

  /** Runs the CLI as the {@code quench} program would and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(execute(System.out, System.err, args));
  }

  /**
   * Runs one command line in process, writing to the given streams (which stay open), and returns
   * the exit code: 0 success, {@link #EXIT_FAILURE}, {@link #EXIT_USAGE}.
   */
  public static int execute(PrintStream out, PrintStream err, String... args) {
    PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
    return execute(commandLine(errWriter), outWriter, errWriter, args);
  }

  /**
   * Runs {@code cli} (built with {@link #withErrorPolicy}) on {@code args}. Picocli hands only
   * exceptions to the error policy; the errors a user's input can provoke, running out of heap or
   * of stack, are caught here and get their one line too.
   */
  static int execute(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
    cli.setOut(out);
    cli.setErr(err);
    int code;
    try {
      code = cli.execute(args);
    } catch (OutOfMemoryError | StackOverflowError e) {
      err.println("quench: " + describe(e));
      if (Arrays.asList(args).contains("--debug")) {
        e.printStackTrace(err);
      }
      code = EXIT_FAILURE;
    }
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The {@code quench} command with its built-in subcommands, the commands of every
   * {@link QuenchCommand} provider on the class path, and the error policy. A provider that fails
   * to load, or whose command name is taken, is skipped with one line on {@code warnings}.
   */
  static CommandLine commandLine(PrintWriter warnings) {
    return commandLine(warnings, ServiceLoader.load(QuenchCommand.class));
  }

  /** As {@link #commandLine(PrintWriter)}, with the given providers. */
  static CommandLine commandLine(PrintWriter warnings, Iterable<QuenchCommand> providers) {
    CommandLine cli = new CommandLine(new QuenchCli());
    Iterator<QuenchCommand> it = providers.iterator();
    while (true) {
      QuenchCommand provider;
      try {
        if (!it.hasNext()) {
          break;
        }
        provider = it.next();
      } catch (ServiceConfigurationError e) {
        warnings.println("quench: warning: a command provider failed to load, skipped: "
            + oneLine(e.getMessage()));
        continue;
      }
      try {
        CommandLine sub = new CommandLine(provider.command());
        String name = sub.getCommandName();
        if (cli.getSubcommands().containsKey(name)) {
          warnings.println("quench: warning: command '" + name + "' of "
              + provider.getClass().getName() + " is already taken; skipped");
          continue;
        }
        cli.addSubcommand(name, sub);
      } catch (RuntimeException e) {
        warnings.println("quench: warning: the command of " + provider.getClass().getName()
            + " is not a valid picocli command, skipped: " + oneLine(e.getMessage()));
      }
    }
    HelpLayout.apply(cli);
    return withErrorPolicy(cli);
  }

  /** Options a command had under another name, by "command old-option": what to use now. */
  private static final Map<String, String> RENAMED = Map.of(
      "mismatch --samples", "use --random-samples N for N seeded random input samples, or --input FILE for your own",
      "mismatch --rate", "use --random-rate P for the spike probability of the random input");

  /**
   * Installs quench's error policy on {@code cli} (the quench command, or one command run alone):
   * a bad command line prints one line ending with where to find help and exits
   * {@link #EXIT_USAGE}; a failure prints {@link #describe one line} and exits
   * {@link #EXIT_FAILURE}; {@code --debug} (anywhere on the command line) adds the stack trace.
   * Messages go to the command line's own error writer.
   */
  static CommandLine withErrorPolicy(CommandLine cli) {
    cli.setParameterExceptionHandler((ex, rawArgs) -> {
      CommandLine where = ex.getCommandLine();
      PrintWriter err = where.getErr();
      String help = where.getCommandSpec().qualifiedName() + " --help";
      String message = oneLine(ex.getMessage());
      if (ex instanceof CommandLine.UnmatchedArgumentException unmatched
          && !where.getSubcommands().isEmpty() && !unmatched.getUnmatched().isEmpty()
          && !unmatched.getUnmatched().get(0).startsWith("-")) {
        message = "unknown command '" + unmatched.getUnmatched().get(0) + "'; commands: "
            + String.join(", ", where.getSubcommands().keySet());
      } else if (ex instanceof CommandLine.UnmatchedArgumentException unmatched
          && !unmatched.getUnmatched().isEmpty()) {
        String first = unmatched.getUnmatched().get(0);
        String renamed = RENAMED.get(where.getCommandSpec().name() + " " + first);
        if (renamed != null) {
          message = "'" + first + "' was renamed: " + renamed;
        } else if (first.startsWith("-") && !unmatched.getSuggestions().isEmpty()) {
          message += "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
        }
      }
      err.println("quench: " + message
          + (message.contains("--help") ? "" : " (see '" + help + "')"));
      // --debug may sit anywhere, even on a command line that does not parse.
      if (Arrays.asList(rawArgs).contains("--debug")) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_USAGE;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println("quench: " + describe(ex));
      if (CommandSupport.debug(commandLine.getCommandSpec())
          || parseResult.originalArgs().contains("--debug")) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_FAILURE;
    });
    return cli;
  }

  /** The one line a user sees for an exception. */
  static String describe(Throwable ex) {
    if (ex instanceof QuenchException) {
      return oneLine(ex.getMessage());
    }
    Throwable cause = ex instanceof UncheckedIOException ? ex.getCause() : ex;
    if (cause instanceof NoSuchFileException) {
      return "file " + cause.getMessage() + " does not exist";
    }
    if (cause instanceof IOException) {
      return "I/O error: " + oneLine(String.valueOf(cause.getMessage()));
    }
    if (ex instanceof OutOfMemoryError) {
      return "out of memory: give the JVM more heap (e.g. JAVA_OPTS=-Xmx8g) or shrink the problem";
    }
    if (ex instanceof StackOverflowError) {
      return "out of stack: the input is nested too deeply (e.g. graphs inside graphs); flatten it,"
          + " or give the JVM a larger stack (JAVA_OPTS=-Xss16m)";
    }
    return "internal error: " + oneLine(ex.toString())
        + " (a bug in quench; run again with --debug for the stack trace and report it)";
  }

  static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "unknown error";
    }
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** The tool's version: the project version hal records at build time. */
  public static String version() {
    return QuenchVersion.project();
  }

  /** Supplies {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"quench " + version(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }
}
