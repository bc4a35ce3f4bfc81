package org.quench.compiler.ir;

import org.quench.hal.QuenchException;

/**
 * How the chip reads a fixed-point projection's integer weights: the exponent applied to each
 * step's summed activation, the number of weight bits kept (0..8, or 9 for MIXED: no bit dropped),
 * the sign mode and the connection kind. CONV projections use plain integers: exponent 0, and
 * bits and sign mode are not used by the chip.
 */
public record WeightFormat(int weightExp, int numWeightBits, SignMode signMode, ConnectionKind kind) {
  public WeightFormat {
    if (signMode == null || kind == null) {
      throw new QuenchException("a weight format needs a sign mode and a connection kind");
    }
    if (numWeightBits < 0 || numWeightBits > 9 || (numWeightBits == 9 && signMode != SignMode.MIXED)) {
      throw new QuenchException("num_weight_bits " + numWeightBits + " is outside 0..8 (9 only for"
          + " MIXED weights)");
    }
    if (kind == ConnectionKind.CONV && weightExp != 0) {
      throw new QuenchException("a CONV projection has no weight exponent (got " + weightExp + ")");
    }
  }

  /** Lava Dense defaults: 8 weight bits, exponent 0, the given sign mode. */
  public static WeightFormat dense(SignMode signMode) {
    return new WeightFormat(0, 8, signMode, ConnectionKind.DENSE);
  }

  /** A lowered convolution: plain integer weights. */
  public static WeightFormat conv() {
    return new WeightFormat(0, 8, SignMode.MIXED, ConnectionKind.CONV);
  }
}
