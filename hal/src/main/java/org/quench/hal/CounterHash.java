package org.quench.hal;

/**
 * Counter-based random numbers: every draw is a pure function of its coordinates (seed, serial,
 * what is drawn, chip, core, neuron, ...), so a neuron's deviation never depends on iteration
 * order, thread count or which other neurons exist (docs/variability.md, "determinism").
 *
 * <p>The mixing function is SplitMix64's finalizer applied once per coordinate; normal variates
 * come from two such draws through Box-Muller with {@link StrictMath}, so the same coordinates
 * give the same bits on every JVM and platform.
 */
public final class CounterHash {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final double TWO_POW_53 = 9007199254740992.0;

  private CounterHash() {}

  /** SplitMix64's finalizer: a bijection of 64-bit words with full avalanche. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A 64-bit word for the coordinates {@code keys}, in order. */
  public static long hash(long... keys) {
    long h = mix(GOLDEN);
    for (long k : keys) {
      h = mix(h + GOLDEN * (k + 1));
    }
    return h;
  }

  /** A word for a serial string (FNV-1a over its UTF-16 units, then mixed). */
  public static long ofText(String text) {
    long h = 0xCBF29CE484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001B3L;
    }
    return mix(h);
  }

  /** Uniform in (0, 1) from a word: its top 53 bits, offset by half a step (never 0 or 1). */
  public static double uniform(long word) {
    return ((word >>> 11) + 0.5) / TWO_POW_53;
  }

  /** A standard normal variate determined by {@code word} alone. */
  public static double normal(long word) {
    double u1 = uniform(word);
    double u2 = uniform(mix(word ^ GOLDEN));
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  /**
   * An integer, approximately normal with standard deviation {@code 1 << 16}, from one word
   * (Irwin-Hall: the sum of four 16-bit uniforms, centred): for per-step noise, where the emulator
   * keeps to integer arithmetic. Range: about ±3.46 standard deviations.
   */
  public static int normalQ16(long word) {
    long s = (word & 0xFFFF) + ((word >>> 16) & 0xFFFF) + ((word >>> 32) & 0xFFFF) + (word >>> 48);
    // Four uniforms on 0..65535 have mean 131070 and standard deviation 65536 / sqrt(3);
    // multiplying by sqrt(3) (443/256, 0.02 % low) brings it to 65536.
    return (int) (((s - 131070) * 443) >> 8);
  }
}
