package org.quench.examples.heterogeneity;

import java.util.List;
import java.util.Locale;

/**
 * The study's summary in Markdown: the claims table (claim, what was measured, verdict, effect
 * size with its spread over seeds, tasks improved, paired test), every comparison behind it, and
 * the per-size means; written next to the CSV and plots.
 */
final class StudySummary {
  private StudySummary() {}

  static String p(double p) {
    return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
  }

  /** The claims table alone (README shows it). */
  static String claimsTable(List<Claims.Verdict> verdicts) {
    StringBuilder b = new StringBuilder();
    b.append("| # | claim | what Quench measured | verdict | effect: median NRMSE reduction over tasks"
        + " (per-seed mean ± sd) | tasks improved | Wilcoxon signed-rank over tasks |\n");
    b.append("|---|---|---|---|---|---|---|\n");
    for (Claims.Verdict v : verdicts) {
      b.append("| ").append(v.number()).append(" | ").append(v.claim()).append(" | ")
          .append(v.measured()).append(" | **").append(v.verdict()).append("** | ").append(v.effect())
          .append(" | ").append(v.improved()).append(" | ").append(v.test()).append(" |\n");
    }
    return b.toString();
  }

  static String markdown(StudyPlan plan, StudyResults results, Claims claims, int rows,
      String command, List<String> plots) {
    List<Claims.Verdict> verdicts = claims.verdicts();
    StringBuilder b = new StringBuilder();
    b.append("# Heterogeneity study").append(plan.quick() ? " (quick)" : "").append("\n\n");
    b.append("Regenerate: `").append(command).append("`. ").append(rows)
        .append(" rows (task, configuration, seed) in `study.csv`; ").append(TaskSuite.all().size())
        .append(" tasks on ").append(Drive.values().length).append(" drives. Methods: docs/heterogeneity-study.md.\n\n");
    b.append("Effect = relative NRMSE reduction of the first configuration against the second,"
        + " `(baseline - treatment) / baseline`, median over tasks (positive = the claim's side is"
        + " better); in brackets the same per seed, mean ± standard deviation over seeds. Tasks"
        + " improved: tasks whose mean NRMSE over seeds is lower. A comparison counts as better when"
        + " more than half the tasks improve, the median reduction is positive, the mean NRMSE over"
        + " tasks is lower and the two-sided Wilcoxon signed-rank test over tasks gives p < 0.05. Multiple parts are separated by `;`"
        + " in the order of the comparison table below.\n\n");
    b.append("## Claims\n\n").append(claimsTable(verdicts)).append('\n');
    b.append("## Comparisons\n\n");
    b.append("| comparison (treatment vs baseline) | tasks | seeds | mean NRMSE treatment | mean NRMSE baseline"
        + " | tasks improved | improved > 5% | median reduction | per-seed reduction | Wilcoxon p |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Claims.Named n : claims.details()) {
      StudyResults.Comparison c = n.comparison();
      if (!c.available()) {
        b.append("| ").append(n.name()).append(" | ").append(c.tasks()).append(" | - | - | - | - | - | - | - | not measured |\n");
        continue;
      }
      b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.3f | %.3f | %.0f%% | %.0f%% | %+.1f%% | %+.1f ± %.1f%% | %s |%n",
          n.name(), c.tasks(), c.seeds(), c.treatmentMean(), c.baselineMean(), 100 * c.fractionImproved(),
          100 * c.fractionImproved5(), 100 * c.medianGain(), 100 * c.gainMeanOverSeeds(),
          100 * c.gainSdOverSeeds(), p(c.wilcoxonP())));
    }
    b.append("\n## Mean NRMSE over tasks by size (rate)\n\n| N | homogeneous | lognormal cv ")
        .append(plan.hetCv()).append(" |\n|---|---|---|\n");
    for (int n : plan.sizes()) {
      b.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f |%n", n,
          results.meanNrmse(plan.rate(n, TauShape.HOMOGENEOUS, 0)),
          results.meanNrmse(plan.rate(n, TauShape.LOGNORMAL, plan.hetCv()))));
    }
    b.append("\n## Plots\n\n");
    for (String png : plots) {
      b.append("![").append(png).append("](").append(png).append(")\n\n");
    }
    if (plan.variabilities().isEmpty()) {
      b.append("No mismatch plot: this run had no variability presets (`--variability`).\n");
    }
    return b.toString();
  }
}
