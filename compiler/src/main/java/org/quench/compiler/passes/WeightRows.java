package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.List;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.WeightQuantizer;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.SignMode;

/**
 * One projection's requested weights rounded row by row (a row: the synapses into one target
 * neuron) at every exponent the chip offers, kept as sums a group of rows can add up: squared
 * error, clipped count, the OR of the mantissas (which gives the group's weight bits) and the
 * squared error of clipped weights. From these the error of any group of target neurons sharing
 * one exponent (one core's axon group) follows without rounding again, choosing the exponent
 * exactly as {@link CoreWeightExponents} does: the least squared error among the exponents that
 * keep the sign mode, need no more weight bits than the projection's format and clip no more of the
 * group's weights than the projection's exponent.
 *
 * <p>Because each weight rounds on its own, a subgroup can always keep its parent's exponent, so
 * splitting a group never raises the error, and one row per group (an exponent per target neuron)
 * is the least error any partition reaches: the {@linkplain #floor() floor}, what the mantissa's
 * bits and clipping alone leave. See docs/precision.md.
 */
final class WeightRows {
  final Projection projection;
  /** Index of the target population in the network. */
  final int population;
  final SignMode mode;
  /** How the rows round and which exponent a group of them takes. */
  final GroupExponent rule;
  final ChipSpec spec;
  /** Sum of squared requested weights. */
  final double norm;
  /** Per row t and exponent slot x, at {@code t * slots + x}. */
  final double[] sse;
  final double[] clipSse;
  final int[] clipped;
  final int[] or;
  /** Per row: the squared error and clipped squared error at its own best exponent. */
  final double[] rowFloor;
  final double[] rowFloorClip;
  /** Per row: log2 of its largest |requested weight|, NaN for a row without weights. */
  final double[] logMax;
  private final int slots;

  private WeightRows(Projection p, int population, ChipSpec spec) {
    projection = p;
    this.population = population;
    this.spec = spec;
    mode = SignMode.valueOf(p.format().signMode().name());
    rule = new GroupExponent(mode, p.format().weightExp(), p.format().numWeightBits(), spec);
    slots = rule.exponents.length;
    double[] req = p.requestedWeights();
    IncomingSynapses in = new IncomingSynapses(p);
    int targets = p.targetSize();
    sse = new double[targets * slots];
    clipSse = new double[targets * slots];
    clipped = new int[targets * slots];
    or = new int[targets * slots];
    rowFloor = new double[targets];
    rowFloorClip = new double[targets];
    logMax = new double[targets];
    double n2 = 0;
    for (int t = 0; t < targets; t++) {
      int len = in.start[t + 1] - in.start[t];
      double[] row = new double[len];
      double max = 0;
      for (int q = 0; q < len; q++) {
        row[q] = req[in.synapse[in.start[t] + q]];
        max = Math.max(max, Math.abs(row[q]));
        n2 += row[q] * row[q];
      }
      logMax[t] = max > 0 ? Math.log(max) / Math.log(2) : Double.NaN;
      if (len == 0) {
        continue;
      }
      rule.round(row, sse, clipSse, clipped, or, t * slots);
      int b = best(sse, clipped, or, t * slots);
      rowFloor[t] = sse[t * slots + b];
      rowFloorClip[t] = clipSse[t * slots + b];
    }
    norm = n2;
  }

  /**
   * One projection's rule for rounding rows and choosing a group's exponent: its sign mode (the
   * chip keeps one per projection, whatever the signs within a row), its exponent and its weight
   * bits. The floor here and {@link WeightErrorAttribution}'s mantissa cause both follow it, so the
   * report's causes and the weight target's floor measure the same thing.
   */
  static final class GroupExponent {
    final SignMode mode;
    /** Exponents in tie order (the order {@link WeightQuantizer} breaks ties in). */
    final int[] exponents;
    /** Position of the projection's own exponent in {@link #exponents}. */
    final int sharedSlot;
    final int maxBits;
    final ChipSpec spec;
    /** The lattice's step: MIXED keeps even mantissas only ({@link WeightQuantizer}). */
    private final double step;

    GroupExponent(SignMode mode, int sharedExp, int maxBits, ChipSpec spec) {
      this.mode = mode;
      this.maxBits = maxBits;
      this.spec = spec;
      exponents = WeightQuantizer.exponentsInTieOrder(spec.weightExpMin(), spec.weightExpMax());
      int shared = -1;
      for (int x = 0; x < exponents.length; x++) {
        shared = exponents[x] == sharedExp ? x : shared;
      }
      sharedSlot = shared;
      step = mode == SignMode.MIXED ? 2.0 : 1.0;
    }

    /**
     * Rounds one row (requested weights, chip activation units) at every exponent, writing its
     * sums per slot at {@code base} of the arrays.
     */
    void round(double[] row, double[] sse, double[] clipSse, int[] clipped, int[] or, int base) {
      double max = 0;
      double rowNorm = 0;
      for (double w : row) {
        max = Math.max(max, Math.abs(w));
        rowNorm += w * w;
      }
      for (int x = 0; x < exponents.length; x++) {
        int e = exponents[x];
        int at = base + x;
        if (max < Math.scalb(step, e) * 0.5) {
          // Every weight is below half the step: all round to 0, nothing clips.
          sse[at] = rowNorm;
          continue;
        }
        double[] sums = WeightQuantizer.roundingSums(row, mode, e, spec);
        sse[at] = sums[0];
        clipSse[at] = sums[1];
        clipped[at] = (int) sums[2];
        or[at] = (int) sums[3];
      }
    }

    /**
     * The exponent slot a group takes, given its sums per slot at {@code base} of the arrays
     * ({@link CoreWeightExponents}'s rule: the shared exponent unless an admissible one has less
     * error by more than a relative 1e-12; ties in tie order).
     */
    int best(double[] groupSse, int[] groupClipped, int[] groupOr, int base) {
      int bestSlot = sharedSlot;
      double bestSse = groupSse[base + sharedSlot];
      int clipLimit = groupClipped[base + sharedSlot];
      for (int x = 0; x < exponents.length; x++) {
        if (x == sharedSlot || groupClipped[base + x] > clipLimit
            || WeightQuantizer.numWeightBits(groupOr[base + x], mode, spec) > maxBits) {
          continue;
        }
        if (groupSse[base + x] < bestSse * (1 - 1e-12)) {
          bestSse = groupSse[base + x];
          bestSlot = x;
        }
      }
      return bestSlot;
    }

    /**
     * One row alone, with the exponent it would take as its own group: {squared error, squared
     * error of its clipped weights}.
     */
    double[] alone(double[] row) {
      int n = exponents.length;
      double[] sse = new double[n];
      double[] clipSse = new double[n];
      int[] clipped = new int[n];
      int[] or = new int[n];
      round(row, sse, clipSse, clipped, or, 0);
      int b = best(sse, clipped, or, 0);
      return new double[] {sse[b], clipSse[b]};
    }
  }

  /**
   * The projections whose weights the quantize pass rounded from float weights (dense, with
   * requested weights): the ones {@link CoreWeightExponents} gives an exponent per core and a weight
   * target judges.
   */
  static List<WeightRows> of(Network net, ChipSpec spec) {
    List<WeightRows> out = new ArrayList<>();
    for (Projection p : net.projections()) {
      if (judged(p)) {
        out.add(new WeightRows(p, net.indexOf(p.target()), spec));
      }
    }
    return out;
  }

  /** Whether {@link CoreWeightExponents} chooses exponents per core for {@code p}. */
  static boolean judged(Projection p) {
    double[] req = p.requestedWeights();
    return req != null && p.format().kind() == ConnectionKind.DENSE && req.length > 0;
  }

  int slots() {
    return slots;
  }

  /** {@link GroupExponent#best}: the exponent slot a group with these sums takes. */
  int best(double[] groupSse, int[] groupClipped, int[] groupOr, int base) {
    return rule.best(groupSse, groupClipped, groupOr, base);
  }

  /** Squared error of the rows {@code members[from..to)} sharing one exponent. */
  double groupSse(int[] members, int from, int to) {
    double[] s = new double[slots];
    int[] c = new int[slots];
    int[] o = new int[slots];
    for (int q = from; q < to; q++) {
      int base = members[q] * slots;
      for (int x = 0; x < slots; x++) {
        s[x] += sse[base + x];
        c[x] += clipped[base + x];
        o[x] |= or[base + x];
      }
    }
    return s[best(s, c, o, 0)];
  }

  /** Squared error of the rows {@code members[from..to)} with an exponent each. */
  double floorSse(int[] members, int from, int to) {
    double f = 0;
    for (int q = from; q < to; q++) {
      f += rowFloor[members[q]];
    }
    return f;
  }

  /** The RMS relative error with an exponent per target neuron: what cores cannot lower. */
  double floor() {
    double f = 0;
    for (double r : rowFloor) {
      f += r;
    }
    return rms(f);
  }

  /** The clipped weights' share of {@link #floor()} (RMS relative). */
  double floorClipping() {
    double f = 0;
    for (double r : rowFloorClip) {
      f += r;
    }
    return rms(f);
  }

  /** An RMS relative error from a squared error of this projection's weights. */
  double rms(double squaredError) {
    return norm == 0 ? 0 : Math.sqrt(squaredError / norm);
  }

  /**
   * Per cut position c in 1..m-1 of {@code members} (m of them, in the order given), the squared
   * error of the two groups {@code members[0..c)} and {@code members[c..m)}, each with its own
   * exponent; index 0 unused. Linear in m: the sums per slot are prefix sums.
   */
  double[] cutSse(int[] members) {
    int m = members.length;
    double[] pre = new double[(m + 1) * slots];
    int[] preClip = new int[(m + 1) * slots];
    int[] preOr = new int[(m + 1) * slots];
    int[] sufOr = new int[(m + 1) * slots];
    for (int q = 0; q < m; q++) {
      int row = members[q] * slots;
      int at = q * slots;
      int next = at + slots;
      for (int x = 0; x < slots; x++) {
        pre[next + x] = pre[at + x] + sse[row + x];
        preClip[next + x] = preClip[at + x] + clipped[row + x];
        preOr[next + x] = preOr[at + x] | or[row + x];
      }
    }
    for (int q = m - 1; q >= 0; q--) {
      int row = members[q] * slots;
      for (int x = 0; x < slots; x++) {
        sufOr[q * slots + x] = sufOr[(q + 1) * slots + x] | or[row + x];
      }
    }
    double[] out = new double[m];
    double[] rs = new double[slots];
    int[] rc = new int[slots];
    int[] ro = new int[slots];
    int total = m * slots;
    for (int c = 1; c < m; c++) {
      int at = c * slots;
      for (int x = 0; x < slots; x++) {
        rs[x] = Math.max(0, pre[total + x] - pre[at + x]);
        rc[x] = preClip[total + x] - preClip[at + x];
      }
      double left = pre[at + best(pre, preClip, preOr, at)];
      System.arraycopy(sufOr, at, ro, 0, slots);
      double right = rs[best(rs, rc, ro, 0)];
      out[c] = left + right;
    }
    return out;
  }
}
