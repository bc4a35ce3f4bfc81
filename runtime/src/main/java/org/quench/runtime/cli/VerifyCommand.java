package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.reference.ReferenceRun;
import org.quench.hal.ChipSpec;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.model.ModelCompilation;
import org.quench.runtime.model.ModelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import org.quench.runtime.verify.VerificationReport;
import org.quench.runtime.verify.VerificationInputs;
import org.quench.runtime.verify.Verification;

/**
 * {@code quench verify}: compiles a model, runs it on a device and in the float reference on the
 * same input, and prints how well they agree ({@link VerificationReport}). Poor agreement is a
 * measurement, not a failure: the exit code is 0 whenever the comparison ran, 1 on errors
 * (thrown as {@link QuenchException} for the CLI's one-line error policy).
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
        "Compare the chip with the float reference on the same input, per population.",
        "Compiles MODEL, runs it on a device and in the float reference (double precision, before"
            + " quantization) on the same input, and report per population: spike-count"
            + " correlation, rates, the fraction of steps x neurons that agree, the first"
            + " differing step, and for outputs whether the argmax of spike counts agrees.",
        "Without --input: seeded random spikes on the first input port, at the lowest of"
            + " 10%%, 20%%, 40%%, 80%% per channel and step that makes every output spike in the"
            + " reference (for netx networks without ports: a random constant bias on the input"
            + " layer)."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench verify braille.nir                        random input, emulator",
        "  quench verify braille.nir --input spikes.npy     spikes (steps, width) for the first port",
        "  quench verify model.net --input bias.npy --steps 300 --json"})
public final class VerifyCommand implements Callable<Integer> {
  private static final double[] RATES = {0.1, 0.2, 0.4, 0.8};

  @Parameters(index = "0", paramLabel = "MODEL", description = "A NIR (.nir) or lava-dl netx (.net) file.")
  Path model;

  @Option(names = "--input", paramLabel = "FILE",
      description = ".npy input: (steps, width) spikes for the first input port, or (neurons,)"
          + " bias mantissas for the first population (fixed point, e.g. a netx input layer).")
  Path input;

  @Option(names = "--steps", paramLabel = "N",
      description = "Steps to run (default: the input's rows, or 100).")
  Integer steps;

  @Option(names = "--device", paramLabel = "URI", defaultValue = Devices.DEFAULT_URI,
      description = "Device to run on (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seed of the random input (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Mixin
  ModelOptions modelOptions;

  @Spec
  CommandSpec spec;

  /** How the stimulus was made, for the report. */
  private String inputDescription;

  @Override
  public Integer call() {
    if (steps != null && steps <= 0) {
      throw new QuenchException("--steps " + steps + " must be at least 1");
    }
    NirImportOptions options = modelOptions.nir();
    ChipSpec chipSpec = modelOptions.spec();
    ModelCompilation compiled;
    VerificationReport report;
    // Stages: import, the compiler's stages, then the two runs (reference and chip) as one.
    long[] total = {2};
    try (Progress progress = Progress.start("verify", total[0], CommandSupport.quiet(spec))) {
      progress.note("importing " + model.getFileName());
      compiled = ModelCompilation.compile(model, chipSpec, options, modelOptions.compileOptions(),
          (stage, index, stages) -> {
            if (index == 0) {
              total[0] = stages + 2L;
              progress.resize(total[0]);
            }
            progress.stepTo(index + 1L);
            progress.note(stage);
          });
      progress.stepTo(total[0] - 1);
      progress.note("running reference and " + device);
      Verification verification = new Verification(compiled.reference(), options.dt(),
          options.discretization(), chipSpec);
      Stimulus stimulus = stimulus(compiled.reference(), verification);
      report = verification.run(compiled.result(), device, stimulus)
          .withNote("input: " + inputDescription);
      progress.stepTo(total[0]);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? report.toJson() + System.lineSeparator() : report.summary());
    out.flush();
    return 0;
  }

  private Stimulus stimulus(Network net, Verification verification) {
    int n = steps == null ? 0 : steps;
    if (input != null) {
      inputDescription = "from " + input;
      return VerificationInputs.fromArray(NpyArray.read(input), input.toString(), net, n);
    }
    int run = n > 0 ? n : 100;
    if (net.inputs().isEmpty()) {
      inputDescription = "seeded random constant bias on '" + net.populations().get(0).name()
          + "' (seed " + seed + ")";
      return VerificationInputs.randomBias(net, modelOptions.spec(), run, seed);
    }
    Stimulus chosen = null;
    for (double rate : RATES) {
      inputDescription = String.format(Locale.ROOT, "seeded random spikes on port '%s', %.0f%% per"
          + " channel and step (seed %d)", net.inputs().get(0).name(), 100 * rate, seed);
      chosen = VerificationInputs.poisson(net, run, rate, seed);
      ReferenceRun r = verification.reference().run(chosen);
      boolean active = !net.outputs().isEmpty();
      for (String o : net.outputs()) {
        active &= r.totalSpikes(o) > 0;
      }
      if (active) {
        break;
      }
    }
    return chosen;
  }
}
