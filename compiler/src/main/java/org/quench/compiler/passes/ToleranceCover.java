package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.quench.compiler.ir.DiscreteNeurons;
import org.quench.compiler.ir.ResetMode;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;

/**
 * A precision target turned into cores: every neuron may take any decay pair and threshold within
 * the target's relative error of its request (its tolerance box), and neurons whose boxes overlap
 * share one profile row. Neurons are walked in an order that keeps similar neurons adjacent (a
 * Hilbert curve through (log tau_mem, log tau_syn, threshold) in cells of the tolerance's width);
 * each neuron joins the first row of the current core its box overlaps, else opens a row; a core
 * closes when it would need more than K decay rows, K' threshold rows or its neuron capacity. The
 * walk is greedy and linear: the core count is an upper estimate of what the target needs, and
 * every neuron whose target is reachable at all meets it by construction.
 *
 * <p>A neuron whose time constant the chip's decay resolution cannot bring within the target at
 * this dt (its nearest decay is already further off) is <em>resolution-limited</em>: its box is
 * that nearest decay alone, so it costs a row but never blocks others. See docs/precision.md.
 */
final class ToleranceCover {
  /** Bits per coordinate of the Hilbert curve (at most 63 / dimensions). */
  private static final int MAX_BITS = 20;

  private final int n;
  private final int[] duLo;
  private final int[] duHi;
  private final int[] dvLo;
  private final int[] dvHi;
  private final double[] thLo;
  private final double[] thHi;
  /** Refractory period and reset mode: part of the decay row, so never merged across. */
  private final long[] decayClass;
  private final boolean decays;
  private final boolean thresholds;
  private final int[] order;

  /**
   * The boxes of {@code d}'s neurons at relative tau error {@code tauError} and threshold error
   * {@code thresholdError} (either may be infinite: that dimension is then left to clustering).
   */
  ToleranceCover(DiscreteNeurons d, double tauError, double thresholdError, double dt,
      Discretization.Convention convention, ChipSpec spec) {
    n = d.size();
    decays = Double.isFinite(tauError);
    thresholds = Double.isFinite(thresholdError);
    duLo = new int[n];
    duHi = new int[n];
    dvLo = new int[n];
    dvHi = new int[n];
    thLo = new double[n];
    thHi = new double[n];
    decayClass = new long[n];
    int[] du = d.du();
    int[] dv = d.dv();
    double[] tauSyn = d.tauSynRequested();
    double[] tauMem = d.tauMemRequested();
    double[] th = d.threshold();
    int[] refr = d.refractory();
    ResetMode[] mode = d.resetMode();
    for (int i = 0; i < n; i++) {
      decayClass[i] = ((long) refr[i] << 8) | mode[i].ordinal();
      int[] s = DecayResolution.tolerated(Discretization.Variable.CURRENT, tauSyn[i], du[i],
          tauError, dt, convention, spec);
      int[] m = DecayResolution.tolerated(Discretization.Variable.VOLTAGE, tauMem[i], dv[i],
          tauError, dt, convention, spec);
      duLo[i] = s[0];
      duHi[i] = s[1];
      dvLo[i] = m[0];
      dvHi[i] = m[1];
      if (Double.isFinite(th[i]) && thresholds) {
        double a = th[i] * (1 - thresholdError);
        double b = th[i] * (1 + thresholdError);
        thLo[i] = Math.min(a, b);
        thHi[i] = Math.max(a, b);
      } else {
        thLo[i] = th[i];
        thHi[i] = th[i];
      }
    }
    order = hilbertOrder(tauMem, tauSyn, th, tauError, thresholdError);
  }

  /** The walk order: neurons near each other in (log tau_mem, log tau_syn, threshold) adjacent. */
  int[] order() {
    return order.clone();
  }

  /**
   * The cover for neurons of at most {@code capacity} per core, {@code kd} decay and {@code kt}
   * threshold rows per core.
   */
  Cover cover(int capacity, int kd, int kt, int[] du, int[] dv, double[] th) {
    List<Integer> starts = new ArrayList<>();
    int[] outDu = du.clone();
    int[] outDv = dv.clone();
    double[] outTh = th.clone();
    Rows rows = new Rows(kd, kt);
    int inCore = 0;
    for (int q = 0; q < n; q++) {
      int i = order[q];
      int dRow = decays ? rows.decayRowFor(i) : 0;
      int tRow = thresholds ? rows.thresholdRowFor(i) : 0;
      boolean full = inCore == capacity || (dRow < 0 && rows.decayCount == kd)
          || (tRow < 0 && rows.thresholdCount == kt);
      if (q == 0 || full) {
        if (q > 0) {
          rows.assign(outDu, outDv, outTh);
        }
        starts.add(q);
        rows = new Rows(kd, kt);
        inCore = 0;
        dRow = -1;
        tRow = -1;
      }
      if (decays) {
        rows.joinDecay(i, dRow);
      }
      if (thresholds) {
        rows.joinThreshold(i, tRow);
      }
      inCore++;
    }
    if (n > 0) {
      rows.assign(outDu, outDv, outTh);
    }
    return new Cover(order.clone(), starts.stream().mapToInt(Integer::intValue).toArray(), outDu,
        outDv, outTh);
  }

  /**
   * A cover: the walk order, where each core's neurons start in it, and the decays and thresholds
   * chosen (the covered dimensions only; others keep the input values).
   */
  record Cover(int[] order, int[] starts, int[] du, int[] dv, double[] threshold) {
    int cores() {
      return starts.length;
    }

    /** Chunk boundaries in order positions: starts plus n. */
    int[] bounds() {
      int[] b = Arrays.copyOf(starts, starts.length + 1);
      b[starts.length] = order.length;
      return b;
    }
  }

  /** The rows of the core being filled: each the intersection of its members' boxes. */
  private final class Rows {
    final int[] rLoU;
    final int[] rHiU;
    final int[] rLoV;
    final int[] rHiV;
    final long[] rClass;
    final List<List<Integer>> decayMembers = new ArrayList<>();
    int decayCount;
    final double[] tLo;
    final double[] tHi;
    final List<List<Integer>> thresholdMembers = new ArrayList<>();
    int thresholdCount;

    Rows(int kd, int kt) {
      rLoU = new int[kd];
      rHiU = new int[kd];
      rLoV = new int[kd];
      rHiV = new int[kd];
      rClass = new long[kd];
      tLo = new double[kt];
      tHi = new double[kt];
    }

    int decayRowFor(int i) {
      for (int r = 0; r < decayCount; r++) {
        if (rClass[r] == decayClass[i] && Math.max(rLoU[r], duLo[i]) <= Math.min(rHiU[r], duHi[i])
            && Math.max(rLoV[r], dvLo[i]) <= Math.min(rHiV[r], dvHi[i])) {
          return r;
        }
      }
      return -1;
    }

    int thresholdRowFor(int i) {
      for (int r = 0; r < thresholdCount; r++) {
        if (Math.max(tLo[r], thLo[i]) <= Math.min(tHi[r], thHi[i])) {
          return r;
        }
      }
      return -1;
    }

    void joinDecay(int i, int r) {
      if (r < 0) {
        r = decayCount++;
        rLoU[r] = duLo[i];
        rHiU[r] = duHi[i];
        rLoV[r] = dvLo[i];
        rHiV[r] = dvHi[i];
        rClass[r] = decayClass[i];
        decayMembers.add(new ArrayList<>());
      } else {
        rLoU[r] = Math.max(rLoU[r], duLo[i]);
        rHiU[r] = Math.min(rHiU[r], duHi[i]);
        rLoV[r] = Math.max(rLoV[r], dvLo[i]);
        rHiV[r] = Math.min(rHiV[r], dvHi[i]);
      }
      decayMembers.get(r).add(i);
    }

    void joinThreshold(int i, int r) {
      if (r < 0) {
        r = thresholdCount++;
        tLo[r] = thLo[i];
        tHi[r] = thHi[i];
        thresholdMembers.add(new ArrayList<>());
      } else {
        tLo[r] = Math.max(tLo[r], thLo[i]);
        tHi[r] = Math.min(tHi[r], thHi[i]);
      }
      thresholdMembers.get(r).add(i);
    }

    /** Every member takes its row's value: the middle of the row's intersection. */
    void assign(int[] du, int[] dv, double[] th) {
      for (int r = 0; r < decayCount; r++) {
        int u = (int) Math.floor((rLoU[r] + (double) rHiU[r]) / 2);
        int v = (int) Math.floor((rLoV[r] + (double) rHiV[r]) / 2);
        for (int i : decayMembers.get(r)) {
          du[i] = u;
          dv[i] = v;
        }
      }
      for (int r = 0; r < thresholdCount; r++) {
        double t = tLo[r] == tHi[r] ? tLo[r] : (tLo[r] + tHi[r]) / 2;
        for (int i : thresholdMembers.get(r)) {
          th[i] = t;
        }
      }
    }
  }

  /**
   * Neurons sorted along a Hilbert curve through the targeted dimensions, each coordinate in cells
   * of the tolerance's width (log tau for time constants, the threshold itself); ties in index
   * order. With no targeted dimension that varies: index order.
   */
  private static int[] hilbertOrder(double[] tauMem, double[] tauSyn, double[] th, double tauError,
      double thresholdError) {
    int n = tauMem.length;
    List<double[]> dims = new ArrayList<>();
    List<Double> widths = new ArrayList<>();
    if (Double.isFinite(tauError)) {
      dims.add(logs(tauMem));
      dims.add(logs(tauSyn));
      widths.add(2 * Math.max(tauError, 1e-6));
      widths.add(2 * Math.max(tauError, 1e-6));
    }
    if (Double.isFinite(thresholdError)) {
      double[] t = new double[n];
      double mag = 0;
      for (int i = 0; i < n; i++) {
        t[i] = Double.isFinite(th[i]) ? th[i] : Double.NaN;
        mag = Double.isFinite(th[i]) ? Math.max(mag, Math.abs(th[i])) : mag;
      }
      dims.add(t);
      // A threshold's box is proportional to it: cells as wide as the median-sized box.
      widths.add(2 * Math.max(thresholdError, 1e-6) * Math.max(mag / 2, 1e-12));
    }
    int[] identity = new int[n];
    for (int i = 0; i < n; i++) {
      identity[i] = i;
    }
    if (dims.isEmpty() || n == 0) {
      return identity;
    }
    int dim = dims.size();
    int bits = Math.min(MAX_BITS, 63 / dim);
    int[][] cells = new int[dim][n];
    int maxCell = 0;
    for (int k = 0; k < dim; k++) {
      double[] v = dims.get(k);
      double min = Double.POSITIVE_INFINITY;
      for (double x : v) {
        if (Double.isFinite(x)) {
          min = Math.min(min, x);
        }
      }
      for (int i = 0; i < n; i++) {
        // Special values (tau 0 or infinite, no threshold) sit at the curve's origin.
        double c = Double.isFinite(v[i]) ? (v[i] - min) / widths.get(k) : 0;
        cells[k][i] = (int) Math.min((1 << bits) - 1, Math.floor(c));
        maxCell = Math.max(maxCell, cells[k][i]);
      }
    }
    int used = Math.max(1, 32 - Integer.numberOfLeadingZeros(maxCell));
    long[] keys = new long[n];
    int[] x = new int[dim];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < dim; k++) {
        x[k] = cells[k][i];
      }
      keys[i] = hilbertIndex(x, used);
    }
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> keys[a] != keys[b] ? Long.compare(keys[a], keys[b]) : Integer.compare(a, b));
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  private static double[] logs(double[] tau) {
    double[] out = new double[tau.length];
    for (int i = 0; i < tau.length; i++) {
      out[i] = tau[i] > 0 && Double.isFinite(tau[i]) ? Math.log(tau[i]) : Double.NaN;
    }
    return out;
  }

  /**
   * The position of a point on the Hilbert curve of {@code x.length} dimensions with
   * {@code bits} bits per coordinate (Skilling's transpose form, then bits interleaved most
   * significant first). {@code x} is overwritten.
   */
  static long hilbertIndex(int[] x, int bits) {
    int dim = x.length;
    int top = 1 << (bits - 1);
    for (int q = top; q > 1; q >>= 1) {
      int p = q - 1;
      for (int i = 0; i < dim; i++) {
        if ((x[i] & q) != 0) {
          x[0] ^= p;
        } else {
          int t = (x[0] ^ x[i]) & p;
          x[0] ^= t;
          x[i] ^= t;
        }
      }
    }
    for (int i = 1; i < dim; i++) {
      x[i] ^= x[i - 1];
    }
    int t = 0;
    for (int q = top; q > 1; q >>= 1) {
      if ((x[dim - 1] & q) != 0) {
        t ^= q - 1;
      }
    }
    for (int i = 0; i < dim; i++) {
      x[i] ^= t;
    }
    long h = 0;
    for (int b = bits - 1; b >= 0; b--) {
      for (int i = 0; i < dim; i++) {
        h = (h << 1) | ((x[i] >> b) & 1);
      }
    }
    return h;
  }
}
