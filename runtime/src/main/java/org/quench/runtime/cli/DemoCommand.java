package org.quench.runtime.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Symbol;
import org.quench.runtime.cli.Progress;
import org.quench.runtime.model.ModelCompilation;
import org.quench.runtime.decode.Outputs;
import org.quench.runtime.encode.RateEncoder;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.plot.SpikePlots;
import org.quench.runtime.verify.Verification;
import org.quench.runtime.verify.VerificationReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.quench.runtime.session.RunSummary;
import org.quench.runtime.session.Session;

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
   * MODEL SWITCH. The demo's model is the braille NIR network (models/braille.nir, snnTorch: 12
   * inputs, recurrent CubaLIF(38), CubaLIF(7)), compiled with Compiler.forNir and verified against
   * the float reference. {@link Model#NETX_STAND_IN} (the golden netx network,
   * models/netx-random.net, already fixed point: no quantization error, no float original) was the
   * stand-in while the NIR compile entry and verification were being written; it stays as a
   * fallback that needs neither.
   */
  static final Model MODEL = Model.BRAILLE;

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

  /** What each number of the agreement table means, one line each, printed under it. */
  static final String HOW_TO_READ = String.join(System.lineSeparator(),
      "how to read it:",
      "  ref rate / dev rate  spikes per neuron per step, float reference vs chip: similar rates mean similar activity",
      "  rate diff            chip minus reference rate",
      "  corr                 correlation of per-neuron spike counts: near 1, the same neurons fire the most",
      "  agree                share of (step, neuron) cells where both spike or both stay silent; quantized",
      "                       weights and decays move single spikes by a step, so it sits below 100 % even",
      "                       when the network computes the same thing: not a failure, judge by corr and argmax",
      "  first difference     the first step and neuron where the two differ",
      "  argmax               the output neuron that fired most (the network's answer) on each side",
      "  quantization alone   the same against the discretized model in double precision: what integer",
      "                       arithmetic changed, apart from discretization",
      "");

  /** A compiled model with what the demo needs to run and check it. */
  private record Prepared(Network network, Compiler.Result compiled, Verification verification,
      long compileNanos) {}

  @Override
  public Integer call() {
    if (steps < 1) {
      throw new QuenchException("--steps " + steps + ": the demo needs at least 1 step");
    }
    PrintWriter text = spec.commandLine().getOut();
    ChipSpec chip = ChipSpec.loihi();
    Prepared model = MODEL == Model.BRAILLE ? braille(text, chip) : netxStandIn(text, chip);
    printCompileSummary(text, model.compiled(), model.compileNanos());
    text.println(model.compiled().report().dtLine());
    ChipImage image = model.compiled().image();
    SpikeTrains input = input(image, model.network());
    if (model.verification() == null) {
      text.println("float reference: not compared (the stand-in model has no float original)");
    } else {
      VerificationReport agreement = model.verification().run(model.compiled(), device,
          input.chunk(0, steps));
      text.print(agreement.summary().replace("Verification against the float reference",
          "float reference agreement"));
      text.print(HOW_TO_READ);
    }
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
      try (Progress bar = Progress.start("demo", steps, CommandSupport.quiet(spec))) {
        session.onProgress(bar::stepTo);
        summary = session.run(steps, input, outputs);
      }
      long neurons = model.network().neuronCount();
      text.printf(Locale.ROOT, "run: %d steps on %s in %.3f s: %.0f steps/s, %.3g neuron-steps/s"
          + " (%d input spikes, seed %d)%n", summary.steps(), device, summary.nanos() / 1e9,
          summary.stepsPerSecond(), summary.stepsPerSecond() * neurons, summary.inputEvents(), seed);
      summary.spikesPerPort().forEach((port, n) ->
          text.printf("output %s: %d spikes%n", port, n));
      Path png = out.resolve("demo-raster.png");
      Map<String, int[][]> perPopulation = new LinkedHashMap<>();
      for (Probe p : probes) {
        perPopulation.put(p.population(), outputs.trace(p));
      }
      SpikePlots.populationRaster(perPopulation, "spikes of every population, on the chip ("
          + String.join(", ", names(probes)) + ")", png);
      text.println("raster plot: " + png.toAbsolutePath().normalize());
    }
    text.flush();
    return 0;
  }

  /** The braille NIR model: imported (the float reference), compiled with the NIR pipeline. */
  private static Prepared braille(PrintWriter text, ChipSpec chip) {
    // snnTorch integrates with forward Euler; the reference and the compiler must agree on it.
    NirImportOptions options = NirImportOptions.defaults()
        .withDiscretization(Discretization.Convention.FORWARD_EULER);
    Path file = null;
    try {
      // The NIR reader reads files; the model ships inside the jar.
      file = Files.createTempFile("quench-demo-braille", ".nir");
      Files.write(file, resource("braille.nir"));
      long t0 = System.nanoTime();
      // The header keeps dt and the convention, so recordings and reports of the image state them.
      ModelCompilation compilation = ModelCompilation.compile(file, chip, options, CompileOptions.none()
          .with("dt", Double.toString(options.dt())).with("discretize", "euler"));
      long nanos = System.nanoTime() - t0;
      Network reference = compilation.reference();
      Compiler.Result compiled = compilation.result();
      text.println("model: braille.nir (NIR from snnTorch: 12 inputs, recurrent CubaLIF 38, "
          + "CubaLIF 7), " + reference.populations().size() + " populations, "
          + reference.neuronCount() + " neurons");
      return new Prepared(compiled.network(), compiled,
          new Verification(reference, options.dt(), options.discretization(), chip), nanos);
    } catch (IOException e) {
      throw new QuenchException("cannot unpack the shipped braille model to a temporary file: "
          + e.getMessage(), e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // A leftover temporary copy of a shipped model is harmless.
        }
      }
    }
  }

  /** The netx golden network (fixed point already): no reference to compare with. */
  private static Prepared netxStandIn(PrintWriter text, ChipSpec chip) {
    Network network = NetxReader.read(resource("netx-random.net"), "netx-random.net",
        NetxReader.Options.defaults());
    text.println("model: " + network.name() + " (netx golden network, stand-in for the braille NIR"
        + " model), " + network.populations().size() + " populations, " + network.neuronCount()
        + " neurons");
    long t0 = System.nanoTime();
    Compiler.Result compiled = Compiler.standard().compile(network, chip);
    return new Prepared(network, compiled, null, System.nanoTime() - t0);
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
    if (report.projections().isEmpty() && report.populations().isEmpty()) {
      text.println("quantization error: none (the model's weights are already fixed point)");
      return;
    }
    double weights = 0;
    for (CompileReport.ProjectionQuality q : report.projections()) {
      weights = Math.max(weights, q.rmsRelError());
    }
    double tau = 0;
    double thresholds = 0;
    for (CompileReport.PopulationQuality p : report.populations()) {
      tau = Math.max(tau, Math.max(p.tauSyn().max(), p.tauMem().max()));
      thresholds = Math.max(thresholds, p.threshold().max());
    }
    text.printf(Locale.ROOT, "quantization error: weights %.2g (worst RMS relative), time constants"
        + " %.2g, thresholds %.2g (max relative)%n", weights, tau, thresholds);
  }

  /**
   * Seeded Poisson spikes (rate 0.2 per step) on every channel of the image's input port (12
   * channels for braille). The netx stand-in's input port reaches its input layer with weight 1,
   * far below threshold, so like the golden case it also gets the shipped constant bias of its
   * input layer, which is what makes that network fire.
   */
  private SpikeTrains input(ChipImage image, Network network) {
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
