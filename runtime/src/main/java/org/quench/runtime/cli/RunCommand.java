package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.quench.hal.Devices;
import org.quench.runtime.session.ModelTime;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.runtime.cli.Progress;
import org.quench.runtime.decode.Outputs;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.plot.RunPlots;
import org.quench.runtime.record.Recorder;
import org.quench.runtime.record.RecordingMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import org.quench.runtime.session.InputSource;
import org.quench.runtime.session.RunSink;
import org.quench.runtime.session.RunSummary;
import org.quench.runtime.session.Session;
import org.quench.runtime.verify.Verification;

/**
 * {@code quench run}: loads a compiled image on a device, feeds it an input file, runs, and
 * prints a summary (steps, output spikes per port, steps per second); optionally records probes
 * and plots it (raster, traces, rates). Exit codes: 0 done, 1 failed (one line on stderr), 2 bad arguments.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a compiled chip image on a device (the emulator by default).",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench run model.qimg --steps 500",
        "  quench run model.qimg --input spikes.npy --probe v:hidden --record out/",
        "  quench run model.qimg --input bias:layer0=image.npy --steps 32 --plot raster.png",
        "  quench run model.qimg --input in.npy --probe v:hidden --probe spikes:hidden --plot run.png --plot-kind all",
        "  quench run model.qimg --device emu:loihi?serial=7 --input events.csv --record run.h5",
        "  quench run model.qimg --input spikes.npy --input bias:hidden=bias.npy --steps 300",
        "  quench run model.qimg --input signal.npy --encode rate:0.5 --probe v:hidden[0:10]",
        "",
        "Inputs: .npy (steps, width), .csv (rows = steps, or a step,index[,value] header),",
        ".h5 (a dataset per port, /bias/<population>). TARGET= picks a port or bias:POPULATION."})
public final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IMAGE", description = "Compiled chip image (.qimg or JSON).")
  Path image;

  @Option(names = "--device", paramLabel = "URI", defaultValue = Devices.DEFAULT_URI,
      description = "Device to run on (default: ${DEFAULT-VALUE}).")
  String device;

  @Mixin
  InputOptions input;

  @Option(names = "--steps", paramLabel = "N",
      description = "Steps to run (default: the input's length).")
  Long steps;

  @Option(names = "--probe", paramLabel = "KIND:POPULATION",
      description = "Record u, v or spikes of a population (repeatable), e.g. v:hidden[0:10].")
  List<String> probes = new ArrayList<>();

  @Option(names = "--record", paramLabel = "FILE|DIR",
      description = "Write probes and output spikes: DIR (one .npy each), FILE.csv or FILE.h5.")
  Path record;

  @Option(names = "--plot", paramLabel = "FILE.png",
      description = "Plot the run to a PNG (what: --plot-kind).")
  Path plot;

  @Option(names = "--plot-kind", paramLabel = "KIND", defaultValue = "raster",
      description = "raster (spikes probes and output ports, a colour per population), traces (v/u"
          + " probes), rates (rate histogram per population + rate over time, two panels) or all"
          + " (the four panels in one PNG) (default: ${DEFAULT-VALUE}).")
  String plotKind;

  @Option(names = "--plot-steps", paramLabel = "N", defaultValue = "1000",
      description = "Steps drawn in raster and traces, from the start; rates use the whole run"
          + " (default: ${DEFAULT-VALUE}).")
  int plotSteps;

  @Option(names = "--chunk", paramLabel = "N", defaultValue = "1000",
      description = "Steps per device call; memory grows with it (default: ${DEFAULT-VALUE}).")
  int chunk;

  @Spec
  CommandSpec spec;

  /** A command line for this command alone, with --quiet and --debug (tests, embedding). */
  public static CommandLine standalone() {
    return CommandSupport.standalone(new RunCommand());
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (plot != null && !plot.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new QuenchException("--plot " + plot + ": plots are PNG files; name it FILE.png");
    }
    RunPlots.Kind kind = RunPlots.kind(plotKind);
    if (plotSteps < 1) {
      throw new QuenchException("--plot-steps " + plotSteps + ": draw at least 1 step");
    }
    if (record != null) {
      Recorder.formatOf(record);
    }
    List<Probe> parsed = new ArrayList<>();
    for (String p : probes) {
      parsed.add(Probe.parse(p));
    }
    try (Session session = Session.open(device)) {
      session.load(image);
      SpikeTrains train = input.read(session.image());
      long n = CommandSupport.steps(steps, train);
      String padding = CommandSupport.paddingNote(n, train);
      for (Probe p : parsed) {
        session.probe(p);
      }
      session.chunkSteps(chunk);
      RunSink sink = RunSink.discard();
      Recorder recorder = null;
      if (record != null) {
        recorder = Recorder.to(record).describedBy(
            RecordingMetadata.of(session.image(), session.device().info(), input.describe())).expecting(n);
        sink = recorder;
      }
      Outputs collected = null;
      // An imperfect chip is also compared with the nominal one, so its outputs are kept too.
      boolean imperfect = !session.device().profile().isNominal();
      if (imperfect) {
        collected = new Outputs();
        sink = sink.and(collected);
      }
      RunPlots plots = null;
      if (plot != null) {
        plots = new RunPlots(session.image(), n, ModelTime.dtSeconds(session.image()), plotSteps);
        sink = sink.and(plots);
      }
      RunSummary summary;
      // Each chunk leaves the recording whole on disk; on Ctrl-C (or SIGTERM) close it at the steps
      // completed and say how many it holds; on a device error say so too.
      Recorder kept = recorder;
      Thread interrupted = kept == null ? null : new Thread(() -> System.err.printf(Locale.ROOT,
          "interrupted: %s holds the %d steps completed%n", record, kept.stop()), "quench-run-interrupted");
      if (interrupted != null) {
        Runtime.getRuntime().addShutdownHook(interrupted);
      }
      try (Progress bar = Progress.start("run", n, CommandSupport.quiet(spec))) {
        session.onProgress(bar::stepTo);
        summary = session.run(n, train != null ? train : InputSource.none(), sink);
      } catch (RuntimeException e) {
        // A recording that failed itself has said which file and what each holds, in its error, or
        // in one the run's own error carries (it failed to finish after the device failed).
        if (kept != null && !kept.failed()) {
          spec.commandLine().getErr().printf(Locale.ROOT, "%s holds the %d steps completed before the error%n",
              record, kept.steps());
        }
        for (Throwable also : e.getSuppressed()) {
          spec.commandLine().getErr().println("quench: " + QuenchCli.describe(also));
        }
        throw e;
      } finally {
        if (interrupted != null) {
          try {
            Runtime.getRuntime().removeShutdownHook(interrupted);
          } catch (IllegalStateException shuttingDown) {
            // Already exiting: the hook runs and reports.
          }
        }
      }
      out.printf(Locale.ROOT, "ran %d steps on %s in %.3f s (%.0f steps/s), %d input events%n",
          summary.steps(), Devices.redacted(device), summary.nanos() / 1e9, summary.stepsPerSecond(),
          summary.inputEvents());
      out.println(ModelTime.describe(session.image(), summary.steps()));
      if (padding != null) {
        out.println(padding);
      }
      Map<String, Integer> widths = session.outputPorts();
      for (Map.Entry<String, Long> e : summary.spikesPerPort().entrySet()) {
        out.printf(Locale.ROOT, "output %s: %d spikes over %d neurons%n", e.getKey(), e.getValue(),
            widths.get(e.getKey()));
      }
      if (recorder != null) {
        out.printf("recorded %s to %s (%s)%n", String.join(", ", recorder.series()), record,
            recorder.format().name().toLowerCase(Locale.ROOT).replace('_', ' '));
      }
      if (imperfect) {
        againstNominal(session, train, n, collected, out);
      }
      if (plots != null) {
        out.println("plot: " + plot + " (" + plots.write(kind, plot) + ")");
      }
      out.flush();
    }
    return 0;
  }

  /**
   * Runs the same image and input on an ideal emulated chip of the image's spec and prints how far
   * this chip's outputs are from it: spike totals, the per-neuron count correlation and the argmax.
   */
  private static void againstNominal(Session chip, SpikeTrains train, long steps, Outputs onChip,
      PrintWriter out) {
    String nominalUri = "emu:" + chip.image().getHeader().getSpecName();
    Outputs nominal = new Outputs();
    try (Session ideal = Session.open(nominalUri)) {
      ideal.load(chip.image());
      ideal.run(steps, train != null ? train : InputSource.none(), nominal);
    } catch (QuenchException e) {
      out.println("against the nominal chip: not compared (" + e.getMessage() + ")");
      return;
    }
    out.printf(Locale.ROOT, "against the nominal chip (%s, same image and input; %s):%n", nominalUri,
        chip.device().profile().description());
    for (String port : onChip.ports()) {
      int[] dev = countsPerNeuron(onChip, port);
      int[] ref = countsPerNeuron(nominal, port);
      out.printf(Locale.ROOT, "  output %s: %d vs %d spikes, per-neuron count correlation %s, argmax %d vs %d (%s)%n",
          port, Verification.sum(dev), Verification.sum(ref), correlation(ref, dev),
          Verification.argmax(dev), Verification.argmax(ref),
          Verification.argmax(dev) == Verification.argmax(ref) ? "agrees" : "DIFFERS");
    }
  }

  private static int[] countsPerNeuron(Outputs outputs, String port) {
    int[] counts = new int[outputs.width(port)];
    for (int[] e : outputs.spikeEvents(port)) {
      counts[e[1]]++;
    }
    return counts;
  }

  /** Pearson correlation as text; "n/a" when either side is constant. */
  private static String correlation(int[] x, int[] y) {
    double r = Verification.pearson(x, y);
    return Double.isFinite(r) ? String.format(Locale.ROOT, "%.3f", r) : "n/a";
  }
}
