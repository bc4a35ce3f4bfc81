package org.quench.runtime.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.quench.compiler.report.CompileOptions;
import org.quench.hal.DeviceProfile;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.passes.ProfileBudget;
import org.quench.compiler.passes.Quantize;
import org.quench.compiler.passes.WeightTargetCores;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import picocli.CommandLine.Option;

/**
 * The options every command that compiles a model shares ({@code compile}, {@code verify},
 * {@code mismatch}): the chip, NIR import settings, netx import settings and the error bounds that
 * turn quantization error into a failure. A picocli mixin: {@code @Mixin ModelOptions model;}.
 */
public final class ModelOptions {
  /** Image header option that records {@code --sample-steps} (netx periodic reset). */
  public static final String SAMPLE_STEPS = "sampleSteps";
  /** Image header option that records {@code --input-message-bits} (netx input payload width). */
  public static final String INPUT_MESSAGE_BITS = "inputMessageBits";

  @Option(names = "--chip", paramLabel = "SPEC", defaultValue = "loihi",
      description = "Chip spec: a built-in name or a spec JSON file (default: ${DEFAULT-VALUE}).")
  String chip = "loihi";

  @Option(names = "--strict",
      description = "Treat every compile warning (a dt not well below the time constants, possible"
          + " overflow, many weights zeroed, clipping) as an error: exit 1 naming it.")
  boolean strict;

  @Option(names = "--dt", paramLabel = "S", defaultValue = "1e-4",
      description = "NIR time step in SECONDS (default: ${DEFAULT-VALUE} = 0.1 ms, as the NIR paper's"
          + " files); must be well below the model's time constants, or compile warns.")
  double dt = NirImportOptions.DEFAULT_DT;

  @Option(names = "--discretize", paramLabel = "exact|euler", defaultValue = "exact",
      description = "NIR discretization: exact exponential, or forward Euler as snnTorch's export"
          + " assumes (default: ${DEFAULT-VALUE}).")
  String discretize = "exact";

  @Option(names = "--reset", paramLabel = "zero|subtract", defaultValue = "zero",
      description = "Reset after a spike for NIR models: to zero (NIR, Lava) or by subtraction"
          + " (default: ${DEFAULT-VALUE}).")
  String reset = "zero";

  @Option(names = "--recurrence-delay", paramLabel = "STEPS", defaultValue = "0",
      description = "Extra delay of recurrent NIR edges in steps (default: ${DEFAULT-VALUE}:"
          + " the chip's natural one-step lag).")
  int recurrenceDelay;

  @Option(names = "--max-tau-error", paramLabel = "REL",
      description = "Precision target for every time constant (relative, e.g. 0.02): similar neurons"
          + " share cores and more cores are used until it is met; fails naming the neurons when the"
          + " cores (--max-cores) or the chip's decay resolution at this --dt cannot meet it.")
  Double maxTauError;

  @Option(names = "--max-threshold-error", paramLabel = "REL",
      description = "Precision target for every threshold (relative), met like --max-tau-error.")
  Double maxThresholdError;

  @Option(names = "--sample-steps", paramLabel = "STEPS",
      description = "lava-dl netx models: zero every layer's state every STEPS steps, layer i at"
          + " offset i - 1, as lava-dl separates samples (usually the file's simulation/tSample;"
          + " default: no periodic reset).")
  Integer sampleSteps;

  @Option(names = "--input-message-bits", paramLabel = "BITS",
      description = "lava-dl netx models: payload width of the host input port, 0 (binary spikes,"
          + " the default) up to the chip's maxMessageBits; graded input carries signed BITS-bit"
          + " payloads.")
  Integer inputMessageBits;

  /** What {@code --chip} says: a built-in spec name or a spec file path. */
  public String chip() {
    return chip;
  }

  @Option(names = "--profile", paramLabel = "FILE.qprof",
      description = "Compensate for this chip's measured deviations (a profile from quench calibrate;"
          + " see docs/variability.md).")
  Path profile;

  /** The device profile of {@code --profile}, or null (no compensation). */
  public DeviceProfile profile() {
    return profile == null ? null : DeviceProfile.read(profile);
  }

  @Option(names = "--max-weight-error", paramLabel = "REL",
      description = "Largest RMS relative weight error per projection, a goal that buys cores: the"
          + " population scale is chosen to meet it (threshold and bias resolution are traded first),"
          + " neurons with similar folded input gains share cores and cores are split by weight size"
          + " (each core's axon group has its own weight exponent) up to --max-cores; fails with the"
          + " error's causes when only the mantissa or clipping limits it, or with the cores it needs.")
  Double maxWeightError;

  @Option(names = "--weight-price", paramLabel = "auto|exact|estimate", defaultValue = "auto",
      description = "Without --max-weight-error, how the summary prices weight targets: exact (the"
          + " cores a compile with each target uses; costs about one more compile), estimate (cheap,"
          + " can be low at tight targets) or auto (exact up to 300,000 synapses; default).")
  String weightPrice;

  @Option(names = "--allow-weight-clipping",
      description = "Let the population scale clip weights when that lowers the total error (default:"
          + " the largest scale at which no weight clips, when one exists).")
  boolean allowWeightClipping;

  @Option(names = "--calibrate-input", paramLabel = "FILE.npy",
      description = "Representative input, shape (steps, width) for the first input port: the float"
          + " reference runs on it and population scales are picked from the observed u and v ranges"
          + " (with the overflow risk reported from the same data).")
  Path calibrateInput;

  @Option(names = "--max-cores", paramLabel = "N",
      description = "Cores a compile may use in all (default: what the network needs; a precision"
          + " target, tau, threshold or weight, may spend up to one chip's cores).")
  Integer maxCores;

  /** The spec {@link #spec()} loaded, and the {@code --chip} it was loaded for. */
  private ChipSpec spec;
  private String specOf;

  /**
   * The chip spec named by {@code --chip}, read once: a command asks for it several times (import
   * options, compile, verification), and a spec file must not be read again each time (nor change
   * under the command between two reads).
   */
  public ChipSpec spec() {
    if (spec == null || !chip.equals(specOf)) {
      spec = ChipSpec.resolve(chip);
      specOf = chip;
    }
    return spec;
  }

  /** NIR import options from {@code --dt}, {@code --discretize}, {@code --reset}. */
  public NirImportOptions nir() {
    if (!(dt > 0) || Double.isInfinite(dt)) {
      throw new QuenchException("--dt must be a positive number of seconds, got " + dt);
    }
    if (recurrenceDelay < 0) {
      throw new QuenchException("--recurrence-delay must be >= 0 steps, got " + recurrenceDelay);
    }
    Discretization.Convention convention = switch (discretize.toLowerCase(Locale.ROOT)) {
      case "exact" -> Discretization.Convention.EXACT;
      case "euler", "forward-euler" -> Discretization.Convention.FORWARD_EULER;
      default -> throw new QuenchException("--discretize must be exact or euler, got '" + discretize + "'");
    };
    NirImportOptions.Reset mode = switch (reset.toLowerCase(Locale.ROOT)) {
      case "zero" -> NirImportOptions.Reset.ZERO;
      case "subtract" -> NirImportOptions.Reset.SUBTRACT;
      default -> throw new QuenchException("--reset must be zero or subtract, got '" + reset + "'");
    };
    return NirImportOptions.defaults().withDt(dt).withDiscretization(convention).withReset(mode)
        .withRecurrenceDelay(recurrenceDelay);
  }

  /**
   * netx import options from {@code --sample-steps} and {@code --input-message-bits}, for the
   * chip of {@code --chip}; a bad value fails naming the option and its range.
   */
  public NetxReader.Options netx() {
    ChipSpec target = spec();
    NetxReader.Options o = NetxReader.Options.defaults().withTarget(target);
    if (sampleSteps != null) {
      if (sampleSteps < 1) {
        throw new QuenchException("--sample-steps must be at least 1 step, got " + sampleSteps);
      }
      o = o.withSampleSteps(sampleSteps);
    }
    if (inputMessageBits != null) {
      ChipSpec.Range bits = target.messageBitsRange();
      if (!bits.contains(inputMessageBits)) {
        throw new QuenchException("--input-message-bits " + inputMessageBits + " is outside " + bits
            + " (0 = binary spikes; maxMessageBits of chip '" + target.name() + "')");
      }
      o = o.withInputMessageBits(inputMessageBits);
    }
    return o;
  }

  /**
   * Refuses the netx-only options for a model of another format: they would be silently
   * ignored, and the run would not be what the command line asked for. Reads {@code model} to
   * learn its format only when one of them was given.
   */
  public void requireFormatOptions(Path model) {
    String given = sampleSteps != null ? "--sample-steps" : inputMessageBits != null
        ? "--input-message-bits" : null;
    if (given == null) {
      return;
    }
    Frontends.Format format = Frontends.detect(model);
    if (format != Frontends.Format.NETX) {
      throw new QuenchException(given + " applies to lava-dl netx models; " + model.getFileName()
          + " is " + format + " (drop the option)");
    }
  }

  /** Compile options: the error bounds, when given, plus the import settings for provenance. */
  public CompileOptions compileOptions() {
    CompileOptions o = CompileOptions.none().with("chip", chip).with("dt", Double.toString(dt))
        .with("discretize", discretize).with("reset", reset)
        .with("recurrenceDelay", Integer.toString(recurrenceDelay));
    if (profile != null) {
      o = o.with("profile", String.valueOf(profile.getFileName()));
    }
    if (sampleSteps != null) {
      o = o.with(SAMPLE_STEPS, Integer.toString(sampleSteps));
    }
    if (inputMessageBits != null) {
      o = o.with(INPUT_MESSAGE_BITS, Integer.toString(inputMessageBits));
    }
    if (maxTauError != null) {
      o = o.with(ProfileBudget.MAX_TAU_ERROR, Double.toString(bound("--max-tau-error", maxTauError)));
    }
    if (maxThresholdError != null) {
      o = o.with(ProfileBudget.MAX_THRESHOLD_ERROR,
          Double.toString(bound("--max-threshold-error", maxThresholdError)));
    }
    if (maxWeightError != null) {
      o = o.with(Quantize.MAX_WEIGHT_ERROR, Double.toString(bound("--max-weight-error", maxWeightError)));
    }
    if (weightPrice != null && !List.of("auto", "exact", "estimate").contains(weightPrice)) {
      throw new QuenchException("--weight-price must be auto, exact or estimate, got '" + weightPrice + "'");
    }
    if (weightPrice != null && !weightPrice.equals("auto")) {
      o = o.with(WeightTargetCores.WEIGHT_PRICE, weightPrice);
    }
    if (allowWeightClipping) {
      o = o.with(Quantize.WEIGHT_CLIPPING, "allow");
    }
    if (calibrateInput != null) {
      o = o.with("calibrateInput", calibrateInput.getFileName().toString());
    }
    if (maxCores != null) {
      if (maxCores < 1) {
        throw new QuenchException("--max-cores must be at least 1, got " + maxCores);
      }
      o = o.with(ProfileBudget.MAX_CORES, Integer.toString(maxCores));
    }
    return o;
  }

  /** The {@code --calibrate-input} file, or null. */
  public Path calibrateInput() {
    return calibrateInput;
  }

  private static double bound(String option, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new QuenchException(option + " must be a non-negative relative error, got " + value);
    }
    return value;
  }

  /** Whether compile warnings fail the command ({@code --strict}). */
  public boolean strict() {
    return strict;
  }
}
