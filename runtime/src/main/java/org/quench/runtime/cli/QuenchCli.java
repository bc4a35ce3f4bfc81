package org.quench.runtime.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Properties;
import org.quench.hal.QuenchException;
import org.quench.runtime.board.DevicesCommand;
import org.quench.runtime.board.LavaCommand;
import org.quench.runtime.board.ServeCommand;
import org.quench.runtime.replay.RecordCommand;
import org.quench.runtime.replay.ReplayCommand;
import org.quench.runtime.session.DemoCommand;
import org.quench.runtime.session.RunCommand;
import org.quench.runtime.verify.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code quench} command line: the top-level command, its global options and the error policy
 * every subcommand shares.
 *
 * <p>A subcommand is one class annotated with {@code @Command} (see {@link InspectCommand}); list
 * it in {@code subcommands} below. Error policy: a {@link QuenchException}, a bad command line or a
 * missing file prints one line {@code quench: <message>} on stderr, never a stack trace unless
 * {@code --debug} is given. Exit codes: 0 success, 1 failure, 2 usage error.
 */
@Command(
    name = "quench",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = "Deploy heterogeneous spiking networks onto fixed-point neuromorphic chips.",
    subcommands = {DemoCommand.class, CompileCommand.class, InspectCommand.class, RunCommand.class,
        VerifyCommand.class, RecordCommand.class, ReplayCommand.class, ServeCommand.class,
        DevicesCommand.class, LavaCommand.class, BenchCommand.class, FuzzCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench demo                       the shipped braille model, end to end",
        "  quench compile m.nir -o m.qimg    compile a NIR or netx model (loihi chip)",
        "  quench inspect m.qimg             explain a chip image",
        "  quench run m.qimg --plot r.png    run on the emulator, plot a raster",
        "  quench verify m.nir               chip vs float reference",
        "  quench serve --port 7000          host emulated chips for remote clients",
        "  quench COMMAND --help             options and examples of one command"})
public final class QuenchCli implements Runnable {
  /** Exit code of a failed command (bad input, device error). */
  public static final int EXIT_FAILURE = 1;
  /** Exit code of a malformed command line. */
  public static final int EXIT_USAGE = 2;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "On errors, print the full stack trace too.")
  boolean debug;

  @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
      description = "No progress bars (they are also off when stdout is not a terminal).")
  boolean quiet;

  @Spec
  CommandSpec spec;

  /** Whether progress bars are suppressed by the user. */
  boolean quiet() {
    return quiet;
  }

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
    QuenchCli top = new QuenchCli();
    CommandLine cli = new CommandLine(top);
    PrintWriter outWriter = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
    cli.setOut(outWriter);
    cli.setErr(errWriter);
    // --debug may sit anywhere, even on a command line that does not parse.
    boolean debugAsked = Arrays.asList(args).contains("--debug");
    cli.setParameterExceptionHandler((ex, rawArgs) -> {
      CommandLine where = ex.getCommandLine();
      String help = where.getCommandSpec().qualifiedName() + " --help";
      String message = oneLine(ex.getMessage());
      if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && where == cli
          && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
        message = "unknown command '" + unmatched.getUnmatched().get(0) + "'; commands: "
            + String.join(", ", cli.getSubcommands().keySet());
      }
      errWriter.println("quench: " + message
          + (message.contains("--help") ? "" : " (see '" + help + "')"));
      if (debugAsked) {
        ex.printStackTrace(errWriter);
      }
      return EXIT_USAGE;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      errWriter.println("quench: " + describe(ex));
      if (top.debug || debugAsked) {
        ex.printStackTrace(errWriter);
      }
      return EXIT_FAILURE;
    });
    int code = cli.execute(args);
    outWriter.flush();
    errWriter.flush();
    return code;
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
    return "internal error: " + oneLine(ex.toString())
        + " (a bug in quench; run again with --debug for the stack trace and report it)";
  }

  static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "unknown error";
    }
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** The tool's version, from the properties Maven filters at build time. */
  public static String version() {
    try (InputStream in = QuenchCli.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
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
