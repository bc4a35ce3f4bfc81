package org.quench.runtime.calibrate;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/**
 * The bias, voltage-decay and threshold measurements of a chip whose v carries temporal noise
 * (docs/variability.md, "Calibration on a noisy chip"). {@link Calibration} switches to them when
 * the first bias image's trace is not reproduced exactly by any integer bias and decay; a noiseless
 * chip never gets here, so its profile stays bit for bit that of the exact fits.
 *
 * <p>The noise's standard deviation is a fraction {@code nu} of the neuron's effective threshold,
 * so the bias image's threshold is lowered (in a few probing runs) to {@value #ROW_MARGIN} x a high
 * quantile of the peaks v reached, and the bias is switched on and off every {@value #HALF_PERIOD}
 * steps so that v keeps rising from and decaying to 0: a least-squares fit of
 * {@code v_t = decay(v_(t-1)) + on_t B} over {@value #FIT_STEPS} steps then has a spread-out
 * regressor, and its standard errors come from the residuals. Steps on which a neuron fired (v
 * reset) are left out of the fit. The threshold is the largest v recorded on a step without a spike
 * (exact: a neuron fires only when v exceeds it), over {@value #THRESHOLD_STEPS} steps of a ramp
 * that fires again and again.
 */
final class NoisyCalibration {
  /** Steps the bias stays on, then off. */
  static final int HALF_PERIOD = 8;
  /** Steps of each run that chooses the bias image's threshold. */
  static final int PROBE_STEPS = 64;
  /** Steps of the bias and voltage-decay fit. */
  static final int FIT_STEPS = 4096;
  /** Steps of the threshold ramp. */
  static final int THRESHOLD_STEPS = 4096;
  /** Steps of the fine threshold ramp, started just below the coarse one's bound. */
  static final int FINE_STEPS = 256;
  /** Fine ramps run one after another. */
  static final int FINE_PASSES = 4;
  /** The bias image's threshold over the {@value #ROW_QUANTILE} quantile of the peaks. */
  static final double ROW_MARGIN = 1.5;
  static final double ROW_QUANTILE = 0.98;
  /** A neuron whose bias is not this many standard errors above zero is dead. */
  static final double DEAD_Z = 5;
  /** Expected errors are this many standard errors. */
  static final double Z = 3;
  /**
   * Refused when the median expected error of a core's voltage decay exceeds this (the
   * calibration's aim is 1 %; 2 % at three standard errors is about 0.7 % at one).
   */
  static final double LIMIT = 0.02;
  private static final int MAX_PROBES = 4;
  private static final int MIN_ON_STEPS = 8;
  private static final int WINDOW = 6;

  private NoisyCalibration() {}

  /**
   * One neuron's bias and voltage-decay fit.
   *
   * @param bias bias factor (realized mantissa / programmed)
   * @param dv voltage-decay factor
   * @param biasError expected error of the bias factor ({@value #Z} standard errors plus half a step)
   * @param dvError expected error of the decay factor
   * @param sigma standard deviation of the residuals, in units of v
   * @param dead the bias is not significantly above zero
   * @param fitted false when the trace had too few usable steps
   */
  record Fit(double bias, double dv, double biasError, double dvError, double sigma, boolean dead,
      boolean fitted) {
    static final Fit NONE = new Fit(1, 1, 0, 0, 0, false, false);
  }

  /** What the noisy measurement found, for the profile and the console. */
  static final class Report {
    double[] noise = new double[0];
    int noiseCount;
    double biasError;
    double dvError;
    double thresholdError;

    void addNoise(double nu) {
      if (noiseCount == noise.length) {
        noise = Arrays.copyOf(noise, Math.max(16, 2 * noiseCount));
      }
      noise[noiseCount++] = nu;
    }

    /** The median measured noise, as a fraction of the effective threshold per step (0: none). */
    double medianNoise() {
      return median(Arrays.copyOf(noise, noiseCount));
    }
  }

  /** Whether the bias on step {@code t} (0-based) of the switched bias run is on. */
  static boolean on(int t) {
    return (t / HALF_PERIOD) % 2 == 0;
  }

  /**
   * Fits {@code x[t] = decay(x[t-1]) + on(t) B} (x[-1] = 0) over the steps without a spike; the
   * amount is the integer that minimizes the squared residuals, B their mean over the on steps.
   */
  static Fit fit(long[] x, boolean[] spike, CalibrationPlan plan) {
    int unity = 1 << plan.decayBits();
    double sxx = 0;
    double sxo = 0;
    double so = 0;
    double sxy = 0;
    double soy = 0;
    int used = 0;
    for (int t = 0; t < x.length; t++) {
      if (spike[t]) {
        continue;
      }
      double prev = t == 0 ? 0 : x[t - 1];
      double o = on(t) ? 1 : 0;
      sxx += prev * prev;
      sxo += prev * o;
      so += o;
      sxy += prev * x[t];
      soy += o * x[t];
      used++;
    }
    if (Arrays.stream(x).allMatch(v -> v == 0)) {
      return new Fit(1, 1, 0, 0, 0, true, true);
    }
    double det = sxx * so - sxo * sxo;
    if (so < MIN_ON_STEPS || used < 3 || det <= 0) {
      return Fit.NONE;
    }
    double alpha = (so * sxy - sxo * soy) / det;
    int centre = (int) Math.max(0, Math.min(unity, Math.round(unity * (1 - alpha))));
    int best = centre;
    double bestSse = Double.MAX_VALUE;
    double bestB = 0;
    // x[t] - decay(x[t-1]) under the candidate amount: computed once, used for B and the residuals.
    long[] rest = new long[x.length];
    for (int a = Math.max(0, centre - WINDOW); a <= Math.min(unity, centre + WINDOW); a++) {
      double sumOn = 0;
      for (int t = 0; t < x.length; t++) {
        rest[t] = x[t] - plan.decay(t == 0 ? 0 : x[t - 1], a);
        if (!spike[t] && on(t)) {
          sumOn += rest[t];
        }
      }
      double b = sumOn / so;
      double sse = 0;
      for (int t = 0; t < x.length; t++) {
        if (!spike[t]) {
          double r = rest[t] - (on(t) ? b : 0);
          sse += r * r;
        }
      }
      if (sse < bestSse) {
        bestSse = sse;
        best = a;
        bestB = b;
      }
    }
    double sigma = Math.sqrt(bestSse / (used - 2));
    double seAlpha = sigma * Math.sqrt(so / det);
    double seB = sigma * Math.sqrt(sxx / det);
    long scale = 1L << plan.biasExp();
    long programmed = (long) plan.biasMant() << plan.biasExp();
    boolean dead = bestB < DEAD_Z * seB || Math.round(bestB / scale) <= 0;
    return new Fit(Math.round(bestB / scale) / (double) plan.biasMant(), best / (double) plan.dv(),
        Z * seB / programmed + 0.5 / plan.biasMant(), Z * unity * seAlpha / plan.dv() + 0.5 / plan.dv(),
        sigma, dead, true);
  }

  /**
   * Measures bias and voltage decay of every neuron not {@code hot}, filling {@code bias},
   * {@code dv}, {@code dead} and {@code sigmaOverRow} (the residual spread over the image's
   * effective threshold; NaN where the bias trace could not be fitted).
   *
   * @throws QuenchException (one line) when the noise is too large for a useful measurement
   */
  static void biasAndDecay(Device device, ChipSpec spec, CalibrationPlan plan, List<int[]> cores, int n,
      boolean[][] hot, double[][] bias, double[][] dv, boolean[][] dead, double[][] sigmaOverRow,
      Report report, int[] counts) {
    int k = cores.size();
    int row = plan.vthNever();
    RunResult r = null;
    for (int probe = 0; probe <= MAX_PROBES; probe++) {
      boolean last = probe == MAX_PROBES;
      int steps = last ? FIT_STEPS : PROBE_STEPS;
      device.load(Calibration.image(spec, cores, n, -1, plan.dv(), row, plan.biasMant(), plan.biasExp()));
      Calibration.attachAll(device, cores, ProbeKind.V);
      r = device.run(switchedBias(cores, n, plan.biasMant(), steps));
      double[] peaks = new double[k * n];
      int live = 0;
      for (int c = 0; c < k; c++) {
        RunResult.Trace v = r.trace(Probe.of(ProbeKind.V, Calibration.population(cores.get(c))));
        for (int i = 0; i < n; i++) {
          if (!hot[c][i]) {
            long peak = Long.MIN_VALUE;
            for (int t = 0; t < steps; t++) {
              peak = Math.max(peak, v.at(t, i));
            }
            peaks[live++] = peak;
          }
        }
      }
      device.detachAll();
      if (last || live == 0) {
        break;
      }
      double[] sorted = Arrays.copyOf(peaks, live);
      Arrays.sort(sorted);
      double q = Math.max(1, sorted[(int) Math.floor(ROW_QUANTILE * (live - 1))]);
      int next = (int) Math.max(1, Math.min(plan.vthNever(),
          Math.ceil(ROW_MARGIN * q / (1L << plan.thresholdShift()))));
      if (2L * next > row) {
        // No large gain left: this threshold is final.
        row = Math.min(row, next);
        probe = MAX_PROBES - 1;
      } else {
        row = next;
      }
    }
    long rowEff = (long) row << plan.thresholdShift();
    for (int c = 0; c < k; c++) {
      RunResult.Trace v = r.trace(Probe.of(ProbeKind.V, Calibration.population(cores.get(c))));
      boolean[][] spikes = spikeMatrix(r.output(Calibration.port(cores.get(c))), n, FIT_STEPS);
      double[] dvErrors = new double[n];
      double[] biasErrors = new double[n];
      double[] nus = new double[n];
      int fitted = 0;
      for (int i = 0; i < n; i++) {
        if (hot[c][i]) {
          continue;
        }
        Fit f = fit(Calibration.column(v, i, FIT_STEPS), spikes[i], plan);
        dead[c][i] = f.fitted() && f.dead();
        if (!f.fitted()) {
          counts[3]++;
          sigmaOverRow[c][i] = Double.NaN; // no residual spread measured: not a noise sample
        }
        if (!f.fitted() || f.dead()) {
          bias[c][i] = 1;
          dv[c][i] = 1;
          continue;
        }
        bias[c][i] = f.bias();
        dv[c][i] = f.dv();
        sigmaOverRow[c][i] = f.sigma() / rowEff;
        dvErrors[fitted] = f.dvError();
        biasErrors[fitted] = f.biasError();
        nus[fitted] = f.sigma() / rowEff;
        fitted++;
        report.biasError = Math.max(report.biasError, f.biasError());
        report.dvError = Math.max(report.dvError, f.dvError());
      }
      double dvMedian = median(Arrays.copyOf(dvErrors, fitted));
      if (dvMedian > LIMIT) {
        throw new QuenchException(String.format(Locale.ROOT, "calibration: core (%d,%d) is too noisy to"
            + " calibrate: v's temporal noise measured at %.4f of the effective threshold per step (median"
            + " of %d neurons, %d steps, threshold %d << %d) leaves the voltage decay known to only"
            + " +-%.1f %% and the bias to +-%.1f %% (median); calibration needs under %.0f %%",
            cores.get(c)[0], cores.get(c)[1], median(Arrays.copyOf(nus, fitted)), fitted, FIT_STEPS, row,
            plan.thresholdShift(), 100 * dvMedian, 100 * median(Arrays.copyOf(biasErrors, fitted)),
            100 * LIMIT));
      }
    }
  }

  /**
   * Measures the threshold of every neuron not {@code skip}. A coarse ramp with no leak fires again
   * and again; then a fine ramp starts each neuron just below the largest v the coarse one recorded
   * without a spike. The realized threshold mantissa is the smallest integer whose effective value
   * is at least every v recorded on a step without a spike (a neuron fires exactly when v exceeds
   * it, noise included). Fills {@code vth} (factors) and returns each neuron's expected relative
   * error: up to the lowest value that made it fire (the value before plus the ramp's step, plus
   * {@value #Z} sigma of the noise), or NaN where no spike came.
   */
  static double[][] thresholds(Device device, ChipSpec spec, CalibrationPlan plan, List<int[]> cores, int n,
      boolean[][] skip, double[][] bias, double[][] vth, int[] counts) {
    int k = cores.size();
    Bracket[][] coarse = ramp(device, spec, plan, cores, n, plan.coarseMant(), plan.coarseExp(), null,
        bias, THRESHOLD_STEPS);
    // Fine ramps, each started 2, 3, ... sigma below the best bound so far: one approach each,
    // each ending at a different distance below the threshold (also where a chip repeats its
    // noise sequence after a load).
    long[][] below = new long[k][n];
    double[][] above = new double[k][n];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        Bracket b = coarse[c][i];
        if (b != null) {
          below[c][i] = b.below();
          above[c][i] = b.above() + Z * b.sigma();
        }
      }
    }
    long[][] start = new long[k][n];
    for (int pass = 0; pass < FINE_PASSES; pass++) {
      for (int c = 0; c < k; c++) {
        for (int i = 0; i < n; i++) {
          Bracket b = coarse[c][i];
          start[c][i] = b == null ? 0 : Math.max(0, below[c][i] - (long) Math.ceil((2 + pass) * b.sigma()));
        }
      }
      Bracket[][] fine = ramp(device, spec, plan, cores, n, plan.fineMant(), 0, start, bias, FINE_STEPS);
      for (int c = 0; c < k; c++) {
        for (int i = 0; i < n; i++) {
          if (coarse[c][i] != null && fine[c][i] != null) {
            below[c][i] = Math.max(below[c][i], fine[c][i].below());
            above[c][i] = Math.min(above[c][i], fine[c][i].above() + Z * coarse[c][i].sigma());
          }
        }
      }
    }
    long unit = 1L << plan.thresholdShift();
    double[][] error = new double[k][n];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        error[c][i] = Double.NaN;
        Bracket b = coarse[c][i];
        if (skip[c][i] || b == null) {
          counts[3] += skip[c][i] ? 0 : 1;
          vth[c][i] = 1;
          continue;
        }
        long mant = Math.max(1, Math.floorDiv(below[c][i] + unit - 1, unit));
        vth[c][i] = mant / (double) plan.vth();
        error[c][i] = Math.max(0, above[c][i] - below[c][i]) / (double) (mant * unit) + 0.5 / plan.vth();
      }
    }
    return error;
  }

  /**
   * One neuron's threshold bracket from a ramp: every v recorded without a spike lies at or below
   * the effective threshold ({@code below}, their largest); the smallest value that fired is
   * {@code above} before its step's noise; {@code sigma} the spread of the steps' rises.
   */
  record Bracket(long below, double above, double sigma) {}

  /** Runs a ramp of bias {@code mant << exp} (no leak) from {@code start} (null: 0) and brackets each neuron. */
  private static Bracket[][] ramp(Device device, ChipSpec spec, CalibrationPlan plan, List<int[]> cores, int n,
      int mant, int exp, long[][] start, double[][] bias, int steps) {
    int k = cores.size();
    device.load(Calibration.image(spec, cores, n, -1, 0, plan.vth(), mant, exp, start));
    Calibration.attachAll(device, cores, ProbeKind.V);
    RunResult r = device.run(Stimulus.idle(steps));
    device.detachAll();
    Bracket[][] out = new Bracket[k][n];
    for (int c = 0; c < k; c++) {
      RunResult.Trace v = r.trace(Probe.of(ProbeKind.V, Calibration.population(cores.get(c))));
      boolean[][] spikes = spikeMatrix(r.output(Calibration.port(cores.get(c))), n, steps);
      for (int i = 0; i < n; i++) {
        long[] x = Calibration.column(v, i, steps);
        boolean[] s = spikes[i];
        long x0 = start == null ? 0 : start[c][i];
        // The ramp's step: the realized bias, known from the bias measurement.
        double step = Math.round(mant * bias[c][i]) * (double) (1L << exp);
        long below = Long.MIN_VALUE;
        double above = Double.MAX_VALUE;
        double sq = 0;
        int rises = 0;
        for (int t = 0; t < steps; t++) {
          long prev = t == 0 ? x0 : x[t - 1];
          if (s[t]) {
            above = Math.min(above, prev + step);
            continue;
          }
          below = Math.max(below, x[t]);
          if (t == 0 || !s[t - 1]) {
            double d = x[t] - prev - step;
            sq += d * d;
            rises++;
          }
        }
        if (below != Long.MIN_VALUE && above != Double.MAX_VALUE && step > 0) {
          out[c][i] = new Bracket(below, above, rises == 0 ? 0 : Math.sqrt(sq / rises));
        }
      }
    }
    return out;
  }

  /** The bias switched off and on every {@value #HALF_PERIOD} steps (on from step 0). */
  private static Stimulus switchedBias(List<int[]> cores, int n, int biasMant, int steps) {
    Stimulus.Builder b = Stimulus.builder(steps);
    int[] onValues = new int[n];
    Arrays.fill(onValues, biasMant);
    int[] offValues = new int[n];
    for (int t = HALF_PERIOD; t < steps; t += HALF_PERIOD) {
      for (int[] core : cores) {
        b.bias(t, Calibration.population(core), on(t) ? onValues : offValues);
      }
    }
    return b.build();
  }

  private static boolean[][] spikeMatrix(RunResult.SpikeEvents e, int n, int steps) {
    boolean[][] s = new boolean[n][steps];
    for (int j = 0; j < e.count(); j++) {
      int i = e.indices()[j];
      int t = e.steps()[j];
      if (i < n && t >= 0 && t < steps) {
        s[i][t] = true;
      }
    }
    return s;
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
