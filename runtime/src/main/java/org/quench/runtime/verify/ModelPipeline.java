package org.quench.runtime.verify;

import java.nio.file.Path;
import java.util.Locale;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.frontend.nir.NirLowering;
import org.quench.compiler.frontend.nir.NirReader;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Provenance;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * The one seam between verification and the compiler's front ends: a model file to the network
 * the reference runs (before any pass) and the compiled result the device runs.
 */
final class ModelPipeline {
  private ModelPipeline() {}

  /** A model, compiled. */
  record Compiled(Network reference, Compiler.Result result) {}

  static Compiled compile(Path model, ChipSpec spec, NirImportOptions options) {
    Network reference = load(model, options);
    Compiler.Result result = Compiler.standard().compile(reference, spec, CompileOptions.none());
    return new Compiled(reference, result);
  }

  static Network load(Path model, NirImportOptions options) {
    String name = model.getFileName() == null ? model.toString()
        : model.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".net")) {
      return NetxReader.read(model);
    }
    if (name.endsWith(".nir")) {
      return NirLowering.lower(NirReader.read(model), baseName(model), Provenance.none(), options);
    }
    throw new QuenchException("model " + model + " is neither a NIR file (.nir) nor a lava-dl netx"
        + " file (.net): give one of those");
  }

  private static String baseName(Path model) {
    String n = model.getFileName() == null ? "model" : model.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
