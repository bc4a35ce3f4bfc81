package org.quench.emulator;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.proto.ChipImage;

/**
 * The images this JVM's emulators have already validated, per chip spec. A mismatch campaign
 * loads one image on a thousand chip instances; validation is a pure function of (image, spec)
 * and images are immutable, so each image is judged once (docs/mismatch-campaigns.md).
 *
 * <p>Keys are weak (a forgotten image leaves the cache) and found by the image's memoized hash
 * and equality, which is immediate for the very same instance. Thread-safe.
 */
final class ValidatedImages {
  private static final Map<ChipImage, String> VALIDATED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private ValidatedImages() {}

  /** {@link ImageValidator#validate}, skipped when this image already passed for this spec. */
  static void validate(ChipImage image, ChipSpec spec) {
    String hash = spec.hash();
    if (hash.equals(VALIDATED.get(image))) {
      return;
    }
    ImageValidator.validate(image, spec);
    VALIDATED.put(image, hash);
  }
}
