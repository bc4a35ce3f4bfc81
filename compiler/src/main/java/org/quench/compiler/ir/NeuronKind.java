package org.quench.compiler.ir;

/** The spiking rule of a fixed-point neuron. */
public enum NeuronKind {
  /** Current-based LIF with binary spikes: spike when v > vth &lt;&lt; 6. */
  LIF,
  /** Ternary LIF: -1 when v &lt; vth_lo &lt;&lt; 6 (tested first), +1 when v > vth &lt;&lt; 6. */
  TERNARY_LIF
}
