package org.quench.runtime.model;

import java.util.Locale;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.passes.ProfileBudget;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import picocli.CommandLine.Option;

/**
 * The options every command that compiles a model shares ({@code compile}, {@code verify},
 * {@code demo}): the chip, NIR import settings and the error bounds that turn quantization error
 * into a failure. A picocli mixin: {@code @Mixin ModelOptions model;}.
 */
public final class ModelOptions {
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
      description = "Fail when any neuron's realized time constant is off by more than this"
          + " relative error (e.g. 0.05).")
  Double maxTauError;

  @Option(names = "--max-threshold-error", paramLabel = "REL",
      description = "Fail when any neuron's realized threshold is off by more than this relative error.")
  Double maxThresholdError;

  /** What {@code --chip} says: a built-in spec name or a spec file path. */
  public String chip() {
    return chip;
  }

  /** The chip spec named by {@code --chip}. */
  public ChipSpec spec() {
    return ChipSpec.resolve(chip);
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

  /** Compile options: the error bounds, when given, plus the import settings for provenance. */
  public CompileOptions compileOptions() {
    CompileOptions o = CompileOptions.none().with("chip", chip).with("dt", Double.toString(dt))
        .with("discretize", discretize).with("reset", reset)
        .with("recurrenceDelay", Integer.toString(recurrenceDelay));
    if (maxTauError != null) {
      o = o.with(ProfileBudget.MAX_TAU_ERROR, Double.toString(bound("--max-tau-error", maxTauError)));
    }
    if (maxThresholdError != null) {
      o = o.with(ProfileBudget.MAX_THRESHOLD_ERROR,
          Double.toString(bound("--max-threshold-error", maxThresholdError)));
    }
    return o;
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
