package org.quench.compiler.ir;

import java.util.Arrays;

/**
 * Continuous-time current-based LIF parameters, one value per neuron (NIR's CubaLIF). Units: time
 * constants in seconds, voltages and currents in the model's own units.
 *
 * <p>Dynamics, with {@code x} the summed weighted input (spikes times projection weights) plus
 * {@code bias} (a constant input current): {@code tau_syn dI/dt = -I + x};
 * {@code tau_mem dv/dt = (v_leak - v) + r I}; spike when {@code v > threshold}, then reset (to
 * {@code v_reset}, or by subtracting the threshold). Special values, so every NIR neuron fits:
 * {@code tau_syn = 0}: no synaptic filter, {@code I = x} (LIF, IF, LI, Threshold);
 * {@code tau_mem = +infinity}: a perfect integrator that adds {@code r I} per step (I, IF: the
 * discrete-time reading NIR's exporters use); {@code tau_mem = 0}: no memory, {@code v = r I}
 * (Threshold); {@code threshold = +infinity}: never spikes (LI, CubaLI readouts). The discretizing
 * pass turns these into per-step decays and gains (see passes.Discretize).
 *
 * <p>Invariants: values finite except the +infinity cases above, time constants >= 0,
 * refractory periods non-negative (in steps). Immutable; arrays are copied in and out.
 */
public final class FloatNeurons implements NeuronDynamics {
  private final double[] tauSyn;
  private final double[] tauMem;
  private final double[] threshold;
  private final double[] bias;
  private final double[] vLeak;
  private final double[] vReset;
  private final double[] r;
  private final ResetMode[] resetMode;
  private final int[] refractory;

  private FloatNeurons(Builder b, String owner) {
    int n = b.size;
    tauSyn = Checks.perNeuron(owner, "tau_syn", b.tauSyn, n);
    tauMem = Checks.perNeuronOrInfinite(owner, "tau_mem", b.tauMem, n);
    threshold = Checks.perNeuronOrInfinite(owner, "threshold", b.threshold, n);
    bias = Checks.perNeuron(owner, "bias", b.bias, n);
    vLeak = Checks.perNeuron(owner, "v_leak", b.vLeak, n);
    vReset = Checks.perNeuron(owner, "v_reset", b.vReset, n);
    r = Checks.perNeuron(owner, "r", b.r, n);
    resetMode = Checks.perNeuron(owner, "reset_mode", b.resetMode, n);
    refractory = Checks.perNeuron(owner, "refractory", b.refractory, n);
    Checks.nonNegative(owner, "tau_syn", tauSyn);
    Checks.nonNegative(owner, "tau_mem", tauMem);
    Checks.atLeast(owner, "refractory", refractory, 0);
  }

  /** A builder for {@code size} neurons; unset parameters default as NIR does (see setters). */
  public static Builder builder(int size) {
    return new Builder(size);
  }

  @Override
  public int size() {
    return tauMem.length;
  }

  public double[] tauSyn() {
    return tauSyn.clone();
  }

  public double[] tauMem() {
    return tauMem.clone();
  }

  public double[] threshold() {
    return threshold.clone();
  }

  public double[] bias() {
    return bias.clone();
  }

  public double[] vLeak() {
    return vLeak.clone();
  }

  public double[] vReset() {
    return vReset.clone();
  }

  public double[] r() {
    return r.clone();
  }

  public ResetMode[] resetMode() {
    return resetMode.clone();
  }

  public int[] refractory() {
    return refractory.clone();
  }

  /** Whether every neuron has the same value of every parameter. */
  public boolean isUniform() {
    return uniform(tauSyn) && uniform(tauMem) && uniform(threshold) && uniform(bias)
        && uniform(vLeak) && uniform(vReset) && uniform(r)
        && Arrays.stream(resetMode).distinct().count() <= 1
        && Arrays.stream(refractory).distinct().count() <= 1;
  }

  private static boolean uniform(double[] a) {
    return Arrays.stream(a).distinct().count() <= 1;
  }

  /**
   * Collects parameters. Arrays must have one value per neuron; the {@code all*} setters fill
   * every neuron with one value. Defaults: bias 0, v_leak 0, v_reset 0, r 1, reset TO_ZERO,
   * refractory 0; tau_syn, tau_mem and threshold have no default.
   */
  public static final class Builder {
    private final int size;
    private double[] tauSyn;
    private double[] tauMem;
    private double[] threshold;
    private double[] bias;
    private double[] vLeak;
    private double[] vReset;
    private double[] r;
    private ResetMode[] resetMode;
    private int[] refractory;

    private Builder(int size) {
      if (size <= 0) {
        throw new org.quench.hal.QuenchException("float neurons need a positive size, got " + size);
      }
      this.size = size;
      bias = Checks.filled(size, 0.0);
      vLeak = Checks.filled(size, 0.0);
      vReset = Checks.filled(size, 0.0);
      r = Checks.filled(size, 1.0);
      resetMode = new ResetMode[size];
      Arrays.fill(resetMode, ResetMode.TO_ZERO);
      refractory = new int[size];
    }

    public Builder tauSyn(double[] v) {
      tauSyn = v;
      return this;
    }

    public Builder tauMem(double[] v) {
      tauMem = v;
      return this;
    }

    public Builder threshold(double[] v) {
      threshold = v;
      return this;
    }

    public Builder bias(double[] v) {
      bias = v;
      return this;
    }

    public Builder vLeak(double[] v) {
      vLeak = v;
      return this;
    }

    public Builder vReset(double[] v) {
      vReset = v;
      return this;
    }

    public Builder r(double[] v) {
      r = v;
      return this;
    }

    public Builder resetMode(ResetMode[] v) {
      resetMode = v;
      return this;
    }

    public Builder refractory(int[] v) {
      refractory = v;
      return this;
    }

    public Builder allTauSyn(double v) {
      return tauSyn(Checks.filled(size, v));
    }

    public Builder allTauMem(double v) {
      return tauMem(Checks.filled(size, v));
    }

    public Builder allThreshold(double v) {
      return threshold(Checks.filled(size, v));
    }

    public Builder allResetMode(ResetMode v) {
      ResetMode[] a = new ResetMode[size];
      Arrays.fill(a, v);
      return resetMode(a);
    }

    /** Validates for the population named {@code owner} (used in error messages). */
    public FloatNeurons build(String owner) {
      return new FloatNeurons(this, "population '" + owner + "'");
    }
  }
}
