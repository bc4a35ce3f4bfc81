package org.quench.runtime.session;

import java.util.Locale;
import org.quench.hal.proto.ChipImage;

/**
 * The model time a number of chip steps stands for, from the dt an image was compiled at (its
 * header option {@code dt}, seconds per step), for the summaries commands print.
 */
public final class ModelTime {
  private ModelTime() {}

  /** Seconds per step the image was compiled at, or NaN when its header does not say. */
  public static double dtSeconds(ChipImage image) {
    String dt = image.getHeader().getOptionsMap().get("dt");
    if (dt == null) {
      return Double.NaN;
    }
    try {
      double v = Double.parseDouble(dt);
      return v > 0 && Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** "dt 0.1 ms per step: 200 steps = 20 ms of model time", or that the image has no dt. */
  public static String describe(ChipImage image, long steps) {
    double dt = dtSeconds(image);
    if (Double.isNaN(dt)) {
      return "dt: not recorded in the image (time in chip steps only)";
    }
    return String.format(Locale.ROOT, "dt %s ms per step: %d steps = %s ms of model time",
        number(dt * 1e3), steps, number(steps * dt * 1e3));
  }

  /** Six significant digits at most, no trailing zeros, never an exponent ("0.1", "20"). */
  private static String number(double v) {
    return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(6)).stripTrailingZeros()
        .toPlainString();
  }
}
