package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.FixedPoint;
import org.quench.compiler.quant.OverflowBound;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.WeightRules;

/**
 * The static worst-case state bound (every input spiking every step, {@link OverflowBound}) of each
 * population the quantize pass gave a scale, computed once, on the network the image is emitted
 * from: after the final cores' rows are fitted (ProfileBudget.fitFinalCores) and each core's
 * weights are rounded at its own exponent ({@link CoreWeightExponents}), so the report's u/v
 * headroom and the "u may wrap" / "v may saturate" warnings describe the weights, decays, biases
 * and thresholds the image holds. Populations that came fixed (netx) get no entry, as before.
 *
 * <p>The per-step drive is summed as the chip sums it (docs/chip-semantics.md#activation-and-the-weight-exponent):
 * per axon group (one per projection and destination core, so per projection and target neuron),
 * per delay, the prepared weights (clip and truncation as the core does them) times the largest
 * payload, shifted by the target's exponent, a negative exponent flooring each sum on its own.
 */
public final class StateHeadroom {
  /**
   * Reports the headroom of {@code mapping}'s quantized populations and warns where u may wrap (not
   * for populations whose scale came from observed ranges: {@code calibrated}) or v may saturate.
   */
  public void apply(Mapping mapping, PassContext context, Predicate<String> calibrated) {
    Network net = mapping.network();
    ChipSpec spec = context.spec();
    CompileReport.Builder report = context.report();
    for (Population pop : net.populations()) {
      String name = pop.name();
      if (!pop.isFixed() || report.scale(name) <= 0) {
        continue;
      }
      List<Projection> incoming = new ArrayList<>();
      for (Projection pr : net.projections()) {
        if (pr.target().equals(name) && pr.isFixed()) {
          incoming.add(pr);
        }
      }
      OverflowBound.Bound ob = bound(pop.fixed(), incoming, spec);
      report.headroom(name, ob.uHeadroomBits(), ob.vHeadroomBits());
      String who = "population '" + name + "'";
      if (ob.uMayWrap() && !calibrated.test(name)) {
        report.warning(wrapWarning(who, ob));
      }
      if (ob.vMaySaturate()) {
        report.warning(saturationWarning(who, ob));
      }
    }
  }

  /**
   * The static worst-case state bound of a fixed-point population ({@link OverflowBound#bound}:
   * every input spiking every step) from its {@code incoming} fixed-point projections, its decays,
   * effective bias and effective threshold. Each projection reaches a neuron through one axon group
   * (the neuron's core's); its synapses onto the neuron are summed per delay, each sign on its own,
   * and each sum enters as the chip shifts it ({@link OverflowBound.WorstCaseDrive}).
   */
  static OverflowBound.Bound bound(FixedNeurons neurons, List<Projection> incoming, ChipSpec spec) {
    int n = neurons.size();
    OverflowBound.WorstCaseDrive drive = new OverflowBound.WorstCaseDrive(n);
    long[] largest = new long[n];
    long[] smallest = new long[n];
    boolean[] touched = new boolean[n];
    int[] touchedList = new int[n];
    for (Projection p : incoming) {
      boolean conv = p.format().kind() == ConnectionKind.CONV;
      org.quench.hal.proto.SignMode mode = Emit.sign(p.format().signMode());
      // Payloads: a binary group counts every spike (even a -1) as 1; a graded one multiplies by
      // the payload, from the host's signed range or a neuron's +-1.
      long hi = 1;
      long lo = 0;
      if (p.numMessageBits() > 0) {
        ChipSpec.Range r = ChipSpec.payloadRange(p.numMessageBits());
        hi = Math.max(r.max(), 1);
        lo = Math.min(r.min(), -1);
      }
      int[] m = p.fixedWeights();
      for (int[] synapses : byDelay(p)) {
        int count = 0;
        for (int k : synapses) {
          int t = p.target(k);
          long w = conv ? m[k] : WeightRules.prepare(m[k], mode, p.format().numWeightBits(), spec);
          if (!touched[t]) {
            touched[t] = true;
            touchedList[count++] = t;
          }
          largest[t] += w > 0 ? w * hi : w * lo;
          smallest[t] += w > 0 ? w * lo : w * hi;
        }
        for (int q = 0; q < count; q++) {
          int t = touchedList[q];
          if (conv) {
            drive.addWrapped(t, largest[t], smallest[t], spec.stateBits());
          } else {
            drive.add(t, largest[t], smallest[t], p.weightExp(t));
          }
          largest[t] = 0;
          smallest[t] = 0;
          touched[t] = false;
        }
      }
    }
    long[] effBias = new long[n];
    long[] effVth = new long[n];
    for (int i = 0; i < n; i++) {
      effBias[i] = FixedPoint.effectiveBias(neurons.biasMant(i), neurons.biasExp(i));
      effVth[i] = (long) neurons.vth(i) << spec.thresholdShift();
    }
    return drive.bound(neurons.du(), neurons.dv(), effBias, effVth, 0, spec);
  }

  /** A projection's synapse ids grouped by delay (ascending), each group in synapse order. */
  private static List<int[]> byDelay(Projection p) {
    int s = p.synapseCount();
    if (!p.hasDelays()) {
      int[] all = new int[s];
      Arrays.setAll(all, k -> k);
      return List.of(all);
    }
    int[] count = new int[p.maxDelay() + 2];
    for (int k = 0; k < s; k++) {
      count[p.delay(k) + 1]++;
    }
    for (int d = 1; d < count.length; d++) {
      count[d] += count[d - 1];
    }
    int[] order = new int[s];
    int[] next = Arrays.copyOf(count, count.length - 1);
    for (int k = 0; k < s; k++) {
      order[next[p.delay(k)]++] = k;
    }
    List<int[]> out = new ArrayList<>();
    for (int d = 0; d + 1 < count.length; d++) {
      if (count[d + 1] > count[d]) {
        out.add(Arrays.copyOfRange(order, count[d], count[d + 1]));
      }
    }
    return out;
  }

  /** The warning for a worst-case bound whose u may wrap ({@code who}: "population 'name'"). */
  static String wrapWarning(String who, OverflowBound.Bound ob) {
    return who + ": u may wrap if every input spikes every step (worst-case headroom "
        + String.format(Locale.ROOT, "%.1f", ob.uHeadroomBits()) + " bits, neuron "
        + ob.worstU() + "); --calibrate-input picks the scale from observed ranges instead";
  }

  /** The warning for a worst-case bound whose v may saturate. */
  static String saturationWarning(String who, OverflowBound.Bound ob) {
    return who + ": v may saturate if every excitatory input spikes every step (worst-case"
        + " headroom " + String.format(Locale.ROOT, "%.1f", ob.vHeadroomBits())
        + " bits, neuron " + ob.worstV() + "); real inputs are rarely that dense: check with"
        + " quench verify";
  }
}
