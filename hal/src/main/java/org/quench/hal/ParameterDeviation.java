package org.quench.hal;

import org.quench.hal.proto.SignMode;

/**
 * How a chip instance's factor acts on one integer parameter: the one rule that the emulator
 * applies at load, the compiler inverts to compensate and calibration fits (docs/variability.md).
 *
 * <p>A factor travels as a gain in Q16 fixed point ({@link #ONE} = 1.0). The deviated value is
 * {@code round(value * gain / 2^16)}, rounded half away from zero, then clamped to the parameter's
 * range in the chip spec ({@link ChipSpec#vthRange()} and its siblings). Integer arithmetic only: same bits everywhere.
 */
public final class ParameterDeviation {
  /** The gain of a nominal parameter: 1.0 in Q16. */
  public static final int ONE = 1 << 16;
  /** The largest gain representable: a factor of 16. */
  public static final int MAX_GAIN = 16 << 16;

  private ParameterDeviation() {}

  /** The Q16 gain nearest {@code factor}, clamped to 0..{@link #MAX_GAIN}. */
  public static int gain(double factor) {
    if (!(factor > 0)) {
      return 0;
    }
    return (int) Math.min(MAX_GAIN, Math.round(factor * ONE));
  }

  /** {@code round(value * gain / 2^16)}, half away from zero. */
  public static long scale(long value, int gain) {
    long p = Math.abs(value) * gain;
    long r = (p + (ONE >> 1)) >> 16;
    return value < 0 ? -r : r;
  }

  /** The deviated current decay {@code du}: its amount {@code du + 1} is scaled (-1 stays -1). */
  public static int currentDecay(ChipSpec spec, int du, int gain) {
    return (int) clamp(scale(du + 1L, gain) - 1, spec.decayURange());
  }

  /** The deviated voltage decay {@code dv} (0..unity). */
  public static int voltageDecay(ChipSpec spec, int dv, int gain) {
    return (int) clamp(scale(dv, gain), spec.decayVRange());
  }

  /** The deviated threshold mantissa, within {@link ChipSpec#vthRange()}. */
  public static int threshold(ChipSpec spec, int vth, int gain) {
    return (int) clamp(scale(vth, gain), spec.vthRange());
  }

  /** The deviated lower threshold mantissa of a ternary neuron (signed, same width). */
  public static int thresholdLow(ChipSpec spec, int vthLo, int gain) {
    return (int) clamp(scale(vthLo, gain), spec.vthLoRange());
  }

  /** The deviated bias mantissa (signed biasMantBits). */
  public static int biasMant(ChipSpec spec, int mant, int gain) {
    return (int) clamp(scale(mant, gain), spec.biasMantRange());
  }

  /**
   * The deviated weight of one synapse, from the weight the core prepared (clipped and truncated
   * as Lava does) and the synapse's gain: clamped to the sign mode's 8-bit range (MIXED
   * -256..255, EXCITATORY 0..255, INHIBITORY -255..0), or for convolution weights
   * ({@code mode == null}) to the spec's weight input width.
   */
  public static int weight(ChipSpec spec, int prepared, int gain, SignMode mode) {
    long w = scale(prepared, gain);
    return (int) clamp(w, mode == null ? spec.weightInputRange() : spec.weightMantRange(mode));
  }

  /** The bias mantissa a hot neuron is stuck at: the top of its range. */
  public static int hotBiasMant(ChipSpec spec) {
    return spec.biasMantRange().max();
  }

  /**
   * The largest threshold mantissa: a dead neuron's (above the largest voltage, so it never fires;
   * see {@link ChipSpec#vthRange()}).
   */
  public static int vthMax(ChipSpec spec) {
    return spec.vthRange().max();
  }

  private static long clamp(long v, ChipSpec.Range r) {
    return v < r.min() ? r.min() : v > r.max() ? r.max() : v;
  }
}
