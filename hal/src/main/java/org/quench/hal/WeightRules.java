package org.quench.hal;

import org.quench.hal.proto.SignMode;

/**
 * Lava's weight rules for a dense connection, written once: how a sign mode is derived from the
 * weights when an image leaves it to them, and the core's one-time preparation of a weight (clip
 * to the mantissa by sign mode, then truncate to {@code num_weight_bits}) that decides the integer
 * the synapse memory holds (docs/chip-semantics.md#weight-preparation-sign-mode-clip-truncate). The emulator prepares
 * its synapses with it, {@link ImageValidator} judges sign modes and weight bits with it and the
 * compiler predicts what the chip will hold with it.
 *
 * <p>All functions are pure and work on chip integers; a sign mode handed to {@link #clip} or
 * {@link #truncate} must be resolved (not {@code SIGN_MODE_AUTO}).
 */
public final class WeightRules {
  private WeightRules() {}

  /**
   * Lava's sign mode for weights between {@code min} and {@code max}: all {@code >= 0} (also all
   * zero, or none) is EXCITATORY, else all {@code <= 0} INHIBITORY, else MIXED.
   */
  public static SignMode signModeOf(long min, long max) {
    if (min >= 0) {
      return SignMode.EXCITATORY;
    }
    return max <= 0 ? SignMode.INHIBITORY : SignMode.MIXED;
  }

  /**
   * The sign mode a group really uses: {@code given}, or for SIGN_MODE_AUTO the one Lava derives
   * from {@code weights[from..to)} ({@link #signModeOf}).
   */
  public static SignMode resolve(SignMode given, int[] weights, int from, int to) {
    if (given != SignMode.SIGN_MODE_AUTO) {
      return given;
    }
    long min = 0;
    long max = 0;
    for (int i = from; i < to; i++) {
      min = Math.min(min, weights[i]);
      max = Math.max(max, weights[i]);
    }
    return signModeOf(min, max);
  }

  /**
   * The values the core's clip leaves with {@code bits} magnitude bits in {@code mode}: MIXED
   * {@code -2^bits..2^bits-1}, EXCITATORY {@code 0..2^bits-1}, INHIBITORY {@code -(2^bits-1)..0}
   * (the magnitude is clipped).
   */
  public static ChipSpec.Range clipRange(SignMode mode, int bits) {
    if (bits < 0 || bits > 30) {
      throw new IllegalArgumentException("clip bits must be 0..30, got " + bits);
    }
    int top = (1 << bits) - 1;
    return switch (mode) {
      case MIXED -> new ChipSpec.Range(-(1 << bits), top);
      case EXCITATORY -> new ChipSpec.Range(0, top);
      case INHIBITORY -> new ChipSpec.Range(-top, 0);
      default -> throw new IllegalArgumentException("unresolved sign mode " + mode);
    };
  }

  /** Step 1 of the preparation: {@code w} clipped into {@link #clipRange}{@code (mode, bits)}. */
  public static int clip(int w, SignMode mode, int bits) {
    return clipRange(mode, bits).clamp(w);
  }

  /**
   * The low bits the core drops: {@code weightMantBits - numWeightBits (+1 for MIXED)}.
   *
   * @throws QuenchException when {@code numWeightBits} is outside
   *     {@link ChipSpec#numWeightBitsRange(SignMode)}
   */
  public static int truncationShift(SignMode mode, int numWeightBits, ChipSpec spec) {
    ChipSpec.Range legal = spec.numWeightBitsRange(mode);
    if (!legal.contains(numWeightBits)) {
      throw new QuenchException("num_weight_bits " + numWeightBits + " is outside " + legal
          + " for sign mode " + mode + " on chip '" + spec.name() + "'");
    }
    return legal.max() - numWeightBits;
  }

  /**
   * Step 2 of the preparation: drop the low {@link #truncationShift} bits with a floor shift; an
   * INHIBITORY weight truncates its magnitude (negate, shift, negate back).
   */
  public static int truncate(int w, SignMode mode, int numWeightBits, ChipSpec spec) {
    int drop = truncationShift(mode, numWeightBits, spec);
    if (mode == SignMode.INHIBITORY) {
      return -(((-w) >> drop) << drop);
    }
    return (w >> drop) << drop;
  }

  /** Clip to weightMantBits, then truncate: the integer the synapse memory holds for {@code w}. */
  public static int prepare(int w, SignMode mode, int numWeightBits, ChipSpec spec) {
    return truncate(clip(w, mode, spec.weightMantBits()), mode, numWeightBits, spec);
  }
}
