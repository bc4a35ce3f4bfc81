package org.quench.compiler.passes;

import org.quench.compiler.report.CompileReport;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.WeightQuantizer;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.SignMode;

/**
 * Splits a projection's quantized weight error into its causes so a user knows what to change
 * (docs/precision.md): clipping (weights beyond the largest mantissa at the chosen exponent), the
 * mantissa's bits (what rounding costs with an exponent per target neuron), the shared exponent
 * (what one exponent for all target neurons adds), and, separately, how much of the total the
 * spread of the folded per-neuron input gains causes (the error with every gain set to their
 * geometric mean, subtracted in squares).
 */
final class WeightErrorAttribution {
  /** Target rows sampled for the per-row exponent estimate. */
  private static final int ROWS = 256;

  private WeightErrorAttribution() {}

  /**
   * @param eff the effective float weights (model units, gains folded in), in synapse order
   * @param r their quantization at {@code scale}
   * @param gain the target population's per-neuron folded gain
   */
  static CompileReport.WeightErrorCauses of(Projection p, double[] eff, WeightQuantizer.Result r,
      double scale, double[] gain, ChipSpec spec) {
    double[] req = new double[eff.length];
    double[] got = new double[eff.length];
    int[] exp = new int[eff.length];
    for (int k = 0; k < eff.length; k++) {
      req[k] = eff[k] * scale;
      got[k] = r.effective(k);
      exp[k] = r.weightExp();
    }
    double[] split = split(p, req, got, exp,
        new WeightRows.GroupExponent(r.signMode(), r.weightExp(), r.numWeightBits(), spec));
    if (split == null) {
      return new CompileReport.WeightErrorCauses(0, 0, 0, 0);
    }
    double total = r.rmsRelError();
    int targets = p.targetSize();
    boolean[] reached = new boolean[targets];
    for (int k = 0; k < eff.length; k++) {
      reached[p.target(k)] = true;
    }
    // The same weights with one gain for every target (the geometric mean of those that have one).
    double logSum = 0;
    int m = 0;
    for (int t = 0; t < targets; t++) {
      if (gain[t] > 0 && reached[t]) {
        logSum += Math.log(gain[t]);
        m++;
      }
    }
    double folded = 0;
    boolean uniformAlready = true;
    for (int t = 1; t < targets; t++) {
      uniformAlready &= gain[t] == gain[0];
    }
    if (m > 0 && !uniformAlready) {
      double mean = Math.exp(logSum / m);
      double[] uniform = new double[eff.length];
      boolean all = true;
      for (int k = 0; k < eff.length; k++) {
        double g = gain[p.target(k)];
        all &= g > 0;
        uniform[k] = g > 0 ? eff[k] / g * mean : eff[k];
      }
      if (all) {
        // In the projection's sign mode, whatever the uniform weights' own would be.
        double u = WeightQuantizer.quantize(uniform, scale, r.signMode(), spec).rmsRelError();
        folded = Math.sqrt(Math.max(0, total * total - u * u));
      }
    }
    return new CompileReport.WeightErrorCauses(split[0], split[1], split[2], folded);
  }

  /**
   * {mantissa, shared exponent, clipping} of weights {@code req} realised as {@code got} (both chip
   * activation units, synapse order), synapse k at exponent {@code exp[k]}, the projection rounding
   * by {@code rule} (its sign mode, exponent and weight bits); each relative to the RMS of
   * {@code req}. Null when every request is 0.
   *
   * <p>The mantissa's share is measured on rows that each take the exponent they would take as a
   * core of their own, in the projection's sign mode: the chip keeps one sign mode per projection,
   * so a MIXED projection's row of one sign still has MIXED's coarser mantissas. This is the floor
   * {@link WeightRows} gives a weight target, sampled.
   */
  static double[] split(Projection p, double[] req, double[] got, int[] exp,
      WeightRows.GroupExponent rule) {
    double norm = 0;
    double clipSse = 0;
    double roundSse = 0;
    double half = rule.mode == SignMode.MIXED ? 1.0 : 0.5;
    for (int k = 0; k < req.length; k++) {
      double d = got[k] - req[k];
      norm += req[k] * req[k];
      if (Math.abs(d) > Math.scalb(half, exp[k]) * (1 + 1e-9)) {
        clipSse += d * d;
      } else {
        roundSse += d * d;
      }
    }
    if (norm == 0) {
      return null;
    }
    // Rows per target neuron, each with its own best exponent: the mantissa's own limit.
    int targets = p.targetSize();
    IncomingSynapses in = new IncomingSynapses(p);
    int[] count = in.start;
    int[] synapseOf = in.synapse;
    double[] sorted = new double[req.length];
    for (int k = 0; k < req.length; k++) {
      sorted[k] = req[synapseOf[k]];
    }
    // Per-row exponents on at most ROWS evenly spaced target rows; the share of the rounding error
    // they remove there is taken as the share for the whole projection.
    int stride = Math.max(1, (targets + ROWS - 1) / ROWS);
    double rowSse = 0;
    double sharedOnRows = 0;
    for (int t = 0; t < targets; t += stride) {
      if (count[t + 1] == count[t]) {
        continue;
      }
      double[] row = java.util.Arrays.copyOfRange(sorted, count[t], count[t + 1]);
      // The rounding part of the row's floor: the row's clipping is counted as clipping.
      double[] alone = rule.alone(row);
      rowSse += alone[0] - alone[1];
      for (int k = count[t]; k < count[t + 1]; k++) {
        int syn = synapseOf[k];
        double d = got[syn] - sorted[k];
        if (Math.abs(d) <= Math.scalb(half, exp[syn]) * (1 + 1e-9)) {
          sharedOnRows += d * d;
        }
      }
    }
    double share = sharedOnRows == 0 ? 1 : Math.min(1, rowSse / sharedOnRows);
    double mantissaSse = roundSse * share;
    double sharedSse = Math.max(0, roundSse - mantissaSse);
    return new double[] {Math.sqrt(mantissaSse / norm), Math.sqrt(sharedSse / norm),
        Math.sqrt(clipSse / norm)};
  }

  /** The largest relative cut a clipped weight suffers (0 when none clips). */
  static double largestClipCut(double[] eff, WeightQuantizer.Result r) {
    double step = Math.scalb(r.signMode() == SignMode.MIXED ? 1.0 : 0.5, r.weightExp());
    double worst = 0;
    double scale = r.scale();
    for (int k = 0; k < eff.length; k++) {
      double req = eff[k] * scale;
      double d = Math.abs(r.effective(k) - req);
      if (d > step * (1 + 1e-9) && req != 0) {
        worst = Math.max(worst, d / Math.abs(req));
      }
    }
    return worst;
  }
}
