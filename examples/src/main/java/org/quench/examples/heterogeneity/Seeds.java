package org.quench.examples.heterogeneity;

import java.nio.charset.StandardCharsets;

/**
 * Derives independent, reproducible random streams from a row's seed and a label (which drive,
 * which part of a network), so that changing one part of a configuration (say the time-constant
 * distribution) leaves the random draws of every other part (weights, input) unchanged: paired
 * comparisons then differ only in what was varied.
 */
final class Seeds {
  private Seeds() {}

  /** A 64-bit seed from {@code seed} and {@code label}: FNV-1a over the label, then SplitMix64. */
  static long mix(long seed, String label) {
    long h = 0xcbf29ce484222325L;
    for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return splitMix(seed * 0x9e3779b97f4a7c15L + h);
  }

  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
