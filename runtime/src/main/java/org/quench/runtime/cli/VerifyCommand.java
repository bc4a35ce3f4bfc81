package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.reference.ReferenceRun;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.model.ModelCompilation;
import org.quench.runtime.model.ModelOptions;
import org.quench.runtime.record.RecordingMetadata;
import org.quench.runtime.session.ModelTime;
import org.quench.runtime.verify.Verification;
import org.quench.runtime.verify.VerificationGate;
import org.quench.runtime.verify.VerificationInputs;
import org.quench.runtime.verify.VerificationPlot;
import org.quench.runtime.verify.VerificationRecording;
import org.quench.runtime.verify.VerificationReport;
import org.quench.runtime.verify.VerificationRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quench verify}: runs a model (compiled here) or a compiled image (with the model it came
 * from) on a device and in the float reference on the same input, prints how well they agree
 * ({@link VerificationReport}), and, as a CI gate, fails when the agreement is below the bounds
 * given ({@link VerificationGate}). Exit codes: 0 compared (and every bound met), 3 a bound not
 * met (one line on stderr per bound), 1 an error, 2 a malformed command line.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
        "Compare the chip with the float reference on the same input, per population; with bounds,"
            + " a CI gate.",
        "Runs MODEL (compiled here) or IMAGE (a .qimg, with --model naming the model it was compiled"
            + " from) on a device and the float reference (double precision, before quantization)"
            + " on the same input, and reports per population: spike-count correlation, rates, the"
            + " fraction of steps x neurons that agree (also within +-K steps with --tolerance), the"
            + " first differing step, and for outputs whether the argmax of spike counts agrees."
            + " --min-agreement, --min-correlation and --require-argmax judge the outputs: exit 3"
            + " when one is not met.",
        "Without --input: seeded random spikes on the first input port, at the lowest of"
            + " 10%%, 20%%, 40%%, 80%% per channel and step that makes every output spike in the"
            + " reference (for netx networks without ports: a random constant bias on the input"
            + " layer)."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench verify braille.nir                                   random input, emulator",
        "  quench verify braille.qimg --model braille.nir --input spikes.npy --min-agreement 95%%",
        "  quench verify m.qimg --model m.nir --input in.npy --tolerance 1 --require-argmax",
        "  quench verify m.nir --input signal.npy --encode rate:0.5 --plot v.png --record both.h5",
        "  quench verify m.nir --input spikes.npy --input bias:hidden=bias.npy --json",
        "  quench verify model.net --input bias.npy --steps 300",
        "",
        "Inputs as for quench run: .npy, .csv, .h5, events; TARGET= picks a port or bias:POPULATION.",
        "Exit codes: 0 compared and every bound met, 3 a bound not met, 1 error, 2 bad arguments."})
public final class VerifyCommand implements Callable<Integer> {
  /** Exit code when the comparison ran but a bound was not met. */
  public static final int EXIT_NOT_MET = 3;
  private static final double[] RATES = {0.1, 0.2, 0.4, 0.8};

  @Parameters(index = "0", paramLabel = "MODEL|IMAGE",
      description = "A NIR (.nir) or netx (.net) model, or a compiled image (.qimg, image .json).")
  Path target;

  @Option(names = "--model", paramLabel = "MODEL",
      description = "With an IMAGE: the model it was compiled from (the float reference runs it).")
  Path model;

  @Mixin
  InputOptions input;

  @Option(names = "--steps", paramLabel = "N",
      description = "Steps to run (default: the input's length, or 100); past the input's end the"
          + " run continues without input, and says so.")
  Integer steps;

  @Option(names = "--device", paramLabel = "URI", defaultValue = Devices.DEFAULT_URI,
      description = "Device to run on (default: ${DEFAULT-VALUE}).")
  String device;


  @Option(names = "--min-agreement", paramLabel = "FRACTION",
      description = "Fail (exit 3) when an output's agreement is below this (0.95 or 95%%).")
  String minAgreement;

  @Option(names = "--min-correlation", paramLabel = "R",
      description = "Fail (exit 3) when an output's spike-count correlation is below R.")
  Double minCorrelation;

  @Option(names = "--require-argmax",
      description = "Fail (exit 3) when the argmax of an output's spike counts differs.")
  boolean requireArgmax;

  @Option(names = "--tolerance", paramLabel = "K", defaultValue = "0",
      description = "A spike within K steps of the other side's agrees (default: ${DEFAULT-VALUE});"
          + " --min-agreement then judges this agreement.")
  int tolerance;

  @Option(names = "--record", paramLabel = "FILE.h5",
      description = "Write both sides' spikes and v (reference in model units, device in chip units"
          + " with scale and v_offset) to one HDF5 file.")
  Path record;

  @Option(names = "--plot", paramLabel = "FILE.png",
      description = "Overlay reference and device: rate per neuron, the two rasters, v of a few"
          + " neurons; time in ms.")
  Path plot;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Mixin
  ModelOptions modelOptions;

  @Spec
  CommandSpec spec;

  /** How the stimulus was made, for the report. */
  private String inputDescription;
  private final List<String> inputNotes = new ArrayList<>();

  @Override
  public Integer call() {
    if (steps != null && steps <= 0) {
      throw new QuenchException("--steps " + steps + " must be at least 1");
    }
    VerificationGate gate = new VerificationGate(
        minAgreement == null ? Double.NaN : VerificationGate.fraction(minAgreement, "--min-agreement"),
        minCorrelation == null ? Double.NaN : minCorrelation, requireArgmax);
    if (plot != null && !plot.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new QuenchException("--plot " + plot + ": plots are PNG files; name it FILE.png");
    }
    if (record != null && !record.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(h5|hdf5)")) {
      throw new QuenchException("--record " + record + ": verify records both sides to one HDF5 file;"
          + " name it FILE.h5");
    }
    ChipImage image = null;
    Network reference = null;
    NirImportOptions options;
    ChipSpec chipSpec;
    if (isImage(target)) {
      image = ChipImages.read(target);
      if (model == null) {
        throw new QuenchException("verify " + target + ": an image needs the model it was compiled from"
            + " for the float reference: add --model MODEL (e.g. " + orDash(image.getHeader().getSourceModel()) + ")");
      }
      options = importOptionsOf(image);
      chipSpec = specOf(image);
      reference = Frontends.load(model, options, netxOptionsOf(image, chipSpec));
      String expected = image.getHeader().getSourceModelHash();
      String given = reference.provenance().sha256();
      if (!expected.isEmpty() && given != null && !given.isEmpty() && !expected.equals(given)) {
        throw new QuenchException("--model " + model + " is not the model " + target + " was compiled"
            + " from: the image names " + orDash(image.getHeader().getSourceModel()) + " with sha256 "
            + expected + ", this file has " + given);
      }
    } else {
      if (model != null) {
        throw new QuenchException("--model is for verifying an image; " + target + " is a model:"
            + " drop --model, or give the compiled .qimg first");
      }
      options = modelOptions.nir();
      chipSpec = modelOptions.spec();
    }
    VerificationRun run;
    ChipImage nominalImage = null;
    // Stages: import, the compiler's stages (when compiling here), then the two runs as one.
    long[] total = {2};
    try (Progress progress = Progress.start("verify", total[0], CommandSupport.quiet(spec))) {
      if (reference == null) {
        progress.note("importing " + target.getFileName());
        ModelCompilation compiled = ModelCompilation.compile(target, modelOptions, (stage, index, stages) -> {
          if (index == 0) {
            total[0] = stages + 2L;
            progress.resize(total[0]);
          }
          progress.stepTo(index + 1L);
          progress.note(stage);
        });
        image = compiled.result().image();
        reference = compiled.reference();
        if (modelOptions.profile() != null) {
          // The device runs the image compensated for its profile; the ideal chip the plain one.
          nominalImage = ModelCompilation.compile(target, chipSpec, options, modelOptions.netx(),
              modelOptions.compileOptions(), modelOptions.calibrateInput(), null,
              (stage, index, stages) -> { }).result().image();
        }
        for (String w : compiled.result().report().warnings()) {
          inputNotes.add("compile warning: " + w);
        }
      }
      progress.stepTo(total[0] - 1);
      progress.note("running reference and " + Devices.redacted(device));
      Verification verification = new Verification(reference, options.dt(), options.discretization(), chipSpec);
      Stimulus stimulus = stimulus(reference, verification, image);
      run = verification.run(image, device, stimulus, tolerance,
          nominalImage == null ? image : nominalImage);
      progress.stepTo(total[0]);
    }
    VerificationReport report = run.report().withNote("input: " + inputDescription);
    for (String note : inputNotes) {
      report = report.withNote(note);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? report.toJson() + System.lineSeparator() : report.summary());
    if (record != null) {
      VerificationRecording.write(run, RecordingMetadata.of(image, run.deviceInfo(), inputDescription), record);
      if (!json) {
        out.println("recorded reference and device to " + record);
      }
    }
    if (plot != null) {
      VerificationPlot.write(run, plot);
      if (!json) {
        out.println("plot: " + plot);
      }
    }
    out.flush();
    List<String> failed = gate.failures(report);
    if (!failed.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      for (String f : failed) {
        err.println("quench: verify: " + f);
      }
      err.flush();
      return EXIT_NOT_MET;
    }
    if (gate.any() && !json) {
      out.println("verify: every bound met");
      out.flush();
    }
    return 0;
  }

  private static String orDash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  /** A compiled image rather than a model: by extension (.qimg, .json). */
  private static boolean isImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".qimg") || name.endsWith(".json");
  }

  /** The import settings the image was compiled with (its header options), as the reference needs. */
  private NirImportOptions importOptionsOf(ChipImage image) {
    var o = image.getHeader().getOptionsMap();
    double dt = ModelTime.dtSeconds(image);
    NirImportOptions nir = modelOptions.nir();
    if (!Double.isNaN(dt)) {
      nir = nir.withDt(dt);
    }
    if (o.containsKey("discretize")) {
      nir = nir.withDiscretization(o.get("discretize").toLowerCase(Locale.ROOT).startsWith("euler")
          ? Discretization.Convention.FORWARD_EULER : Discretization.Convention.EXACT);
    }
    if (o.containsKey("reset")) {
      nir = nir.withReset(o.get("reset").toLowerCase(Locale.ROOT).startsWith("subtract")
          ? NirImportOptions.Reset.SUBTRACT : NirImportOptions.Reset.ZERO);
    }
    if (o.containsKey("recurrenceDelay")) {
      try {
        nir = nir.withRecurrenceDelay(Integer.parseInt(o.get("recurrenceDelay")));
      } catch (NumberFormatException e) {
        throw new QuenchException(target + ": header option recurrenceDelay '" + o.get("recurrenceDelay")
            + "' is not a whole number of steps");
      }
    }
    return nir;
  }

  /**
   * The netx import settings the image was compiled with (header options {@code sampleSteps},
   * {@code inputMessageBits}, written by {@code compile --sample-steps / --input-message-bits}):
   * the reference must reset and take payloads as the chip does.
   */
  private NetxReader.Options netxOptionsOf(ChipImage image, ChipSpec chip) {
    var o = image.getHeader().getOptionsMap();
    NetxReader.Options netx = NetxReader.Options.defaults().withTarget(chip);
    try {
      if (o.containsKey(ModelOptions.SAMPLE_STEPS)) {
        netx = netx.withSampleSteps(Integer.parseInt(o.get(ModelOptions.SAMPLE_STEPS)));
      }
      if (o.containsKey(ModelOptions.INPUT_MESSAGE_BITS)) {
        netx = netx.withInputMessageBits(Integer.parseInt(o.get(ModelOptions.INPUT_MESSAGE_BITS)));
      }
    } catch (NumberFormatException e) {
      throw new QuenchException(target + ": header option " + ModelOptions.SAMPLE_STEPS + " or "
          + ModelOptions.INPUT_MESSAGE_BITS + " is not a whole number (" + o.get(ModelOptions.SAMPLE_STEPS)
          + ", " + o.get(ModelOptions.INPUT_MESSAGE_BITS) + ")");
    }
    return netx;
  }

  private ChipSpec specOf(ChipImage image) {
    try {
      return ChipSpec.resolve(image.getHeader().getSpecName());
    } catch (QuenchException e) {
      return modelOptions.spec();
    }
  }

  private Stimulus stimulus(Network net, Verification verification, ChipImage image) {
    int n = steps == null ? 0 : steps;
    long seed = input.seed;
    if (!input.files.isEmpty()) {
      inputDescription = input.describe();
      String only = input.files.get(0);
      if (input.files.size() == 1 && input.encode == null && !only.contains("=")
          && only.toLowerCase(Locale.ROOT).endsWith(".npy")) {
        NpyArray array = NpyArray.read(Path.of(only));
        if (array.shape().length == 1) {
          // A (neurons,) vector is a constant bias for the first population (how netx takes images).
          return VerificationInputs.fromArray(array, only, net, n);
        }
      }
      SpikeTrains train = input.read(image);
      long length = train.length();
      int run = n > 0 ? n : (int) length;
      if (run > length) {
        inputNotes.add("the input has " + length + " steps; steps " + length + ".." + (run - 1)
            + " run without input");
      }
      return train.chunk(0, run);
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
