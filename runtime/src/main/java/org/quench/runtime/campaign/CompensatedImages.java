package org.quench.runtime.campaign;

import org.quench.compiler.passes.CompensateDeviations;
import org.quench.hal.ChipSpec;
import org.quench.hal.DeviceProfile;
import org.quench.hal.proto.ChipImage;

/**
 * Calibration-aware images for a campaign's chips: the nominal image passed through the
 * compiler's {@link CompensateDeviations} for each chip's own profile, as {@code quench compile
 * --profile} does after emitting the image. The profile is the chip's true one (what a perfect
 * calibration would measure), so a campaign shows what compensation can rescue at best.
 * Thread-safe; a pure function of (image, spec, profile).
 */
public final class CompensatedImages implements MismatchCampaign.ChipCompiler {
  private final ChipImage image;
  private final ChipSpec spec;

  /** Compensates {@code image}, compiled for {@code spec}. */
  public CompensatedImages(ChipImage image, ChipSpec spec) {
    this.image = image;
    this.spec = spec;
  }

  @Override
  public ChipImage compileFor(DeviceProfile chip) {
    return new CompensateDeviations(chip).apply(image, spec).image();
  }
}
