package org.quench.runtime.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipSpec;
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
    return compile(model, spec, nir, options, (stage, index, stages) -> { });
  }

  /** As above, telling {@code listener} as each compiler stage starts (for progress bars). */
  public static ModelCompilation compile(Path model, ChipSpec spec, NirImportOptions nir,
      CompileOptions options, Compiler.StageListener listener) {
    if (!Files.exists(model)) {
      throw new QuenchException("model file " + model + " does not exist: give a NIR (.nir) or lava-dl"
          + " netx (.net) file");
    }
    if (Files.isDirectory(model)) {
      throw new QuenchException(model + " is a directory, not a model file");
    }
    Network reference = Frontends.load(model, nir);
    return new ModelCompilation(reference, Compiler.forNir(nir).compile(reference, spec, options, listener));
  }

  /** Imports and compiles with the options a command line gave. */
  public static ModelCompilation compile(Path model, ModelOptions options, Compiler.StageListener listener) {
    ModelCompilation done = compile(model, options.spec(), options.nir(), options.compileOptions(), listener);
    List<String> warnings = done.result().report().warnings();
    if (options.strict() && !warnings.isEmpty()) {
      throw new QuenchException("--strict: " + model.getFileName() + " compiled with "
          + warnings.size() + " warning(s); the first: " + warnings.get(0));
    }
    return done;
  }
}
