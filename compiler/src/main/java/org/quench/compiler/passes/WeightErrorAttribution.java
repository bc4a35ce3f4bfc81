package org.quench.compiler.passes;

import org.quench.compiler.CompileReport;
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
  private WeightErrorAttribution() {}

  /**
   * @param eff the effective float weights (model units, gains folded in), in synapse order
   * @param r their quantization at {@code scale}
   * @param gain the target population's per-neuron folded gain
   */
  static CompileReport.WeightErrorCauses of(Projection p, double[] eff, WeightQuantizer.Result r,
      double scale, double[] gain, ChipSpec spec) {
    double norm = 0;
    double clipSse = 0;
    double roundSse = 0;
    double step = Math.scalb(r.signMode() == SignMode.MIXED ? 1.0 : 0.5, r.weightExp());
    for (int k = 0; k < eff.length; k++) {
      double req = eff[k] * scale;
      double d = r.effective(k) - req;
      norm += req * req;
      if (Math.abs(d) > step * (1 + 1e-9)) {
        clipSse += d * d;
      } else {
        roundSse += d * d;
      }
    }
    if (norm == 0) {
      return new CompileReport.WeightErrorCauses(0, 0, 0, 0);
    }
    // Rows per target neuron, each with its own best exponent: the mantissa's own limit.
    int targets = p.targetSize();
    int[] count = new int[targets + 1];
    for (int k = 0; k < eff.length; k++) {
      count[p.target(k) + 1]++;
    }
    for (int t = 0; t < targets; t++) {
      count[t + 1] += count[t];
    }
    double[] sorted = new double[eff.length];
    int[] fill = count.clone();
    for (int k = 0; k < eff.length; k++) {
      sorted[fill[p.target(k)]++] = eff[k];
    }
    double rowSse = 0;
    for (int t = 0; t < targets; t++) {
      if (count[t + 1] == count[t]) {
        continue;
      }
      double[] row = java.util.Arrays.copyOfRange(sorted, count[t], count[t + 1]);
      WeightQuantizer.Result rr = WeightQuantizer.quantize(row, scale, spec);
      double rowNorm = 0;
      for (double w : row) {
        rowNorm += (w * scale) * (w * scale);
      }
      rowSse += rr.rmsRelError() * rr.rmsRelError() * rowNorm;
    }
    double mantissaSse = Math.min(roundSse, rowSse);
    double sharedSse = Math.max(0, roundSse - mantissaSse);
    double total = r.rmsRelError();
    // The same weights with one gain for every target (the geometric mean of those that have one).
    double logSum = 0;
    int m = 0;
    for (int t = 0; t < targets; t++) {
      if (gain[t] > 0 && count[t + 1] > count[t]) {
        logSum += Math.log(gain[t]);
        m++;
      }
    }
    double folded = 0;
    if (m > 0) {
      double mean = Math.exp(logSum / m);
      double[] uniform = new double[eff.length];
      boolean all = true;
      for (int k = 0; k < eff.length; k++) {
        double g = gain[p.target(k)];
        all &= g > 0;
        uniform[k] = g > 0 ? eff[k] / g * mean : eff[k];
      }
      if (all) {
        double u = WeightQuantizer.quantize(uniform, scale, spec).rmsRelError();
        folded = Math.sqrt(Math.max(0, total * total - u * u));
      }
    }
    return new CompileReport.WeightErrorCauses(Math.sqrt(mantissaSse / norm),
        Math.sqrt(sharedSse / norm), Math.sqrt(clipSse / norm), folded);
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
