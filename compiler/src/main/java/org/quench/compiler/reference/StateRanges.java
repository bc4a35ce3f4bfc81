package org.quench.compiler.reference;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.Stimulus;

/**
 * The state ranges float populations reach on representative input (calibration for
 * post-training quantization, docs/precision.md): per population the largest |v| (the membrane, in
 * model units, including the threshold it must reach) and the largest per-step drive |u| as the
 * chip's current register holds it (model volts per step: the synaptic current times the gain
 * from current to voltage). The quantizer keeps the population scale low enough that these fit the
 * chip's state registers with a bit to spare, instead of bounding them by the worst case (every
 * input spiking every step), which for integrators and large layers is infinite or far too large.
 *
 * @param ranges per population name: {maxAbsU, maxAbsV}
 * @param steps how many steps the calibration ran
 */
public record StateRanges(Map<String, double[]> ranges, int steps) {
  public StateRanges {
    Map<String, double[]> copy = new LinkedHashMap<>();
    ranges.forEach((k, v) -> copy.put(k, v.clone()));
    ranges = java.util.Collections.unmodifiableMap(copy);
  }

  /** The largest |u| seen in {@code population} (model volts per step), or NaN if not observed. */
  public double maxAbsU(String population) {
    double[] r = ranges.get(population);
    return r == null ? Double.NaN : r[0];
  }

  /** The largest |v| seen in {@code population} (model units), or NaN if not observed. */
  public double maxAbsV(String population) {
    double[] r = ranges.get(population);
    return r == null ? Double.NaN : r[1];
  }

  /**
   * Runs the float reference of {@code network} on {@code stimulus} and records the ranges of
   * every population with float dynamics.
   */
  public static StateRanges observe(Network network, double dt, Discretization.Convention convention,
      Stimulus stimulus) {
    Set<String> traced = new LinkedHashSet<>();
    for (Population p : network.populations()) {
      if (p.dynamics() instanceof FloatNeurons) {
        traced.add(p.name());
      }
    }
    ReferenceRun run = new ReferenceSimulator(network, dt, convention).run(stimulus, traced);
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Population p : network.populations()) {
      if (!(p.dynamics() instanceof FloatNeurons f)) {
        continue;
      }
      int n = p.size();
      double[] u = run.u(p.name());
      double[] v = run.v(p.name());
      double[] gainV = currentToVoltageGain(f, dt, convention);
      double[] th = f.threshold();
      double[] reset = f.vReset();
      double maxU = 0;
      double maxV = 0;
      for (int i = 0; i < n; i++) {
        if (Double.isFinite(th[i])) {
          maxV = Math.max(maxV, Math.abs(th[i]) + Math.abs(reset[i]));
        }
      }
      for (int k = 0; k < u.length; k++) {
        int i = k % n;
        maxU = Math.max(maxU, Math.abs(u[k] * gainV[i]));
        // v is measured from v_reset on the chip (the offset Discretize introduces).
        maxV = Math.max(maxV, Math.abs(v[k]) + Math.abs(reset[i]));
      }
      // A spike's step reaches at most the threshold plus that step's drive before the reset.
      out.put(p.name(), new double[] {maxU, maxV + maxU});
    }
    return new StateRanges(out, stimulus.steps());
  }

  /** Per neuron the gain from the current to the voltage (r k(tau_mem); r without a leak). */
  private static double[] currentToVoltageGain(FloatNeurons f, double dt, Discretization.Convention c) {
    double[] tauMem = f.tauMem();
    double[] r = f.r();
    double[] g = new double[tauMem.length];
    for (int i = 0; i < g.length; i++) {
      if (tauMem[i] == Double.POSITIVE_INFINITY || tauMem[i] == 0) {
        g[i] = r[i];
      } else {
        g[i] = r[i] * (1 - Discretization.factor(tauMem[i], dt, c));
      }
    }
    return g;
  }
}
