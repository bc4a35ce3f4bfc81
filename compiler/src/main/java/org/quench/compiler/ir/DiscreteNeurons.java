package org.quench.compiler.ir;

/**
 * Neurons discretized at a time step but not yet quantized: the chip's integer decays plus the
 * per-step gains, thresholds and biases still in model units, and what the decays were meant to be.
 *
 * <p>Per step, in model units (the chip computes the same with voltages scaled, see passes.Quantize):
 * {@code u[t] = keep_u * u[t-1] + gain * x[t]}; {@code v[t] = keep_v * v[t-1] + u[t] + bias};
 * spike when {@code v > threshold}; where {@code x} is the summed weighted input of the step, the
 * kept fractions are those of the chip decays {@code du}, {@code dv} and {@code gain} folds the
 * synaptic and membrane input gains (see passes.Discretize). {@code vInit} is the starting voltage
 * (non-zero when a non-zero NIR {@code v_reset} was absorbed as a voltage offset). A threshold of
 * +infinity never spikes (readouts). Requested and realised time constants (seconds; +infinity = no
 * decay, 0 = no memory) are kept for the compile report. Immutable; accessors return copies.
 */
public final class DiscreteNeurons implements NeuronDynamics {
  private final int[] du;
  private final int[] dv;
  private final double[] gain;
  private final double[] bias;
  private final double[] threshold;
  private final double[] vInit;
  private final ResetMode[] resetMode;
  private final int[] refractory;
  private final double[] tauSynRequested;
  private final double[] tauMemRequested;
  private final double[] thresholdRequested;

  /**
   * @param du current decay per neuron (chip value, -1..4095 on Loihi)
   * @param dv voltage decay per neuron (chip value, 0..4096 on Loihi)
   * @param gain model voltage per unit of weighted input per step
   * @param bias model voltage added per step
   * @param threshold model voltage; +infinity = never spikes
   * @param vInit model voltage at step 0
   * @param resetMode per neuron
   * @param refractory steps per neuron
   * @param tauSynRequested seconds, for the report
   * @param tauMemRequested seconds, for the report
   * @param thresholdRequested the model's threshold before profile clustering, for the report
   */
  public DiscreteNeurons(String owner, int[] du, int[] dv, double[] gain, double[] bias,
      double[] threshold, double[] vInit, ResetMode[] resetMode, int[] refractory,
      double[] tauSynRequested, double[] tauMemRequested, double[] thresholdRequested) {
    String who = "population '" + owner + "'";
    int n = du.length;
    this.du = Checks.perNeuron(who, "du", du, n);
    this.dv = Checks.perNeuron(who, "dv", dv, n);
    this.gain = Checks.perNeuron(who, "gain", gain, n);
    this.bias = Checks.perNeuron(who, "bias", bias, n);
    this.threshold = Checks.perNeuronOrInfinite(who, "threshold", threshold, n);
    this.vInit = Checks.perNeuron(who, "v_init", vInit, n);
    this.resetMode = Checks.perNeuron(who, "reset_mode", resetMode, n);
    this.refractory = Checks.perNeuron(who, "refractory", refractory, n);
    this.tauSynRequested = Checks.perNeuronOrInfinite(who, "tau_syn", tauSynRequested, n);
    this.tauMemRequested = Checks.perNeuronOrInfinite(who, "tau_mem", tauMemRequested, n);
    this.thresholdRequested = Checks.perNeuronOrInfinite(who, "threshold", thresholdRequested, n);
  }

  /** The same neurons with other decays and thresholds (profile clustering); requests kept. */
  public DiscreteNeurons withProfiles(String owner, int[] du, int[] dv, double[] threshold) {
    return new DiscreteNeurons(owner, du, dv, gain, bias, threshold, vInit, resetMode, refractory,
        tauSynRequested, tauMemRequested, thresholdRequested);
  }

  public double[] thresholdRequested() {
    return thresholdRequested.clone();
  }

  @Override
  public int size() {
    return du.length;
  }

  public int[] du() {
    return du.clone();
  }

  public int[] dv() {
    return dv.clone();
  }

  public double[] gain() {
    return gain.clone();
  }

  public double[] bias() {
    return bias.clone();
  }

  public double[] threshold() {
    return threshold.clone();
  }

  public double[] vInit() {
    return vInit.clone();
  }

  public ResetMode[] resetMode() {
    return resetMode.clone();
  }

  public int[] refractory() {
    return refractory.clone();
  }

  public double[] tauSynRequested() {
    return tauSynRequested.clone();
  }

  public double[] tauMemRequested() {
    return tauMemRequested.clone();
  }
}
