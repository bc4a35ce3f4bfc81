package org.quench.examples.heterogeneity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.stat.inference.WilcoxonSignedRankTest;

/**
 * The rows of a study CSV indexed by configuration, and the paired comparison every claim is
 * built from (docs/heterogeneity-study.md, "Statistics").
 */
final class StudyResults {
  /** Per configuration: task id to (seed to test NRMSE). */
  private final Map<ReservoirConfig, Map<String, Map<Long, Double>>> byConfig = new LinkedHashMap<>();

  StudyResults(Collection<StudyCsv.Line> lines) {
    for (StudyCsv.Line l : lines) {
      byConfig.computeIfAbsent(l.config(), c -> new LinkedHashMap<>())
          .computeIfAbsent(l.get("task"), t -> new TreeMap<>())
          .put(Long.parseLong(l.get("seed")), l.number("nrmse"));
    }
  }

  boolean has(ReservoirConfig c) {
    return byConfig.containsKey(c);
  }

  /** Task to (seed to NRMSE) of a configuration; empty when it was not run. */
  Map<String, Map<Long, Double>> rows(ReservoirConfig c) {
    return byConfig.getOrDefault(c, Map.of());
  }

  /** Mean over tasks of the per-task mean NRMSE over seeds; NaN when absent. */
  double meanNrmse(ReservoirConfig c) {
    Map<String, Map<Long, Double>> r = rows(c);
    if (r.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (Map<Long, Double> seeds : r.values()) {
      sum += mean(seeds.values());
    }
    return sum / r.size();
  }

  /** Per seed, the mean NRMSE over tasks (for error bars). */
  double[] meanNrmsePerSeed(ReservoirConfig c) {
    Map<Long, double[]> acc = new TreeMap<>();
    for (Map<Long, Double> seeds : rows(c).values()) {
      seeds.forEach((s, v) -> {
        double[] a = acc.computeIfAbsent(s, k -> new double[2]);
        a[0] += v;
        a[1]++;
      });
    }
    return acc.values().stream().mapToDouble(a -> a[0] / a[1]).toArray();
  }

  /**
   * Treatment against baseline, paired by task (and by seed for the spread).
   *
   * @param tasks number of tasks both have for every common seed
   * @param seeds number of common seeds
   * @param treatmentMean mean over tasks of the treatment's per-task mean NRMSE
   * @param baselineMean the same for the baseline
   * @param fractionImproved fraction of tasks whose mean NRMSE is lower under the treatment
   * @param fractionImproved5 fraction lower by more than 5% (relative)
   * @param medianGain median over tasks of {@code (baseline - treatment) / baseline}
   * @param gainMeanOverSeeds per seed the median gain over tasks, then the mean over seeds
   * @param gainSdOverSeeds ... and the standard deviation over seeds
   * @param wilcoxonP two-sided Wilcoxon signed-rank p-value over tasks (normal approximation)
   */
  record Comparison(int tasks, int seeds, double treatmentMean, double baselineMean,
      double fractionImproved, double fractionImproved5, double medianGain,
      double gainMeanOverSeeds, double gainSdOverSeeds, double wilcoxonP) {

    boolean available() {
      return tasks >= 5;
    }

    /**
     * Treatment significantly better: more than half the tasks improved, the median reduction is
     * positive, the mean NRMSE over tasks is lower too, and p < 0.05.
     */
    boolean better() {
      return available() && fractionImproved > 0.5 && medianGain > 0
          && treatmentMean < baselineMean && wilcoxonP < 0.05;
    }

    /** Treatment significantly worse (the mirror image of {@link #better()}). */
    boolean worse() {
      return available() && fractionImproved < 0.5 && medianGain < 0
          && treatmentMean > baselineMean && wilcoxonP < 0.05;
    }
  }

  Comparison compare(ReservoirConfig treatment, ReservoirConfig baseline) {
    return compare(rows(treatment), rows(baseline));
  }

  static Comparison compare(Map<String, Map<Long, Double>> a, Map<String, Map<Long, Double>> b) {
    List<String> tasks = new ArrayList<>();
    java.util.Set<Long> seeds = null;
    for (String t : a.keySet()) {
      if (b.containsKey(t)) {
        java.util.Set<Long> common = new java.util.TreeSet<>(a.get(t).keySet());
        common.retainAll(b.get(t).keySet());
        if (!common.isEmpty()) {
          tasks.add(t);
          if (seeds == null) {
            seeds = common;
          } else {
            seeds.retainAll(common);
          }
        }
      }
    }
    if (tasks.isEmpty() || seeds == null || seeds.isEmpty()) {
      return new Comparison(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
          Double.NaN, Double.NaN, Double.NaN);
    }
    int n = tasks.size();
    double[] ma = new double[n];
    double[] mb = new double[n];
    double[] gain = new double[n];
    int improved = 0;
    int improved5 = 0;
    for (int i = 0; i < n; i++) {
      String t = tasks.get(i);
      double sa = 0;
      double sb = 0;
      for (long s : seeds) {
        sa += a.get(t).get(s);
        sb += b.get(t).get(s);
      }
      ma[i] = sa / seeds.size();
      mb[i] = sb / seeds.size();
      gain[i] = (mb[i] - ma[i]) / mb[i];
      improved += ma[i] < mb[i] ? 1 : 0;
      improved5 += gain[i] > 0.05 ? 1 : 0;
    }
    double[] perSeed = new double[seeds.size()];
    int k = 0;
    for (long s : seeds) {
      double[] g = new double[n];
      for (int i = 0; i < n; i++) {
        double x = a.get(tasks.get(i)).get(s);
        double y = b.get(tasks.get(i)).get(s);
        g[i] = (y - x) / y;
      }
      perSeed[k++] = median(g);
    }
    double p;
    boolean allSame = true;
    for (int i = 0; i < n; i++) {
      allSame &= ma[i] == mb[i];
    }
    if (allSame || n < 5) {
      p = 1;
    } else {
      p = new WilcoxonSignedRankTest().wilcoxonSignedRankTest(ma, mb, false);
    }
    return new Comparison(n, seeds.size(), mean(ma), mean(mb), (double) improved / n,
        (double) improved5 / n, median(gain), mean(perSeed), sd(perSeed), p);
  }

  static double mean(Collection<Double> v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.size();
  }

  static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  static double sd(double[] v) {
    if (v.length < 2) {
      return 0;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    int n = c.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
  }
}
