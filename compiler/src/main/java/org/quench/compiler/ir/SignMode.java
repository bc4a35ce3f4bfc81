package org.quench.compiler.ir;

/** Sign mode of a fixed-point projection's weights, as Lava's connection processes use it. */
public enum SignMode {
  MIXED,
  EXCITATORY,
  INHIBITORY;

  /**
   * Lava's rule when none is given: min >= 0 is EXCITATORY (all zero too), else max <= 0 is
   * INHIBITORY, else MIXED.
   */
  public static SignMode of(int[] weights) {
    int min = 0;
    int max = 0;
    for (int w : weights) {
      min = Math.min(min, w);
      max = Math.max(max, w);
    }
    if (min >= 0) {
      return EXCITATORY;
    }
    return max <= 0 ? INHIBITORY : MIXED;
  }
}
