package org.quench.emulator;

import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.DeviceParameter;
import org.quench.hal.ParameterDeviation;
import org.quench.hal.WeightRules;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.SignMode;

/**
 * A chip instance's deviations applied to one core's materialised integer parameters: the step
 * between {@link CoreParameters#of} and the core's construction (docs/variability.md). Each of
 * du, dv, vth, vth_lo, the bias mantissa and every prepared weight passes through
 * {@link ParameterDeviation}'s rule with the neuron's (or synapse's) gain, clamped to its width.
 *
 * <p>Dead neurons get threshold at its maximum, bias 0, initial state 0 and no incoming weight; hot
 * neurons threshold 0 and bias stuck at the top of its range. What stays with the core afterwards
 * is this object: it translates biases the host sets during a run ({@link #bias}) and holds the
 * per-step noise amplitudes and keys.
 */
final class InstanceParameters {
  /** Per neuron: noise standard deviation in units of v, or null when the instance has no noise. */
  final int[] noiseAmplitude;
  /** Per neuron: key of its noise sequence (see {@link CoreDeviations#noise}). */
  final long[] noiseKey;
  private final int[] biasGain;
  private final boolean[] dead;
  private final boolean[] hot;
  private final ChipSpec spec;

  private InstanceParameters(int n, ChipSpec spec, boolean noisy) {
    this.spec = spec;
    biasGain = new int[n];
    dead = new boolean[n];
    hot = new boolean[n];
    noiseAmplitude = noisy ? new int[n] : null;
    noiseKey = noisy ? new long[n] : null;
  }

  /**
   * Applies {@code dev} to {@code p} (the nominal parameters of validated image core {@code c})
   * in place, and returns what the core keeps for the run.
   */
  static InstanceParameters apply(Core c, CoreParameters p, ChipSpec spec, CoreDeviations dev) {
    int n = p.n;
    InstanceParameters ip = new InstanceParameters(n, spec, dev.noiseSigma() > 0);
    int vthMax = ParameterDeviation.vthMax(spec);
    for (int i = 0; i < n; i++) {
      p.du[i] = ParameterDeviation.currentDecay(spec, p.du[i], dev.gain(DeviceParameter.CURRENT_DECAY, i));
      p.dv[i] = ParameterDeviation.voltageDecay(spec, p.dv[i], dev.gain(DeviceParameter.VOLTAGE_DECAY, i));
      int tg = dev.gain(DeviceParameter.THRESHOLD, i);
      p.vth[i] = ParameterDeviation.threshold(spec, p.vth[i], tg);
      p.vthLo[i] = ParameterDeviation.thresholdLow(spec, p.vthLo[i], tg);
      ip.biasGain[i] = dev.gain(DeviceParameter.BIAS, i);
      ip.dead[i] = dev.dead(i);
      ip.hot[i] = dev.hot(i);
      if (ip.dead[i]) {
        p.vth[i] = vthMax;
        p.vthLo[i] = spec.vthLoRange().min();
        p.uInit[i] = 0;
        p.vInit[i] = 0;
      } else if (ip.hot[i]) {
        p.vth[i] = 0;
      }
      p.biasMant[i] = ip.bias(i, p.biasMant[i]);
      if (ip.noiseAmplitude != null) {
        ip.noiseAmplitude[i] = dev.noiseAmplitude(p.vth[i] << spec.thresholdShift());
        ip.noiseKey[i] = dev.noiseKey(i);
      }
    }
    for (int g = 0; g < c.getAxonGroupsCount(); g++) {
      AxonGroup ag = c.getAxonGroups(g);
      int[] w = p.weights[g];
      SignMode mode = null;
      if (ag.getKind() != ConnectionKind.CONV) {
        int[] raw = new int[ag.getWeightCount()];
        for (int s = 0; s < raw.length; s++) {
          raw[s] = ag.getWeight(s);
        }
        mode = WeightRules.resolve(ag.getSignMode(), raw, 0, raw.length);
      }
      for (int a = 0; a < ag.getAxonCount(); a++) {
        int axon = ag.getAxonFirst() + a;
        for (int s = ag.getRowPtr(a), end = ag.getRowPtr(a + 1); s < end; s++) {
          int target = ag.getTarget(s);
          w[s] = ip.dead[target] || dev.stuckOff(axon, target) ? 0
              : ParameterDeviation.weight(spec, w[s], dev.synapseGain(axon, target), mode);
        }
      }
    }
    return ip;
  }

  /** The bias mantissa neuron {@code i} realizes when the image or the host sets {@code mant}. */
  int bias(int i, int mant) {
    if (dead[i]) {
      return 0;
    }
    if (hot[i]) {
      return ParameterDeviation.hotBiasMant(spec);
    }
    return ParameterDeviation.biasMant(spec, mant, biasGain[i]);
  }
}
