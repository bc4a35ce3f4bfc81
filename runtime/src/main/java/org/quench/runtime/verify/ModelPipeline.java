package org.quench.runtime.verify;

import java.nio.file.Path;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipSpec;

/**
 * The one seam between verification and the compiler: a model file to the network the reference
 * runs (as imported, before any pass) and the result of the standard pipeline
 * ({@link Compiler#forNir}: discretize, profile budget, quantize; fixed-point netx populations
 * pass through untouched) that the device runs.
 */
final class ModelPipeline {
  private ModelPipeline() {}

  /** A model, compiled. */
  record Compiled(Network reference, Compiler.Result result) {}

  static Compiled compile(Path model, ChipSpec spec, NirImportOptions options) {
    Network reference = Frontends.load(model, options);
    Compiler.Result result = Compiler.forNir(options).compile(reference, spec, CompileOptions.none());
    return new Compiled(reference, result);
  }
}
