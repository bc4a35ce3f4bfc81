package org.quench.runtime.bench;

import java.util.Locale;

/**
 * A performance goal and how a measurement compares with it.
 *
 * @param name what is measured (e.g. "neuron updates/s")
 * @param bound the goal, in the measurement's unit
 * @param atLeast true if the measurement must reach the bound, false if it must not exceed it
 * @param measured the measured value, same unit
 * @param notJudged why this measurement cannot be held against the goal (e.g. the goal was set
 *     for another network size), or null when it is judged
 */
public record Target(String name, double bound, boolean atLeast, double measured, String notJudged) {
  /** A goal the measurement is judged against. */
  public Target(String name, double bound, boolean atLeast, double measured) {
    this(name, bound, atLeast, measured, null);
  }

  /** Whether the measurement is held against the goal at all. */
  public boolean judged() {
    return notJudged == null;
  }

  /** Whether the measurement meets the goal (false when it is not judged). */
  public boolean pass() {
    return judged() && (atLeast ? measured >= bound : measured <= bound);
  }

  /**
   * One line, e.g. {@code PASS  neuron updates/s  >= 100.00M  measured 123.00M}; a measurement not
   * judged says "n/a" and why instead of PASS or MISS.
   */
  public String line() {
    String verdict = !judged() ? "n/a" : pass() ? "PASS" : "MISS";
    return String.format(Locale.ROOT, "%-4s  %-20s %s %-9s measured %s%s", verdict, name,
        atLeast ? ">=" : "<=", human(bound), human(measured), judged() ? "" : " (" + notJudged + ")");
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
