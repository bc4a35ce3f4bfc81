package org.quench.compiler.ir;

/**
 * How the chip turns a fixed-point projection's input into activation
 * (docs/chip-semantics.md#connections).
 */
public enum ConnectionKind {
  /** Lava Dense/Sparse/DelayDense: clip and truncate weights, shift the summed activation. */
  DENSE,
  /** Lowered convolution (Lava Conv): plain integer weights, activation wrapped to signed 24 bits. */
  CONV
}
