package org.quench.compiler.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What calibration-aware compiling did for one chip instance (docs/variability.md,
 * "Compensation"): per parameter, the relative error of the integer the chip realizes against the
 * nominal integer, before (nominal programming) and after compensation, and what could not be
 * compensated and why.
 *
 * @param profile the profile compensated for (serial and model)
 * @param before per parameter key, realized-vs-nominal errors with nominal programming
 * @param after the same with compensated programming
 * @param limits per reason, how many neurons or synapses stayed off nominal (e.g.
 *     "threshold: clustered into 16 profiles on core (0,1)")
 * @param notes other facts a user should know (uncovered cores, host-set biases)
 * @param clusteredCores cores where the profile tables could not hold every compensated value
 */
public record CompensationReport(String profile, Map<String, CompileReport.ErrorStats> before,
    Map<String, CompileReport.ErrorStats> after, Map<String, Long> limits, List<String> notes,
    int clusteredCores) {

  /** A few lines for the console: one per parameter, then limits and notes. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append("compensation for ").append(profile).append(" (relative error of the realized integers, mean / max):\n");
    for (String key : before.keySet()) {
      CompileReport.ErrorStats b = before.get(key);
      CompileReport.ErrorStats a = after.get(key);
      s.append(String.format(Locale.ROOT, "  %-13s %6d values  before %6.2f%% / %6.2f%%   after %6.2f%% / %6.2f%%%n",
          key, b.count(), 100 * b.mean(), 100 * b.max(), 100 * a.mean(), 100 * a.max()));
    }
    for (Map.Entry<String, Long> e : limits.entrySet()) {
      s.append("  not compensated: ").append(e.getValue()).append(' ').append(e.getKey()).append('\n');
    }
    for (String n : notes) {
      s.append("  note: ").append(n).append('\n');
    }
    return s.toString();
  }

  void toJson(JsonText j) {
    j.open('{').key("profile").value(profile);
    j.key("parameters").open('{');
    for (String key : before.keySet()) {
      j.key(key).open('{');
      stats(j.key("before"), before.get(key));
      stats(j.key("after"), after.get(key));
      j.close('}');
    }
    j.close('}');
    j.key("notCompensated").open('{');
    for (Map.Entry<String, Long> e : limits.entrySet()) {
      j.key(e.getKey()).value(e.getValue());
    }
    j.close('}');
    j.key("notes").open('[');
    for (String n : notes) {
      j.value(n);
    }
    j.close(']');
    j.key("clusteredCores").value(clusteredCores);
    j.close('}');
  }

  private static void stats(JsonText j, CompileReport.ErrorStats s) {
    j.open('{').key("count").value(s.count()).key("mean").value(s.mean()).key("p50").value(s.p50())
        .key("p95").value(s.p95()).key("max").value(s.max()).close('}');
  }
}
