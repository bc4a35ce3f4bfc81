package org.quench.runtime.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.reference.StateRanges;
import org.quench.hal.ChipSpec;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Stimulus;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.verify.VerificationInputs;
import org.quench.hal.QuenchException;

/**
 * A model file taken through the standard pipeline: import (NIR or netx, detected from the
 * content), then {@link Compiler#forNir} (discretize, profile budget, quantize; fixed-point netx
 * populations pass through untouched), partition, place and emit.
 *
 * @param reference the network as imported, before any pass: what the float reference runs
 * @param result the compiled network, mapping, image and report
 */
public record ModelCompilation(Network reference, Compiler.Result result) {
  /** Imports and compiles {@code model} for {@code spec}. */
  public static ModelCompilation compile(Path model, ChipSpec spec, NirImportOptions nir,
      CompileOptions options) {
    return compile(model, spec, nir, options, (Path) null, (stage, index, stages) -> { });
  }

  /**
   * As above, telling {@code listener} as each compiler stage starts (for progress bars); with a
   * {@code calibrateInput} (.npy spikes for the first input port, or null) the float reference runs
   * on it first and the population scales come from the observed state ranges.
   */
  public static ModelCompilation compile(Path model, ChipSpec spec, NirImportOptions nir,
      CompileOptions options, Path calibrateInput, Compiler.StageListener listener) {
    return compile(model, spec, nir, options, calibrateInput, null, listener);
  }

  /**
   * The whole pipeline: {@code calibrateInput} as above (or null), and compensation for
   * {@code profile}'s deviations (null: none; docs/variability.md); netx files are read with
   * netx's defaults for {@code spec}.
   */
  public static ModelCompilation compile(Path model, ChipSpec spec, NirImportOptions nir,
      CompileOptions options, Path calibrateInput, DeviceProfile profile, Compiler.StageListener listener) {
    return compile(model, spec, nir, NetxReader.Options.defaults(), options, calibrateInput, profile,
        listener);
  }

  /**
   * As above, reading a netx file with {@code netx} (periodic reset, input payload width; its
   * target becomes {@code spec}, which netx requires to compute as Loihi does).
   */
  public static ModelCompilation compile(Path model, ChipSpec spec, NirImportOptions nir,
      NetxReader.Options netx, CompileOptions options, Path calibrateInput, DeviceProfile profile,
      Compiler.StageListener listener) {
    checkModelFile(model);
    Network reference = Frontends.load(model, nir, netx.withTarget(spec));
    StateRanges ranges = null;
    if (calibrateInput != null) {
      if (!Files.isRegularFile(calibrateInput)) {
        throw new QuenchException("--calibrate-input " + calibrateInput + " is not a file: give a .npy"
            + " array of shape (steps, width) for the model's first input port");
      }
      Stimulus stimulus = VerificationInputs.fromArray(NpyArray.read(calibrateInput),
          calibrateInput.toString(), reference, 0);
      ranges = StateRanges.observe(reference, nir.dt(), nir.discretization(), stimulus);
    }
    return new ModelCompilation(reference, Compiler.forNir(nir, ranges).compensatingFor(profile)
        .compile(reference, spec, options, listener));
  }

  /** Imports and compiles with the options a command line gave. */
  public static ModelCompilation compile(Path model, ModelOptions options, Compiler.StageListener listener) {
    checkModelFile(model);
    options.requireFormatOptions(model);
    ModelCompilation done = compile(model, options.spec(), options.nir(), options.netx(),
        options.compileOptions(), options.calibrateInput(), options.profile(), listener);
    List<String> warnings = done.result().report().warnings();
    if (options.strict() && !warnings.isEmpty()) {
      throw new QuenchException("--strict: " + model.getFileName() + " compiled with "
          + warnings.size() + " warning(s); the first: " + warnings.get(0));
    }
    return done;
  }

  /**
   * Imports and compiles {@code model}, compensating for {@code profile}'s deviations (null: none;
   * docs/variability.md).
   */
  public static ModelCompilation compile(Path model, ChipSpec spec, NirImportOptions nir,
      CompileOptions options, DeviceProfile profile, Compiler.StageListener listener) {
    return compile(model, spec, nir, options, null, profile, listener);
  }

  private static void checkModelFile(Path model) {
    if (!Files.exists(model)) {
      throw new QuenchException("model file " + model + " does not exist: give a NIR (.nir) or lava-dl"
          + " netx (.net) file");
    }
    if (Files.isDirectory(model)) {
      throw new QuenchException(model + " is a directory, not a model file");
    }
  }
}
