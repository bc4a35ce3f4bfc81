package org.quench.runtime.bench;

import java.util.Locale;

/**
 * A performance goal and how a measurement compares with it.
 *
 * @param name what is measured (e.g. "neuron updates/s")
 * @param bound the goal, in the measurement's unit
 * @param atLeast true if the measurement must reach the bound, false if it must not exceed it
 * @param measured the measured value, same unit
 */
public record Target(String name, double bound, boolean atLeast, double measured) {
  /** Whether the measurement meets the goal. */
  public boolean pass() {
    return atLeast ? measured >= bound : measured <= bound;
  }

  /** One line, e.g. {@code PASS  neuron updates/s  >= 1.00e+08  measured 1.23e+08}. */
  public String line() {
    return String.format(Locale.ROOT, "%-4s  %-20s %s %-9s measured %s", pass() ? "PASS" : "MISS", name,
        atLeast ? ">=" : "<=", human(bound), human(measured));
  }

  static String human(double v) {
    if (Math.abs(v) >= 1e9) {
      return String.format(Locale.ROOT, "%.2fG", v / 1e9);
    }
    if (Math.abs(v) >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    }
    if (Math.abs(v) >= 1e4) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
