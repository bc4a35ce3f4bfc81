package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.quant.WeightQuantizer;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Gives each (projection, destination core) its own weight exponent once the partition is known.
 * The chip holds one exponent per axon group, and the compiler emits one axon group per
 * (projection, core) (docs/chip-semantics.md), so the neurons of one core need not share an
 * exponent with the neurons of another. Targets whose folded input gains differ (e.g. dt/tau_syn)
 * receive weights of different magnitudes; one exponent for all of them rounds the small ones
 * coarsely. See docs/precision.md.
 *
 * <p>Per core, the exponent with the least squared error of that core's weights wins (ties as in
 * {@link WeightQuantizer}), among the exponents that keep the projection's sign mode, need no more
 * weight bits than the projection's format (the partition counted synapse memory with them) and
 * clip no more of the core's weights than the projection's exponent did. The projection's exponent
 * always qualifies, so no core's error grows. Only projections the quantize pass rounded from float
 * weights are touched (netx weights come fixed). The report's weight entries are updated, the
 * warning about many zeroed weights is given here, and the {@code maxWeightError} target is
 * checked here, both on the final weights ({@link WeightTargetCores} has split cores to meet it, or
 * failed with the causes, before; this check guards pipelines without it).
 */
public final class CoreWeightExponents {
  /** Chooses the exponents on {@code mapping}'s partition; the same mapping when nothing changes. */
  public Mapping apply(Mapping mapping, PassContext context) {
    Network net = mapping.network();
    ChipSpec spec = context.spec();
    Network.Builder out = net.toBuilder();
    boolean changed = false;
    int refined = 0;
    List<String> misses = new ArrayList<>();
    boolean gainsSpread = false;
    double target = context.options().relativeError(Quantize.MAX_WEIGHT_ERROR);
    for (Projection p : net.projections()) {
      if (!WeightRows.judged(p)) {
        continue;
      }
      double[] req = p.requestedWeights();
      int tp = net.indexOf(p.target());
      Choice c = choose(p, req, t -> mapping.coreOf(tp, t), mapping.cores().size(), spec);
      CompileReport.ProjectionQuality before = context.report().projectionQuality(p.name());
      CompileReport.ProjectionQuality after = quality(p, req, c, before, spec);
      if (c.min != p.format().weightExp() || c.max != p.format().weightExp()) {
        out.replaceProjection(p.withFixedWeights(c.mantissa, p.format(), req, c.targetExp));
        changed = true;
        refined++;
        context.report().decision(String.format(Locale.ROOT, "core-weight-exponents: projection"
            + " '%s' exponents %d..%d over %d core(s): RMS weight error %s (one exponent: %s)",
            p.name(), c.min, c.max, c.cores, CompileReport.percent(after.rmsRelError()),
            CompileReport.percent(c.sharedRms)));
      }
      context.report().projection(after);
      if (after.zeroed() > Quantize.ZEROED_ALARM * p.synapseCount()) {
        context.report().warning(String.format(Locale.ROOT, "projection '%s': %d of %d weights"
            + " (%.0f %%) are too small for %d bits at weight exponent %s and became 0; check the"
            + " effect with quench verify", p.name(), after.zeroed(), p.synapseCount(),
            100.0 * after.zeroed() / p.synapseCount(), after.numWeightBits(),
            c.min == c.max ? Integer.toString(c.min) : c.min + ".." + c.max + " (per core)"));
      }
      // WeightTargetCores met the target on sums of the same rounding; allow for their order.
      if (after.rmsRelError() > target * (1 + 1e-9)) {
        misses.add(describe(after));
        gainsSpread |= after.causes() != null && after.causes().foldedGain() > 0;
      }
    }
    if (!misses.isEmpty()) {
      throw new QuenchException("--max-weight-error " + target + " is missed after choosing an"
          + " exponent per core: " + String.join("; ", misses) + ": fewer tiny weights (prune), "
          + (gainsSpread ? "more uniform tau_syn per population (or a --max-tau-error target, which"
              + " puts similar neurons on the same core), " : "") + "or a chip with more weight bits");
    }
    if (refined > 0) {
      context.report().decision("core-weight-exponents: " + refined + " projection(s) use an"
          + " exponent per destination core");
    }
    return changed ? mapping.withNetwork(out.build()) : mapping;
  }

  private static String describe(CompileReport.ProjectionQuality q) {
    CompileReport.WeightErrorCauses c = q.causes();
    return "projection '" + q.projection() + "' " + CompileReport.percent(q.rmsRelError())
        + (c == null ? "" : " = mantissa " + CompileReport.percent(c.mantissa()) + ", shared exponent "
            + CompileReport.percent(c.sharedExponent()) + ", clipping " + CompileReport.percent(c.clipping())
            + " (folded per-neuron gain " + CompileReport.percent(c.foldedGain()) + ")");
  }

  /** Which group (core) a target neuron belongs to. */
  interface GroupOf {
    int of(int target);
  }

  /**
   * The exponents chosen per group and the weights rounded at them.
   *
   * @param mantissa per synapse
   * @param targetExp per target neuron (targets without synapses: the projection's exponent)
   * @param synapseExp per synapse
   * @param sharedRms the RMS relative error with the projection's one exponent
   * @param rms the RMS relative error with an exponent per group
   */
  record Choice(int[] mantissa, int[] targetExp, int[] synapseExp, double sharedRms, double rms,
      int clipped, int zeroed, double maxRelError, int min, int max, int cores) {}

  /**
   * Rounds {@code req} (chip activation units, synapse order of {@code p}) with one exponent per
   * group of target neurons.
   */
  static Choice choose(Projection p, double[] req, GroupOf groupOf, int groups, ChipSpec spec) {
    org.quench.hal.proto.SignMode mode = org.quench.hal.proto.SignMode.valueOf(p.format().signMode().name());
    int shared = p.format().weightExp();
    int maxBits = p.format().numWeightBits();
    int n = req.length;
    int[] groupOfSynapse = new int[n];
    int[] size = new int[groups];
    for (int k = 0; k < n; k++) {
      groupOfSynapse[k] = groupOf.of(p.target(k));
      size[groupOfSynapse[k]]++;
    }
    int[][] members = new int[groups][];
    for (int g = 0; g < groups; g++) {
      members[g] = new int[size[g]];
    }
    int[] fill = new int[groups];
    for (int k = 0; k < n; k++) {
      int g = groupOfSynapse[k];
      members[g][fill[g]++] = k;
    }
    int[] mant = new int[n];
    int[] synExp = new int[n];
    int[] groupExp = new int[groups];
    java.util.Arrays.fill(groupExp, shared);
    int[] order = WeightQuantizer.exponentsInTieOrder(spec.weightExpMin(), spec.weightExpMax());
    double norm = 0;
    double sse = 0;
    double sharedSse = 0;
    double maxAbs = 0;
    double maxReq = 0;
    int clipped = 0;
    int zeroed = 0;
    int used = 0;
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (int g = 0; g < groups; g++) {
      if (members[g].length == 0) {
        continue;
      }
      used++;
      double[] w = new double[members[g].length];
      for (int q = 0; q < w.length; q++) {
        w[q] = req[members[g][q]];
      }
      double groupNorm = 0;
      for (double x : w) {
        groupNorm += x * x;
      }
      WeightQuantizer.Result atShared = WeightQuantizer.quantize(w, 1.0, mode, shared, spec);
      WeightQuantizer.Result best = atShared;
      double bestSse = sse(atShared, groupNorm);
      double groupSharedSse = bestSse;
      for (int e : order) {
        if (e == shared) {
          continue;
        }
        WeightQuantizer.Result r = WeightQuantizer.quantize(w, 1.0, mode, e, spec);
        if (r.numWeightBits() > maxBits || r.clipped() > atShared.clipped()) {
          continue;
        }
        double s = sse(r, groupNorm);
        if (s < bestSse * (1 - 1e-12)) {
          best = r;
          bestSse = s;
        }
      }
      groupExp[g] = best.weightExp();
      lo = Math.min(lo, best.weightExp());
      hi = Math.max(hi, best.weightExp());
      for (int q = 0; q < w.length; q++) {
        int k = members[g][q];
        mant[k] = best.weights()[q];
        synExp[k] = best.weightExp();
        norm += w[q] * w[q];
        maxReq = Math.max(maxReq, Math.abs(w[q]));
        maxAbs = Math.max(maxAbs, Math.abs(best.effective(q) - w[q]));
        if (mant[k] == 0 && w[q] != 0) {
          zeroed++;
        }
      }
      clipped += best.clipped();
      sse += bestSse;
      sharedSse += groupSharedSse;
    }
    int[] targetExp = new int[p.targetSize()];
    for (int t = 0; t < targetExp.length; t++) {
      targetExp[t] = groupExp[groupOf.of(t)];
    }
    return new Choice(mant, targetExp, synExp, norm == 0 ? 0 : Math.sqrt(sharedSse / norm),
        norm == 0 ? 0 : Math.sqrt(sse / norm), clipped, zeroed, maxReq == 0 ? 0 : maxAbs / maxReq,
        used == 0 ? shared : lo, used == 0 ? shared : hi, used);
  }

  /**
   * The part of an RMS error {@code rms} (exponents per core) that the spread of folded per-neuron
   * gains causes, against the quantize pass's error with equal gains and one exponent
   * ({@code before}'s total less its folded part, in squares); 0 without that entry.
   */
  static double foldedGain(CompileReport.ProjectionQuality before, double rms) {
    if (before == null || before.causes() == null || before.causes().foldedGain() == 0) {
      return 0;
    }
    double t0 = before.rmsRelError();
    double f0 = before.causes().foldedGain();
    double uniform2 = Math.max(0, t0 * t0 - f0 * f0);
    return Math.sqrt(Math.max(0, rms * rms - uniform2));
  }

  /** Squared error of weights whose squares sum to {@code norm}, from their RMS relative error. */
  private static double sse(WeightQuantizer.Result r, double norm) {
    return r.rmsRelError() * r.rmsRelError() * norm;
  }

  /**
   * The projection's report entry for the per-core weights: errors and causes recomputed; the
   * folded-gain share keeps the quantize pass's error with uniform gains ({@code before}) as its
   * baseline, so it shows how much of the gains' effect co-location and per-core exponents left.
   */
  private static CompileReport.ProjectionQuality quality(Projection p, double[] req, Choice c,
      CompileReport.ProjectionQuality before, ChipSpec spec) {
    double[] got = new double[req.length];
    for (int k = 0; k < req.length; k++) {
      got[k] = Math.scalb((double) c.mantissa[k], c.synapseExp[k]);
    }
    org.quench.hal.proto.SignMode mode = org.quench.hal.proto.SignMode.valueOf(p.format().signMode().name());
    double[] split = WeightErrorAttribution.split(p, req, got, c.synapseExp, new WeightRows.GroupExponent(
        mode, p.format().weightExp(), p.format().numWeightBits(), spec));
    CompileReport.WeightErrorCauses causes;
    if (split == null) {
      causes = new CompileReport.WeightErrorCauses(0, 0, 0, 0);
    } else {
      causes = new CompileReport.WeightErrorCauses(split[0], split[1], split[2], foldedGain(before, c.rms));
    }
    SignMode sm = p.format().signMode();
    return new CompileReport.ProjectionQuality(p.name(), p.synapseCount(), p.format().weightExp(),
        p.format().numWeightBits(), sm.name(), c.clipped, c.zeroed, c.rms, c.maxRelError, causes,
        c.min, c.max, c.sharedRms);
  }
}
