package org.quench.emulator;

import org.quench.hal.ChipSpec;
import org.quench.hal.WeightRules;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.ResetMode;
import org.quench.hal.proto.ThresholdProfile;

/**
 * The integer parameters of one core as its neurons and synapses will hold them: the image's
 * profile tables expanded to one value per neuron, and each axon group's weights after Lava's
 * one-time preparation ({@link WeightRules#prepare}). This is the one place where an image becomes
 * per-neuron numbers; {@link EmulatedCore} derives its step constants from it. A load path that
 * changes a chip instance's parameters (device variability) edits these arrays between
 * {@link #of} and the core's construction, keeping each value in its {@link ChipSpec} range.
 *
 * <p>The image must have passed {@link org.quench.hal.ImageValidator}: nothing is re-checked.
 */
final class CoreParameters {
  final int n;
  /** Current decay per neuron, {@link ChipSpec#decayURange()}. */
  final int[] du;
  /** Voltage decay per neuron, {@link ChipSpec#decayVRange()}. */
  final int[] dv;
  /** Threshold mantissa per neuron, {@link ChipSpec#vthRange()}. */
  final int[] vth;
  /** Lower threshold mantissa per neuron (ternary neurons), {@link ChipSpec#vthLoRange()}. */
  final int[] vthLo;
  /** Refractory steps per neuron, {@link ChipSpec#refractoryRange()}. */
  final int[] refractory;
  /** Bias mantissa per neuron, {@link ChipSpec#biasMantRange()}. */
  final int[] biasMant;
  /** Bias exponent per neuron, {@link ChipSpec#biasExpRange()}. */
  final int[] biasExp;
  /** Initial current and voltage per neuron. */
  final int[] uInit;
  final int[] vInit;
  final boolean[] ternary;
  final boolean[] subtractive;
  /** Decay profile row of each neuron: the periodic reset is per row. */
  final int[] decayRow;
  /** Periodic reset interval and offset per decay profile row (interval 0: never). */
  final int[] resetInterval;
  final int[] resetOffset;
  /**
   * Per axon group, the weight of each synapse as the synapse memory holds it: prepared by the
   * group's resolved sign mode and num_weight_bits for DENSE, as given for CONV.
   */
  final int[][] weights;

  private CoreParameters(int n, int decayRows, int groups) {
    this.n = n;
    du = new int[n];
    dv = new int[n];
    vth = new int[n];
    vthLo = new int[n];
    refractory = new int[n];
    biasMant = new int[n];
    biasExp = new int[n];
    uInit = new int[n];
    vInit = new int[n];
    ternary = new boolean[n];
    subtractive = new boolean[n];
    decayRow = new int[n];
    resetInterval = new int[decayRows];
    resetOffset = new int[decayRows];
    weights = new int[groups][];
  }

  /** The nominal parameters of a validated core of an image compiled for {@code spec}. */
  static CoreParameters of(Core c, ChipSpec spec) {
    int n = c.getNeuronCount();
    CoreParameters p = new CoreParameters(n, c.getDecayProfilesCount(), c.getAxonGroupsCount());
    for (int r = 0; r < c.getDecayProfilesCount(); r++) {
      p.resetInterval[r] = c.getDecayProfiles(r).getResetInterval();
      p.resetOffset[r] = c.getDecayProfiles(r).getResetOffset();
    }
    boolean anyExp = c.getBiasExpCount() > 0;
    boolean anyU = c.getUInitCount() > 0;
    boolean anyV = c.getVInitCount() > 0;
    for (int i = 0; i < n; i++) {
      int row = c.getDecayIndex(i);
      DecayProfile d = c.getDecayProfiles(row);
      ThresholdProfile t = c.getThresholdProfiles(c.getThresholdIndex(i));
      p.decayRow[i] = row;
      p.du[i] = d.getDu();
      p.dv[i] = d.getDv();
      p.refractory[i] = d.getRefractory();
      p.subtractive[i] = d.getResetMode() == ResetMode.RESET_BY_SUBTRACTION;
      p.vth[i] = t.getVth();
      p.vthLo[i] = t.getVthLo();
      p.ternary[i] = t.getKind() == NeuronKind.TERNARY_LIF;
      p.biasMant[i] = c.getBiasMant(i);
      p.biasExp[i] = anyExp ? c.getBiasExp(i) : 0;
      p.uInit[i] = anyU ? c.getUInit(i) : 0;
      p.vInit[i] = anyV ? c.getVInit(i) : 0;
    }
    for (int g = 0; g < c.getAxonGroupsCount(); g++) {
      p.weights[g] = preparedWeights(c.getAxonGroups(g), spec);
    }
    return p;
  }

  private static int[] preparedWeights(AxonGroup ag, ChipSpec spec) {
    int[] w = new int[ag.getWeightCount()];
    for (int s = 0; s < w.length; s++) {
      w[s] = ag.getWeight(s);
    }
    if (ag.getKind() == ConnectionKind.CONV) {
      return w; // convolutions take plain integer weights: no sign mode, no clip, no truncation
    }
    var mode = WeightRules.resolve(ag.getSignMode(), w, 0, w.length);
    for (int s = 0; s < w.length; s++) {
      w[s] = WeightRules.prepare(w[s], mode, ag.getNumWeightBits(), spec);
    }
    return w;
  }
}
