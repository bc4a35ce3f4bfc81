package org.quench.compiler.ir;

import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * How the chip reads a fixed-point projection's integer weights: the exponent applied to each
 * step's summed activation, the number of weight bits kept, the sign mode and the connection
 * kind. CONV projections use plain integers: exponent 0, and bits and sign mode are not used by
 * the chip.
 *
 * <p>The IR is not tied to a chip, so only what holds on every chip is checked here (bits not
 * negative, no exponent on CONV). The legal bits are the target spec's
 * {@link ChipSpec#numWeightBitsRange} (0..weightMantBits, one more for MIXED: 0..8 and 9 on
 * Loihi) and the legal exponents its {@link ChipSpec#weightExpRange()}; a compile checks both
 * when the image is emitted, naming the projection (docs/chip-semantics.md#valid-range-of-each-parameter).
 */
public record WeightFormat(int weightExp, int numWeightBits, SignMode signMode, ConnectionKind kind) {
  /** Checks what holds on every chip; the spec's ranges are checked by the compile. */
  public WeightFormat {
    if (signMode == null || kind == null) {
      throw new QuenchException("a weight format needs a sign mode and a connection kind");
    }
    if (numWeightBits < 0) {
      throw new QuenchException("num_weight_bits " + numWeightBits + " is negative; the chip keeps"
          + " 0..weightMantBits bits of a weight (one more for MIXED)");
    }
    if (kind == ConnectionKind.CONV && weightExp != 0) {
      throw new QuenchException("a CONV projection has no weight exponent (got " + weightExp + ")");
    }
  }

  /** Lava Dense defaults on Loihi: 8 weight bits, exponent 0, the given sign mode. */
  public static WeightFormat dense(SignMode signMode) {
    return dense(signMode, ChipSpec.loihi());
  }

  /**
   * Lava Dense defaults on {@code spec}: exponent 0 and {@code weightMantBits} bits (nothing
   * dropped but, for MIXED, the lowest bit, as Lava's default of 8 on Loihi).
   */
  public static WeightFormat dense(SignMode signMode, ChipSpec spec) {
    return new WeightFormat(0, spec.weightMantBits(), signMode, ConnectionKind.DENSE);
  }

  /** A lowered convolution: plain integer weights. */
  public static WeightFormat conv() {
    return new WeightFormat(0, 8, SignMode.MIXED, ConnectionKind.CONV);
  }
}
