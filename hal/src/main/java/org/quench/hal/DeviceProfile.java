package org.quench.hal;

/**
 * A physical chip instance's deviation from its nominal spec: what makes chip 7 differ from chip 8.
 * Emulated chips generate theirs deterministically from (variability model, serial); real chips
 * report measured calibration data. The nominal profile has no deviations.
 *
 * @param serial the chip instance this describes
 * @param model name of the variability model that produced it ({@code nominal} for none)
 * @param description one line a person can read
 */
public record DeviceProfile(String serial, String model, String description) {
  /** The profile of an ideal chip that computes exactly the spec's arithmetic. */
  public static DeviceProfile nominal(String serial) {
    return new DeviceProfile(serial, "nominal", "ideal chip: no device variability");
  }

  public boolean isNominal() {
    return "nominal".equals(model);
  }
}
