package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.quench.hal.Devices;
import org.quench.board.proto.RecordedRun;
import org.quench.runtime.cli.CommandSupport;
import org.quench.runtime.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import org.quench.runtime.replay.Replay;
import org.quench.runtime.replay.TraceFile;

/**
 * {@code quench replay}: re-runs a trace's image and stimulus on a device and reports "identical"
 * or the first diverging step, neuron and variable. Exit codes: 0 identical, 1 failed, 2 bad
 * arguments, {@value #EXIT_DIVERGED} diverged.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Re-run a trace from 'quench record' on a device and compare step by step.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:identical over every recorded step",
        "1:error (unreadable trace, device failure)",
        "2:bad command line",
        "3:diverged (the first differing step, neuron and variable are printed)"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench replay board.qtrace                         against the emulator",
        "  quench replay board.qtrace --device grpc://host:7000/chip1"})
public final class ReplayCommand implements Callable<Integer> {
  /** Exit code when the replay differs from the trace. */
  public static final int EXIT_DIVERGED = 3;

  @Parameters(index = "0", paramLabel = "TRACE", description = "Trace written by 'quench record'.")
  Path trace;

  @Option(names = "--device", paramLabel = "URI", defaultValue = Devices.DEFAULT_URI,
      description = "Device to replay on (default: ${DEFAULT-VALUE}).")
  String device;

  @Spec
  CommandSpec spec;

  /** A command line for this command alone (tests, embedding). */
  public static CommandLine standalone() {
    return CommandSupport.standalone(new ReplayCommand());
  }

  @Override
  public Integer call() {
    RecordedRun run = TraceFile.read(trace);
    Replay.Outcome outcome;
    try (Session session = Session.open(device)) {
      outcome = Replay.replay(run, session);
    }
    PrintWriter out = spec.commandLine().getOut();
    String from = run.getDevice().getUri();
    if (outcome.identical()) {
      out.printf("identical over %d steps: %s matches the trace recorded on %s%n", outcome.steps(),
          device, from);
      out.flush();
      return 0;
    }
    out.printf("diverged at %s (recorded on %s, replayed on %s)%n",
        outcome.divergence().describe(), from, device);
    out.flush();
    return EXIT_DIVERGED;
  }
}
