package org.quench.compiler;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compile options as name/value text, as a user gives them on a command line; passes read the
 * ones they know (e.g. {@code maxTauError}, {@code maxThresholdError}: relative errors the
 * profile budget may not exceed, see passes.ProfileBudget). Sorted by name so the image header
 * that records them is deterministic.
 */
public final class CompileOptions {
  private final Map<String, String> values;

  private CompileOptions(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  public static CompileOptions none() {
    return new CompileOptions(Map.of());
  }

  public static CompileOptions of(Map<String, String> values) {
    return new CompileOptions(values);
  }

  /** A copy with one more option (or a changed one). */
  public CompileOptions with(String name, String value) {
    Map<String, String> m = new TreeMap<>(values);
    m.put(name, value);
    return new CompileOptions(m);
  }

  public Map<String, String> values() {
    return values;
  }

  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /**
   * A relative-error option (e.g. 0.05), or +infinity when it is not set.
   *
   * @throws org.quench.hal.QuenchException when the value is not a number >= 0
   */
  public double relativeError(String name) {
    String v = values.get(name);
    if (v == null) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      double d = Double.parseDouble(v);
      if (!(d >= 0)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new org.quench.hal.QuenchException("option " + name + " = '" + v
          + "' is not a relative error >= 0 (e.g. 0.05)");
    }
  }
}
