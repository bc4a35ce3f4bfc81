package org.quench.emulator;

import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.DeviceParameter;
import org.quench.hal.ParameterDeviation;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;

/**
 * The integer parameters one chip instance actually uses for a validated image core: the image's
 * per-profile du, dv, vth, vth_lo and per-neuron bias mantissa, each passed through the core's
 * {@link CoreDeviations} ({@link ParameterDeviation}'s rules), plus faults and noise amplitudes.
 * Weights are deviated one synapse at a time through {@link #weight}. See docs/variability.md.
 *
 * <p>Dead neurons get threshold at its maximum, bias 0, initial state 0 and no incoming weight; hot
 * neurons threshold 0 and bias stuck at the top of its range (also when the host sets a bias).
 */
final class InstanceParameters {
  final int n;
  final int[] du;
  final int[] dv;
  final int[] vth;
  final int[] vthLo;
  final int[] biasMant;
  final boolean[] dead;
  final boolean[] hot;
  /** Per neuron: noise standard deviation in units of v, or null when the instance has no noise. */
  final int[] noiseAmplitude;
  /** Per neuron: key of its noise sequence (see {@link CoreDeviations#noise}). */
  final long[] noiseKey;
  private final int[] biasGain;
  private final CoreDeviations dev;
  private final ChipSpec spec;

  InstanceParameters(Core c, ChipSpec spec, CoreDeviations dev) {
    this.spec = spec;
    this.dev = dev;
    n = c.getNeuronCount();
    du = new int[n];
    dv = new int[n];
    vth = new int[n];
    vthLo = new int[n];
    biasMant = new int[n];
    biasGain = new int[n];
    dead = new boolean[n];
    hot = new boolean[n];
    boolean noisy = dev.noiseSigma() > 0;
    noiseAmplitude = noisy ? new int[n] : null;
    noiseKey = noisy ? new long[n] : null;
    int vthMax = ParameterDeviation.vthMax(spec);
    for (int i = 0; i < n; i++) {
      DecayProfile d = c.getDecayProfiles(c.getDecayIndex(i));
      ThresholdProfile t = c.getThresholdProfiles(c.getThresholdIndex(i));
      du[i] = ParameterDeviation.currentDecay(spec, d.getDu(), dev.gain(DeviceParameter.CURRENT_DECAY, i));
      dv[i] = ParameterDeviation.voltageDecay(spec, d.getDv(), dev.gain(DeviceParameter.VOLTAGE_DECAY, i));
      int tg = dev.gain(DeviceParameter.THRESHOLD, i);
      vth[i] = ParameterDeviation.threshold(spec, t.getVth(), tg);
      vthLo[i] = ParameterDeviation.thresholdLow(spec, t.getVthLo(), tg);
      biasGain[i] = dev.gain(DeviceParameter.BIAS, i);
      dead[i] = dev.dead(i);
      hot[i] = dev.hot(i);
      if (dead[i]) {
        vth[i] = vthMax;
        vthLo[i] = -vthMax - 1;
      } else if (hot[i]) {
        vth[i] = 0;
      }
      biasMant[i] = bias(i, c.getBiasMant(i));
      if (noisy) {
        noiseAmplitude[i] = dev.noiseAmplitude(vth[i] << spec.thresholdShift());
        noiseKey[i] = dev.noiseKey(i);
      }
    }
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

  /** True when every bias is realized unchanged (so host bias changes need no translation). */
  boolean biasNominal() {
    for (int i = 0; i < n; i++) {
      if (dead[i] || hot[i] || biasGain[i] != ParameterDeviation.ONE) {
        return false;
      }
    }
    return true;
  }

  /**
   * The weight the synapse from {@code axon} to {@code target} realizes, from the weight the core
   * prepared; {@code mode} is the group's resolved sign mode, null for a convolution group.
   */
  int weight(int prepared, int axon, int target, SignMode mode) {
    if (dead[target] || dev.stuckOff(axon, target)) {
      return 0;
    }
    return ParameterDeviation.weight(spec, prepared, dev.synapseGain(axon, target), mode);
  }
}
