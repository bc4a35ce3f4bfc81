package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimsTest {
  private final StudyPlan plan = StudyPlan.quickStudy();
  private final List<StudyCsv.Line> lines = new ArrayList<>();

  /** A CSV line for {@code config}, as the study would write it, with a chosen NRMSE. */
  private void row(Task task, ReservoirConfig config, long seed, double nrmse) {
    String text = StudyCsv.line(new StudyRow(task, config, seed),
        new RowResult(nrmse, nrmse, 1e-3, 0.1, 4, 0, -1, -1, Double.NaN));
    Map<String, String> cols = new LinkedHashMap<>();
    String[] f = text.split(",", -1);
    List<String> header = StudyCsv.header();
    for (int i = 0; i < f.length; i++) {
      cols.put(header.get(i), f[i]);
    }
    lines.add(new StudyCsv.Line(cols));
  }

  /** Claim 1's rows: heterogeneous NRMSE = homogeneous NRMSE times {@code factor}, with noise. */
  private void claimOneRows(double factor) {
    List<Task> tasks = TaskSuite.all().subList(0, 30);
    for (int k = 0; k < tasks.size(); k++) {
      for (long seed : plan.rateSeeds()) {
        double base = 0.3 + 0.02 * k + 0.01 * seed;
        double jitter = 0.01 * Math.sin(7 * k + seed);
        row(tasks.get(k), plan.rate(plan.claimSize(), TauShape.HOMOGENEOUS, 0), seed, base);
        row(tasks.get(k), plan.rate(plan.claimSize(), TauShape.LOGNORMAL, plan.hetCv()), seed,
            base * factor + jitter);
        for (int n : plan.spikingSizes()) {
          for (String device : List.of(ReservoirConfig.REFERENCE, StudyPlan.CHIP)) {
            row(tasks.get(k), plan.spiking(n, TauShape.HOMOGENEOUS, 0, device), seed, base);
            row(tasks.get(k), plan.spiking(n, TauShape.LOGNORMAL, plan.hetCv(), device), seed,
                base * factor + jitter);
          }
        }
      }
    }
  }

  @Test
  void aClearGainOnEveryTaskMakesClaimOneHold() {
    claimOneRows(0.8);
    List<Claims.Verdict> v = new Claims(plan, new StudyResults(lines)).verdicts();
    assertEquals("holds", v.get(0).verdict(), v.get(0).toString());
    assertTrue(v.get(0).improved().startsWith("rate: 30/30"), v.get(0).improved());
    assertTrue(v.get(0).effect().matches("^rate: \\+(19\\.[5-9]|20\\.[0-4])%.*"), "about 20% lower NRMSE: " + v.get(0).effect());
    assertEquals("not measured", v.get(1).verdict(), "claim 2's rows are missing");
    assertTrue(v.get(4).verdict().startsWith("deployment keeps the gain"), v.get(4).verdict());
    assertTrue(v.get(4).verdict().contains("mismatch as heterogeneity: not measured"), v.get(4).verdict());
  }

  @Test
  void noGainMeansClaimOneDoesNotHold() {
    claimOneRows(1.05);
    Claims.Verdict v = new Claims(plan, new StudyResults(lines)).verdicts().get(0);
    assertEquals("does not hold", v.verdict(), v.toString());
  }

  @Test
  void summaryHasTheClaimsTableAndEveryComparison() {
    claimOneRows(0.9);
    Claims claims = new Claims(plan, new StudyResults(lines));
    String md = StudySummary.markdown(plan, new StudyResults(lines), claims, lines.size(),
        "quench study heterogeneity --quick", List.of("nrmse-vs-n.png"));
    assertTrue(md.contains("| 1 | Fixed heterogeneity improves"), md);
    assertTrue(md.contains("**holds**"), md);
    assertTrue(md.contains("not measured"), md);
    assertEquals(5, claims.verdicts().size());
  }
}
