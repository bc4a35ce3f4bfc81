package org.quench.runtime.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipSpec;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Symbol;
import org.quench.runtime.cli.Progress;
import org.quench.runtime.decode.Outputs;
import org.quench.runtime.encode.RateEncoder;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.plot.SpikePlots;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quench demo}: the first thing a newcomer runs. With no arguments and no network access it
 * compiles a model shipped inside the jar for the {@code loihi} spec, runs it on the emulator on
 * seeded Poisson input, prints the compile summary, the agreement with the float reference and the
 * throughput, and writes a spike raster (default {@code ./quench-out/demo-raster.png}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Compile a shipped model, run it on the emulator, report and plot.",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench demo",
        "  quench demo --out /tmp/q --steps 500 --seed 7"})
public final class DemoCommand implements Callable<Integer> {
  /**
   * STAND-IN SWITCH. The demo's model is the braille NIR network (models/braille.nir, 12 inputs,
   * recurrent CubaLIF(38), CubaLIF(7)); compiling it needs the NIR compile entry point and the
   * float reference, which are still being written. Until they are merged this is
   * {@link Model#NETX_STAND_IN}: the golden netx network (models/netx-random.net), already fixed
   * point, so there is no quantization error and no float reference to compare with.
   */
  static final Model MODEL = Model.NETX_STAND_IN;

  /** Which shipped model the demo runs. */
  enum Model { NETX_STAND_IN, BRAILLE }

  static final String MODELS = "/org/quench/runtime/models/";

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "quench-out",
      description = "Directory for the raster plot (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "200",
      description = "Steps to run (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed of the Poisson input (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--device", paramLabel = "URI", defaultValue = Devices.DEFAULT_URI,
      description = "Device to run on (default: ${DEFAULT-VALUE}).")
  String device;

  @Spec
  CommandSpec spec;

  /** A command line for this command alone, with --quiet and --debug (tests, embedding). */
  public static CommandLine standalone() {
    return CommandSupport.standalone(new DemoCommand());
  }

  @Override
  public Integer call() throws Exception {
    return CommandSupport.guarded(spec, this::execute);
  }

  private Integer execute() {
    if (steps < 1) {
      throw new QuenchException("--steps " + steps + ": the demo needs at least 1 step");
    }
    PrintWriter text = spec.commandLine().getOut();
    ChipSpec chip = ChipSpec.loihi();
    Network network = NetxReader.read(resource("netx-random.net"), "netx-random.net",
        NetxReader.Options.defaults());
    text.println("model: " + network.name() + " (netx golden network, stand-in for the braille NIR"
        + " model), " + network.populations().size() + " populations, " + network.neuronCount()
        + " neurons");
    long t0 = System.nanoTime();
    Compiler.Result compiled = Compiler.standard().compile(network, chip);
    long compileNanos = System.nanoTime() - t0;
    printCompileSummary(text, compiled, compileNanos);
    text.println("quantization error: none (netx weights are already fixed point)");
    text.println("float reference: not compared (the stand-in model has no float original)");

    ChipImage image = compiled.image();
    InputSource input = input(image, network);
    Outputs outputs = new Outputs();
    RunSummary summary;
    try (Session session = Session.open(device)) {
      session.load(image);
      List<Probe> probes = new ArrayList<>();
      for (Symbol s : image.getSymbolsList()) {
        Probe p = Probe.of(ProbeKind.SPIKES, s.getPopulation());
        session.probe(p);
        probes.add(p);
      }
      try (Progress bar = Progress.start("demo", steps, CommandSupport.flag(spec, "--quiet"))) {
        session.onProgress(bar::stepTo);
        summary = session.run(steps, input, outputs);
      }
      long neurons = network.neuronCount();
      text.printf(Locale.ROOT, "run: %d steps on %s in %.3f s: %.0f steps/s, %.3g neuron-steps/s"
          + " (%d input spikes, seed %d)%n", summary.steps(), device, summary.nanos() / 1e9,
          summary.stepsPerSecond(), summary.stepsPerSecond() * neurons, summary.inputEvents(), seed);
      summary.spikesPerPort().forEach((port, n) ->
          text.printf("output %s: %d spikes%n", port, n));
      Path png = out.resolve("demo-raster.png");
      SpikePlots.raster(stack(outputs, probes), "spikes of every population ("
          + String.join(", ", names(probes)) + ")", png);
      text.println("raster plot: " + png.toAbsolutePath().normalize());
    }
    text.flush();
    return 0;
  }

  private static void printCompileSummary(PrintWriter text, Compiler.Result compiled, long nanos) {
    CompileReport report = compiled.report();
    int decay = 0;
    int threshold = 0;
    for (CompileReport.CoreUsage c : report.cores()) {
      decay += c.decayProfiles();
      threshold += c.thresholdProfiles();
    }
    text.printf(Locale.ROOT, "compiled for loihi in %.0f ms: %d core(s), %d decay profile(s), "
        + "%d threshold profile(s), %d warning(s)%n", nanos / 1e6, report.cores().size(), decay,
        threshold, report.warnings().size());
  }

  /**
   * Seeded Poisson spikes (rate 0.2 per step) on every channel of the image's input port (12
   * channels for braille). The netx stand-in's input port reaches its input layer with weight 1,
   * far below threshold, so like the golden case it also gets the shipped constant bias of its
   * input layer, which is what makes that network fire.
   */
  private InputSource input(ChipImage image, Network network) {
    SpikeTrains.Builder b = SpikeTrains.builder(steps);
    if (image.getInputsCount() > 0) {
      var port = image.getInputs(0);
      double[][] intensity = new double[steps][port.getWidth()];
      for (double[] row : intensity) {
        java.util.Arrays.fill(row, 1.0);
      }
      SpikeTrains poisson = new RateEncoder(0.2, seed).encode(intensity, port.getName());
      int[][] dense = poisson.dense(port.getName());
      b.port(port.getName(), port.getWidth());
      for (int t = 0; t < steps; t++) {
        for (int c = 0; c < dense[t].length; c++) {
          if (dense[t][c] != 0) {
            b.spike(t, port.getName(), c);
          }
        }
      }
    }
    if (MODEL == Model.NETX_STAND_IN) {
      int[] bias = NpyArray.parse(resource("netx-random-input-bias.npy"),
          "netx-random-input-bias.npy").toInts();
      b.bias(0, network.populations().get(0).name(), bias);
    }
    return b.build();
  }

  /** All probed populations side by side: column offsets follow probe order. */
  private static int[][] stack(Outputs outputs, List<Probe> probes) {
    List<int[][]> parts = new ArrayList<>();
    int width = 0;
    for (Probe p : probes) {
      int[][] t = outputs.trace(p);
      parts.add(t);
      width += t.length == 0 ? 0 : t[0].length;
    }
    int[][] all = new int[outputs.steps()][width];
    int offset = 0;
    for (int[][] t : parts) {
      for (int s = 0; s < t.length; s++) {
        System.arraycopy(t[s], 0, all[s], offset, t[s].length);
      }
      offset += t.length == 0 ? 0 : t[0].length;
    }
    return all;
  }

  private static List<String> names(List<Probe> probes) {
    List<String> names = new ArrayList<>();
    probes.forEach(p -> names.add(p.population()));
    return names;
  }

  static byte[] resource(String name) {
    try (InputStream in = DemoCommand.class.getResourceAsStream(MODELS + name)) {
      if (in == null) {
        throw new QuenchException("the shipped model " + name + " is missing from this build "
            + "(rebuild quench)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new QuenchException("cannot read the shipped model " + name + ": " + e.getMessage(), e);
    }
  }
}
