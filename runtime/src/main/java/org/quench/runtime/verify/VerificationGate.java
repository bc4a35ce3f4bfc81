package org.quench.runtime.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.quench.hal.QuenchException;
import org.quench.runtime.verify.VerificationReport.PopulationAgreement;

/**
 * What a verification must show to pass, for {@code quench verify} as a CI gate. The bounds apply
 * to the populations the host reads (the network's outputs), or to every compared population when
 * the network has no outputs. A bound that is not set is not checked.
 *
 * @param minAgreement least fraction of steps x neurons with the same spike (the tolerant
 *     agreement when a tolerance is set), in [0, 1]; NaN: not checked
 * @param minCorrelation least Pearson correlation of per-neuron spike counts; NaN: not checked. An
 *     undefined correlation fails it unless the two count vectors are the same
 * @param requireArgmax whether the argmax of output spike counts must agree
 */
public record VerificationGate(double minAgreement, double minCorrelation, boolean requireArgmax) {
  /** No bounds: every comparison passes. */
  public static final VerificationGate NONE = new VerificationGate(Double.NaN, Double.NaN, false);

  public VerificationGate {
    if (!Double.isNaN(minAgreement) && !(minAgreement >= 0 && minAgreement <= 1)) {
      throw new QuenchException("--min-agreement " + minAgreement + " must be a fraction in [0, 1]"
          + " (e.g. 0.95) or a percentage (95%)");
    }
    if (!Double.isNaN(minCorrelation) && !(minCorrelation >= -1 && minCorrelation <= 1)) {
      throw new QuenchException("--min-correlation " + minCorrelation + " must lie in [-1, 1]");
    }
  }

  /** Whether any bound is set. */
  public boolean any() {
    return !Double.isNaN(minAgreement) || !Double.isNaN(minCorrelation) || requireArgmax;
  }

  /** "0.95", "95%" or "95 %" as a fraction. */
  public static double fraction(String text, String option) {
    String t = text.strip();
    boolean percent = t.endsWith("%");
    try {
      double v = Double.parseDouble(percent ? t.substring(0, t.length() - 1).strip() : t);
      return percent ? v / 100 : v;
    } catch (NumberFormatException e) {
      throw new QuenchException(option + " '" + text + "' is not a number (e.g. 0.95 or 95%)");
    }
  }

  /** Each unmet bound, one sentence naming the population, the value and the bound; empty: passed. */
  public List<String> failures(VerificationReport report) {
    List<PopulationAgreement> judged = new ArrayList<>();
    for (PopulationAgreement p : report.populations()) {
      if (p.output()) {
        judged.add(p);
      }
    }
    if (judged.isEmpty()) {
      judged.addAll(report.populations());
    }
    List<String> failed = new ArrayList<>();
    for (PopulationAgreement p : judged) {
      double agreement = p.toleranceSteps() > 0 ? p.agreementWithinTolerance() : p.agreement();
      if (!Double.isNaN(minAgreement) && agreement < minAgreement) {
        failed.add(String.format(Locale.ROOT, "'%s' agreement %.2f %%%s is below --min-agreement %.2f %%",
            p.population(), 100 * agreement,
            p.toleranceSteps() > 0 ? " (within +-" + p.toleranceSteps() + " steps)" : "", 100 * minAgreement));
      }
      if (!Double.isNaN(minCorrelation)) {
        if (p.countCorrelation() == null) {
          if (!p.sameCounts()) {
            failed.add("'" + p.population() + "' spike-count correlation is undefined ("
                + p.correlationNote() + "), so --min-correlation " + minCorrelation + " is not met");
          }
        } else if (p.countCorrelation() < minCorrelation) {
          failed.add(String.format(Locale.ROOT, "'%s' spike-count correlation %.3f is below"
              + " --min-correlation %.3f", p.population(), p.countCorrelation(), minCorrelation));
        }
      }
      if (requireArgmax && p.output() && !Boolean.TRUE.equals(p.argmaxAgrees())) {
        failed.add("'" + p.population() + "' argmax " + (p.argmaxAgrees() == null
            ? "is undefined (" + p.argmaxNote() + ")"
            : "differs (reference " + p.referenceArgmax() + ", device " + p.deviceArgmax() + ")")
            + " and --require-argmax is set");
      }
    }
    return failed;
  }
}
