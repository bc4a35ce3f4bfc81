package org.quench.hal;

import org.quench.hal.proto.Distribution;

/**
 * One core's realized deviations: per neuron a Q16 gain for each {@link DeviceParameter}
 * ({@link ParameterDeviation#ONE} = nominal), dead and hot flags, per synapse a gain and a
 * stuck-off flag, and the per-step noise on v. Made by {@link DeviceProfile#core}; immutable.
 *
 * <p>Synapses are named by where they sit physically: (input axon, target neuron) of this core.
 */
public final class CoreDeviations {
  private final int chip;
  private final int core;
  private final int neurons;
  // Per parameter (by ordinal), per neuron; null means every neuron is nominal.
  private final int[][] gains;
  private final boolean[] dead;
  private final boolean[] hot;
  private final SynapseDraw synapses;
  private final double noiseSigma;
  private final long noiseKey;
  private final boolean measured;

  /** How per-synapse gains and faults are drawn (null when synapses only follow their row). */
  interface SynapseDraw {
    /** Extra factor of synapse (axon, neuron), as a Q16 multiplier of the row gain. */
    int gain(int axon, int neuron);

    boolean stuckOff(int axon, int neuron);
  }

  CoreDeviations(int chip, int core, int neurons, int[][] gains, boolean[] dead, boolean[] hot,
      SynapseDraw synapses, double noiseSigma, long noiseKey, boolean measured) {
    this.chip = chip;
    this.core = core;
    this.neurons = neurons;
    this.gains = gains;
    this.dead = dead;
    this.hot = hot;
    this.synapses = synapses;
    this.noiseSigma = noiseSigma;
    this.noiseKey = noiseKey;
    this.measured = measured;
  }

  /** Deviations of a core that has none. */
  public static CoreDeviations nominal(int chip, int core, int neurons) {
    return new CoreDeviations(chip, core, neurons, new int[DeviceParameter.values().length][],
        null, null, null, 0, 0, false);
  }

  public int chip() {
    return chip;
  }

  public int core() {
    return core;
  }

  /** Neurons covered (0..neurons-1). */
  public int neurons() {
    return neurons;
  }

  /** True when the core's values come from a calibration rather than from a model. */
  public boolean measured() {
    return measured;
  }

  /** True when nothing on this core deviates. */
  public boolean isNominal() {
    for (int[] g : gains) {
      if (g != null) {
        return false;
      }
    }
    return dead == null && hot == null && synapses == null && noiseSigma == 0;
  }

  /** The Q16 gain of parameter {@code p} on {@code neuron}. */
  public int gain(DeviceParameter p, int neuron) {
    int[] g = gains[p.ordinal()];
    return g == null ? ParameterDeviation.ONE : g[neuron];
  }

  /** The factor of parameter {@code p} on {@code neuron} (1.0 = nominal). */
  public double factor(DeviceParameter p, int neuron) {
    return gain(p, neuron) / (double) ParameterDeviation.ONE;
  }

  /** True when parameter {@code p} deviates on some neuron of the core. */
  public boolean deviates(DeviceParameter p) {
    return gains[p.ordinal()] != null;
  }

  public boolean dead(int neuron) {
    return dead != null && dead[neuron];
  }

  public boolean hot(int neuron) {
    return hot != null && hot[neuron];
  }

  /** True when some synapse has its own gain or a stuck-off fault (beyond its row's gain). */
  public boolean hasSynapseDeviations() {
    return synapses != null;
  }

  /** The Q16 gain of the synapse from input {@code axon} to {@code neuron}: row gain x its own. */
  public int synapseGain(int axon, int neuron) {
    int row = gain(DeviceParameter.WEIGHT, neuron);
    if (synapses == null) {
      return row;
    }
    return (int) Math.min(ParameterDeviation.MAX_GAIN,
        ParameterDeviation.scale(row, synapses.gain(axon, neuron)));
  }

  /** True when the synapse from {@code axon} to {@code neuron} delivers nothing. */
  public boolean stuckOff(int axon, int neuron) {
    return synapses != null && synapses.stuckOff(axon, neuron);
  }

  /** Per-step noise on v: standard deviation as a fraction of the effective threshold. */
  public double noiseSigma() {
    return noiseSigma;
  }

  /**
   * The integer noise amplitude of a neuron whose effective threshold is {@code vthEff}: the
   * standard deviation in units of v (0 = no noise).
   */
  public int noiseAmplitude(int vthEff) {
    return noiseSigma == 0 ? 0 : (int) Math.min(1 << 24, Math.round(noiseSigma * vthEff));
  }

  /** The key of a neuron's noise sequence; {@link #noise} draws step t from it. */
  public long noiseKey(int neuron) {
    return CounterHash.mix(noiseKey + 0x9E3779B97F4A7C15L * (neuron + 1L));
  }

  /**
   * The noise added to v at global step {@code t} (1-based) of the neuron with key {@code key} and
   * amplitude {@code amplitude}: integer only, so the emulator calls it inside its step.
   */
  public static int noise(long key, long t, int amplitude) {
    long word = CounterHash.mix(key + 0x9E3779B97F4A7C15L * t);
    return (int) (((long) CounterHash.normalQ16(word) * amplitude) >> 16);
  }

  /** A factor drawn for one level: 1 + sigma z (floored at 0) or exp(sigma z). */
  static double factor(Distribution d, double sigma, long word) {
    if (sigma == 0) {
      return 1.0;
    }
    return factorOf(d, sigma, CounterHash.normal(word));
  }

  /** The factor of standard normal variate {@code z}: 1 + sigma z (floored at 0) or exp(sigma z). */
  static double factorOf(Distribution d, double sigma, double z) {
    return d == Distribution.LOGNORMAL ? StrictMath.exp(sigma * z) : Math.max(0, 1 + sigma * z);
  }
}
