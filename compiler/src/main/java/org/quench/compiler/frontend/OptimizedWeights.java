package org.quench.compiler.frontend;

import org.quench.compiler.ir.SignMode;
import org.quench.hal.QuenchException;

/**
 * lava-dl netx's weight optimisation for dense layers (FORMATS.md), in exact integer arithmetic:
 * the weights (already truncated to integers) are clipped to [-256, 254] when they cannot fit, a
 * sign mode is chosen, the weights are scaled up by {@code 2^scaleBits} and the connection gets
 * {@code weight_exp = -scaleBits} and the number of weight bits the core keeps.
 *
 * @param weights the optimised weights ({@code w << scaleBits}), in the input's order
 * @param numWeightBits 0..8, or 9 for MIXED (no bit dropped)
 * @param weightExp {@code -scaleBits}
 * @param signMode the chosen sign mode
 * @param scaleBits the left shift applied to every weight
 * @param clipped whether the input had to be clipped to [-256, 254]
 */
public record OptimizedWeights(int[] weights, int numWeightBits, int weightExp, SignMode signMode,
    int scaleBits, boolean clipped) {

  /**
   * Optimises one weight matrix, flattened in any order. {@code where} names the layer for errors.
   * An all-zero matrix (which lava-dl cannot handle: its scale is infinite) gets EXCITATORY, 0
   * bits and exponent 0: every weight is zero either way.
   */
  public static OptimizedWeights of(long[] input, String where) {
    long max = Long.MIN_VALUE;
    long min = Long.MAX_VALUE;
    for (long w : input) {
      max = Math.max(max, w);
      min = Math.min(min, w);
    }
    if (input.length == 0 || (max == 0 && min == 0)) {
      return new OptimizedWeights(new int[input.length], 0, 0, SignMode.EXCITATORY, 0, false);
    }
    long[] w = input.clone();
    boolean clipped = false;
    // lava-dl clips only when a mixed-sign matrix exceeds the 9-bit signed range.
    if ((max > 254 && min < 0) || (min < -256 && max > 0)) {
      clipped = true;
      max = Long.MIN_VALUE;
      min = Long.MAX_VALUE;
      for (int i = 0; i < w.length; i++) {
        w[i] = Math.max(-256, Math.min(254, w[i]));
        max = Math.max(max, w[i]);
        min = Math.min(min, w[i]);
      }
    }
    SignMode mode;
    int signed;
    int scaleBits;
    if (max < 0) {
      mode = SignMode.INHIBITORY;
      signed = 0;
      scaleBits = floorLog2Ratio(256, -min);
    } else if (min >= 0) {
      mode = SignMode.EXCITATORY;
      signed = 0;
      scaleBits = floorLog2Ratio(255, max);
    } else {
      mode = SignMode.MIXED;
      signed = 1;
      // scale = min(127 / max, -128 / min); floor(log2(.)) is monotonic, so take the smaller floor.
      int neg = floorLog2Ratio(128, -min);
      scaleBits = max == 0 ? neg : Math.min(floorLog2Ratio(127, max), neg);
      scaleBits += signed;
    }
    if (scaleBits < 0) {
      throw new QuenchException(where + ": " + mode + " weights reach " + (mode == SignMode.INHIBITORY
          ? min : max) + ", beyond the 8-bit synapse (" + (mode == SignMode.INHIBITORY ? "-256" : "255")
          + "); lava-dl would shift them to zero. Retrain or rescale the weights into range");
    }
    int n = 8;
    while (n > 0 && !allDivisible(w, n)) {
      n--;
    }
    n -= signed;
    int numWeightBits = 8 - scaleBits - n;
    if (numWeightBits < 0 || numWeightBits > 9) {
      throw new IllegalStateException("weight optimisation produced " + numWeightBits + " bits for " + where);
    }
    int[] out = new int[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = Math.toIntExact(w[i] << scaleBits);
    }
    return new OptimizedWeights(out, numWeightBits, -scaleBits, mode, scaleBits, clipped);
  }

  /** floor(log2(num / den)) for positive integers, exactly (k may be negative). */
  static int floorLog2Ratio(long num, long den) {
    int k = 0;
    if (den <= num) {
      while ((den << (k + 1)) <= num) {
        k++;
      }
      return k;
    }
    while ((num << (-k)) < den) {
      k--;
    }
    return k;
  }

  private static boolean allDivisible(long[] w, int n) {
    long mask = (1L << n) - 1;
    for (long v : w) {
      if ((v & mask) != 0) {
        return false;
      }
    }
    return true;
  }
}
