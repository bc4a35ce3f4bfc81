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
}
