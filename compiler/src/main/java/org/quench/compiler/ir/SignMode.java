package org.quench.compiler.ir;

/** Sign mode of a fixed-point projection's weights, as Lava's connection processes use it. */
public enum SignMode {
  MIXED,
  EXCITATORY,
  INHIBITORY
}
