package org.quench.runtime.calibrate;

import java.util.List;
import java.util.Locale;
import org.quench.hal.CoreDeviations;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;

/**
 * Per-parameter statistics of a profile's factors over some cores (how far a chip is from
 * nominal), and of the difference between two profiles (how well a calibration recovered a known
 * one). Dead and hot neurons are counted, not averaged.
 *
 * @param mean per parameter (by ordinal): mean |factor - reference|
 * @param max per parameter: largest |factor - reference|
 * @param neurons live neurons compared
 * @param faultMismatches neurons whose dead or hot flag differs between the profiles
 */
public record ProfileComparison(double[] mean, double[] max, int neurons, int faultMismatches) {

  /** Distance of {@code profile}'s factors from nominal (1.0). */
  public static ProfileComparison fromNominal(DeviceProfile profile, List<int[]> cores, int neurons) {
    return between(profile, DeviceProfile.nominal(profile.serial()), cores, neurons);
  }

  /** Distance between two profiles' factors, neuron by neuron (weights: row gains). */
  public static ProfileComparison between(DeviceProfile a, DeviceProfile b, List<int[]> cores,
      int neurons) {
    int np = DeviceParameter.values().length;
    double[] sum = new double[np];
    double[] max = new double[np];
    int count = 0;
    int mismatches = 0;
    for (int[] c : cores) {
      CoreDeviations x = a.core(c[0], c[1], neurons);
      CoreDeviations y = b.core(c[0], c[1], neurons);
      for (int i = 0; i < neurons; i++) {
        if (x.dead(i) != y.dead(i) || x.hot(i) != y.hot(i)) {
          mismatches++;
        }
        if (x.dead(i) || x.hot(i) || y.dead(i) || y.hot(i)) {
          continue;
        }
        count++;
        for (DeviceParameter p : DeviceParameter.values()) {
          double d = Math.abs(x.factor(p, i) - y.factor(p, i));
          sum[p.ordinal()] += d;
          max[p.ordinal()] = Math.max(max[p.ordinal()], d);
        }
      }
    }
    double[] mean = new double[np];
    for (int p = 0; p < np; p++) {
      mean[p] = count == 0 ? 0 : sum[p] / count;
    }
    return new ProfileComparison(mean, max, count, mismatches);
  }

  /** One line per parameter: "threshold      mean 0.05 %   max 0.10 %". */
  public String table(String meanLabel, String maxLabel) {
    StringBuilder s = new StringBuilder();
    for (DeviceParameter p : DeviceParameter.values()) {
      s.append(String.format(Locale.ROOT, "  %-14s %s %7.3f %%   %s %7.3f %%%n", p.key(), meanLabel,
          100 * mean[p.ordinal()], maxLabel, 100 * max[p.ordinal()]));
    }
    return s.toString();
  }
}
