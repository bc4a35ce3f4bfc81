package org.quench.runtime.campaign;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.model.ModelCompilation;

/** The shipped braille model and its sample input, as files a campaign test can use. */
final class CampaignFixture {
  private CampaignFixture() {}

  /** Copies the braille NIR model and the sample input into {@code dir}. */
  static Path braille(Path dir) {
    return copy("/org/quench/runtime/models/braille.nir", dir.resolve("braille.nir"));
  }

  static Path brailleInput(Path dir) {
    return copy("/campaign/braille-input.npy", dir.resolve("braille-input.npy"));
  }

  /** The braille model compiled as the README compiles it (euler discretization). */
  static ChipImage brailleImage(Path dir) {
    NirImportOptions nir = NirImportOptions.defaults().withDiscretization(Discretization.Convention.FORWARD_EULER);
    return ModelCompilation.compile(braille(dir), ChipSpec.loihi(), nir,
        org.quench.compiler.report.CompileOptions.none()).result().image();
  }

  private static Path copy(String resource, Path to) {
    try (InputStream in = CampaignFixture.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
