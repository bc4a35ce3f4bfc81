package org.quench.hal;

import org.quench.hal.proto.ChipImage;

/**
 * Checks a {@link ChipImage} against a {@link ChipSpec} before any device runs it: header, ranges
 * of every field, references (cores, axons, neurons, table rows, ports, symbols), table sizes and
 * the synapse memory budget. A device never runs a half-valid image.
 */
public final class ImageValidator {
  private ImageValidator() {}

  /**
   * Throws a {@link QuenchException} listing the first problems found (each with its location,
   * e.g. "core (0,3) axon group 'fc1' synapse 17: delay 70 exceeds maxDelay 63").
   */
  public static void validate(ChipImage image, ChipSpec spec) {
    // TODO(hal helper): full validation.
  }
}
