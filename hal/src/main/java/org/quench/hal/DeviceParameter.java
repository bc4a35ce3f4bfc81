package org.quench.hal;

/**
 * The integer neuron and synapse parameters a chip instance's deviations act on
 * (docs/variability.md). Each has a factor per neuron; 1.0 is nominal.
 */
public enum DeviceParameter {
  /** The per-step decay of u, {@code (du + 1) / 4096}: a factor above 1 shortens tau_syn. */
  CURRENT_DECAY("currentDecay"),
  /** The per-step decay of v, {@code dv / 4096}: a factor above 1 shortens tau_mem. */
  VOLTAGE_DECAY("voltageDecay"),
  /** The threshold mantissa {@code vth} (and a ternary neuron's {@code vth_lo}). */
  THRESHOLD("threshold"),
  /** The bias mantissa, including bias values the host sets during a run. */
  BIAS("bias"),
  /** The weights arriving at the neuron (its synaptic row), after the core prepares them. */
  WEIGHT("weight");

  private final String key;

  DeviceParameter(String key) {
    this.key = key;
  }

  /** The name used in JSON files and reports (lowerCamelCase). */
  public String key() {
    return key;
  }
}
