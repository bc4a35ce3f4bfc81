package org.quench.compiler.ir;

/** What happens to a neuron's voltage after it spikes. */
public enum ResetMode {
  /** v becomes 0 (Lava's behaviour; NIR's v_reset for float neurons). */
  TO_ZERO,
  /** v loses the effective threshold (EXTENSION on the chip; reset by subtraction in training). */
  BY_SUBTRACTION
}
