package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.board.proto.RecordedRun;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.cli.CommandSupport;
import org.quench.runtime.session.InputSource;
import org.quench.runtime.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import org.quench.runtime.replay.Recording;
import org.quench.runtime.replay.TraceFile;

/**
 * {@code quench record}: runs an image on a device from load and writes a self-contained trace
 * ({@link TraceFile}) for {@code quench replay}. Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
@Command(name = "record", mixinStandardHelpOptions = true,
    description = "Run an image on a device and save image, device, stimulus, outputs and probes "
        + "to a trace for 'quench replay'.",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench record model.qimg --device grpc://board:7000/chip0 --input in.npy \\",
        "      --probe v:hidden --probe spikes:out -o board.qtrace",
        "  quench replay board.qtrace                  (compare with the emulator)",
        "",
        "The trace holds every probed value of every step: steps x probed neurons x 4 bytes."})
public final class RecordCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IMAGE", description = "Compiled chip image (.qimg or JSON).")
  Path image;

  @Option(names = "--device", paramLabel = "URI", defaultValue = Devices.DEFAULT_URI,
      description = "Device to record (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--input", paramLabel = "[TARGET=]FILE",
      description = "Input spikes, payloads or biases (.npy, .csv, .h5), as for 'quench run'.")
  String input;

  @Option(names = "--steps", paramLabel = "N", description = "Steps (default: the input's length).")
  Long steps;

  @Option(names = "--probe", paramLabel = "KIND:POPULATION",
      description = "Record u, v or spikes of a population (repeatable), e.g. v:hidden[0:10].")
  List<String> probes = new ArrayList<>();

  @Option(names = "--chunk", paramLabel = "N", defaultValue = "1000",
      description = "Steps per device call (default: ${DEFAULT-VALUE}).")
  int chunk;

  @Option(names = {"-o", "--output"}, paramLabel = "TRACE", required = true,
      description = "Trace file to write (e.g. run.qtrace).")
  Path output;

  @Spec
  CommandSpec spec;

  /** A command line for this command alone (tests, embedding). */
  public static CommandLine standalone() {
    return CommandSupport.standalone(new RecordCommand());
  }

  @Override
  public Integer call() {
    List<Probe> parsed = new ArrayList<>();
    for (String p : probes) {
      parsed.add(Probe.parse(p));
    }
    RecordedRun run;
    try (Session session = Session.open(device)) {
      session.load(image);
      session.chunkSteps(chunk);
      SpikeTrains train = CommandSupport.input(input, session.image());
      long n = CommandSupport.steps(steps, train);
      run = Recording.record(session, train != null ? train : InputSource.none(), n, parsed);
    }
    TraceFile.write(run, output);
    PrintWriter out = spec.commandLine().getOut();
    long spikes = run.getOutputsList().stream().mapToLong(o -> o.getStepsCount()).sum();
    long events = run.getInputsList().stream().mapToLong(o -> o.getStepsCount()).sum();
    out.printf("recorded %d steps on %s: %d input events, %d bias changes, %d output spikes, "
        + "%d probes -> %s%n", run.getSteps(), device, events, run.getBiasChangesCount(), spikes,
        run.getProbesCount(), output);
    out.flush();
    return 0;
  }
}
