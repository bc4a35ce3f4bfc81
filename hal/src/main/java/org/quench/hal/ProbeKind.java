package org.quench.hal;

/** What a probe records per neuron and step: the two state variables or the spike output. */
public enum ProbeKind {
  /** Synaptic current, 24-bit signed, read after the step. */
  U,
  /** Membrane voltage, 24-bit signed, read after the step (0 on a spike step: reset). */
  V,
  /** Spike output of the step: 0, 1, or -1 for a ternary neuron. */
  SPIKES;

  /** Parses {@code u}, {@code v} or {@code spikes} (any case). */
  public static ProbeKind parse(String text) {
    for (ProbeKind k : values()) {
      if (k.name().equalsIgnoreCase(text.trim())) {
        return k;
      }
    }
    throw new QuenchException("unknown probe kind '" + text + "': use u, v or spikes");
  }
}
