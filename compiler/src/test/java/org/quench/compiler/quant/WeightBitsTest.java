package org.quench.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.SignMode;

class WeightBitsTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  // --- docs/chip-semantics.md#weight-truncation-and-clipping ---

  @Test
  void truncationMatchesSemanticsVectors() {
    assertArrayEquals(new int[] {252, 252, 252, 254, 254},
        WeightBits.truncate(new int[] {252, 253, 253, 254, 255}, SignMode.EXCITATORY, 7, LOIHI));
    assertArrayEquals(new int[] {-254, -254, -252, -252, -250},
        WeightBits.truncate(new int[] {-255, -254, -253, -252, -251}, SignMode.INHIBITORY, 7, LOIHI));
    int[] mixed = {-256, -255, -254, 253, 254, 255};
    assertArrayEquals(new int[] {-256, -256, -254, 252, 254, 254},
        WeightBits.truncate(mixed, SignMode.MIXED, 8, LOIHI));
    assertArrayEquals(new int[] {-256, -256, -256, 252, 252, 252},
        WeightBits.truncate(mixed, SignMode.MIXED, 7, LOIHI));
  }

  @Test
  void clippingMatchesSemanticsVectors() {
    assertArrayEquals(new int[] {0, 0, 255, 255},
        WeightBits.clip(new int[] {-1, 0, 255, 256}, SignMode.EXCITATORY, 8));
    assertArrayEquals(new int[] {-255, -255, -1, 0, 0},
        WeightBits.clip(new int[] {-256, -255, -1, 0, 1}, SignMode.INHIBITORY, 8));
    assertArrayEquals(new int[] {-256, -256, 255, 255},
        WeightBits.clip(new int[] {-257, -256, 255, 256}, SignMode.MIXED, 8));
    assertArrayEquals(new int[] {-128, -128, 127, 127},
        WeightBits.clip(new int[] {-129, -128, 127, 128}, SignMode.MIXED, 7));
  }

  // --- docs/chip-semantics.md#dense: the activation at k=4 is the sum of prepared weights, shifted

  @Test
  void denseGoldenActivationsFollowFromPreparation() {
    assertArrayEquals(new int[] {0, 255, 40},
        WeightBits.prepare(new double[] {0.5, 300, 40}, SignMode.EXCITATORY, 8, LOIHI));
    int[] mixed = WeightBits.prepare(new double[] {300, -300, 39}, SignMode.MIXED, 8, LOIHI);
    assertArrayEquals(new int[] {254, -256, 38}, mixed);
    long[] shifted = new long[3];
    for (int i = 0; i < 3; i++) {
      shifted[i] = WeightBits.activation(mixed[i], 1);
    }
    assertArrayEquals(new long[] {508, -512, 76}, shifted);
    assertArrayEquals(new int[] {252, -256, 36},
        WeightBits.prepare(new double[] {300, -300, 39}, SignMode.MIXED, 7, LOIHI));
    int[] row = WeightBits.prepare(new double[] {300, -300, 39, -0.4}, SignMode.MIXED, 8, LOIHI);
    assertEquals(36, row[0] + row[1] + row[2] + row[3]);
  }

  @Test
  void exponentShiftsTheSummedActivationWithFloor() {
    // Three synapses of -1 at exponent -1: the sum -3 floors to -2 (per synapse it would be -3).
    assertEquals(-2, WeightBits.activation(-1 - 1 - 1, -1));
    assertEquals(3, WeightBits.activation(7, -1));
    assertEquals(20, WeightBits.activation(5, 2));
    assertEquals(-1, WeightBits.activation(-1, -8));
  }

  @Test
  void signModeFollowsLavaIncludingAllZeroAsExcitatory() {
    assertEquals(SignMode.EXCITATORY, WeightBits.determineSignMode(new int[] {0, 0}));
    assertEquals(SignMode.EXCITATORY, WeightBits.determineSignMode(new int[] {0, 3}));
    assertEquals(SignMode.INHIBITORY, WeightBits.determineSignMode(new int[] {0, -3}));
    assertEquals(SignMode.MIXED, WeightBits.determineSignMode(new int[] {-1, 3}));
    assertEquals(SignMode.MIXED, WeightBits.determineSignMode(new double[] {-1e-9, 3}));
  }

  @Test
  void autoSignModeIsResolvedFromTheWeights() {
    // Both signs -> MIXED, which drops the LSB with floor: -3 -> -4, 255 -> 254, 1 -> 0.
    assertArrayEquals(new int[] {-4, 254, 0},
        WeightBits.prepare(new int[] {-3, 255, 1}, SignMode.SIGN_MODE_AUTO, 8, LOIHI));
    // All non-positive -> INHIBITORY, which truncates the magnitude: -3 stays -3.
    assertArrayEquals(new int[] {-3, 0},
        WeightBits.prepare(new int[] {-3, 0}, SignMode.SIGN_MODE_AUTO, 8, LOIHI));
  }

  @Test
  void illegalNumWeightBitsIsRefused() {
    assertThrows(QuenchException.class,
        () -> WeightBits.truncate(new int[] {1}, SignMode.EXCITATORY, 9, LOIHI));
    assertThrows(QuenchException.class,
        () -> WeightBits.truncate(new int[] {1}, SignMode.MIXED, -1, LOIHI));
    // 9 is legal for MIXED and drops nothing.
    assertArrayEquals(new int[] {-255, 39},
        WeightBits.truncate(new int[] {-255, 39}, SignMode.MIXED, 9, LOIHI));
  }

  // --- Lava's optimize_weight_bits (docs/chip-semantics.md#choosing-weight-mantissa-and-exponent)

  @Test
  void lavaRuleOnTensGivesFiveWithExponentMinusFour() {
    WeightBits.OptimizedWeights o =
        WeightBits.optimizeLava(new int[] {10, 10, 10}, SignMode.EXCITATORY, LOIHI);
    assertArrayEquals(new int[] {5, 5, 5}, o.mantissas());
    assertEquals(-4, o.weightExp());
    assertEquals(3, o.numWeightBits());
    assertArrayEquals(new int[] {160, 160, 160}, o.weights());
    assertEquals(10.0, o.effective(0));
    assertFalse(o.divergesFromLava());
  }

  @Test
  void lavaRuleOnZerosGivesExponentZeroAndNoBits() {
    WeightBits.OptimizedWeights o =
        WeightBits.optimizeLava(new int[] {0, 0, 0, 0}, SignMode.EXCITATORY, LOIHI);
    assertEquals(0, o.weightExp());
    assertEquals(0, o.numWeightBits());
    assertArrayEquals(new int[4], o.weights());
  }

  @Test
  void lavaRuleOnEvenRampHalvesTheMantissas() {
    int[] w = new int[128];
    int[] half = new int[128];
    for (int i = 0; i < 128; i++) {
      w[i] = 2 * i;
      half[i] = w[i] >> 1;
    }
    WeightBits.OptimizedWeights o = WeightBits.optimizeLava(w, SignMode.EXCITATORY, LOIHI);
    assertArrayEquals(half, o.mantissas());
    assertEquals(0, o.weightExp());
    assertEquals(7, o.numWeightBits());
  }

  @Test
  void lavaRuleRefusesWeightsOutsideTheSignModeRange() {
    assertThrows(QuenchException.class,
        () -> WeightBits.optimizeLava(new int[] {256}, SignMode.EXCITATORY, LOIHI));
    assertThrows(QuenchException.class,
        () -> WeightBits.optimizeLava(new int[] {-256}, SignMode.INHIBITORY, LOIHI));
    assertThrows(QuenchException.class,
        () -> WeightBits.optimizeLava(new int[] {-1}, SignMode.EXCITATORY, LOIHI));
  }

  @Test
  void lavaRuleIsLosslessOnRandomInRangeWeights() {
    Random rnd = new Random(11);
    for (int trial = 0; trial < 2000; trial++) {
      SignMode mode = SignMode.forNumber(1 + rnd.nextInt(3));
      int[] w = new int[1 + rnd.nextInt(6)];
      int granularity = 1 << rnd.nextInt(5);
      int magnitude = 1 + rnd.nextInt(255);
      for (int i = 0; i < w.length; i++) {
        int v = (rnd.nextInt(magnitude + 1) / granularity) * granularity;
        w[i] = switch (mode) {
          case EXCITATORY -> v;
          case INHIBITORY -> -v;
          default -> rnd.nextBoolean() ? v : -v;
        };
      }
      if (mode == SignMode.MIXED && maxOf(w) == 255) {
        continue; // the one case Lava's rule cannot represent; tested separately
      }
      WeightBits.OptimizedWeights o = WeightBits.optimizeLava(w, mode, LOIHI);
      assertFalse(o.divergesFromLava());
      // What the core holds equals what the optimiser returned, and it means the same weights.
      assertArrayEquals(o.weights(), WeightBits.prepare(o.weights(), mode, o.numWeightBits(), LOIHI));
      int shift = WeightBits.truncationShift(mode, o.numWeightBits(), LOIHI);
      for (int i = 0; i < w.length; i++) {
        assertEquals(w[i], o.effective(i), 0.0);
        assertEquals(o.weights()[i], o.mantissas()[i] << shift);
      }
    }
  }

  @Test
  void lavaRuleWithMixedMaximumWeightShiftsRightAndSaysItDiverges() {
    WeightBits.OptimizedWeights o =
        WeightBits.optimizeLava(new int[] {255, -4}, SignMode.MIXED, LOIHI);
    assertEquals(1, o.weightExp());
    assertArrayEquals(new int[] {127, -2}, o.weights());
    assertTrue(o.divergesFromLava());
    assertEquals(9, o.numWeightBits());
  }

  // --- lava-dl netx's rule (docs/model-formats.md#dense-layer-weights); expected numbers worked
  // by hand from the stated rule ---

  @Test
  void netxClipsMixedOutliersAndKeepsEveryBit() {
    // clip to [-256, 254]; scale min(127/254, 128/256) = 1/2 -> scaleBits -1 + 1 = 0;
    // no power of two divides 39 -> n = 0 - 1; nwb = 8 - 0 + 1 = 9.
    WeightBits.OptimizedWeights o = WeightBits.optimizeNetx(new int[] {300, -300, 39}, LOIHI);
    assertEquals(SignMode.MIXED, o.signMode());
    assertEquals(2, o.clipped());
    assertArrayEquals(new int[] {254, -256, 39}, o.weights());
    assertEquals(0, o.weightExp());
    assertEquals(9, o.numWeightBits());
    assertArrayEquals(o.weights(), WeightBits.prepare(o.weights(), SignMode.MIXED, 9, LOIHI));
  }

  @Test
  void netxScalesExcitatoryWeightsUp() {
    // scale 255/40 -> 2 bits; 2 divides all of 10, 20, 40 -> n = 1; nwb = 8 - 2 - 1 = 5.
    WeightBits.OptimizedWeights o = WeightBits.optimizeNetx(new int[] {10, 20, 40}, LOIHI);
    assertEquals(SignMode.EXCITATORY, o.signMode());
    assertArrayEquals(new int[] {40, 80, 160}, o.weights());
    assertEquals(-2, o.weightExp());
    assertEquals(5, o.numWeightBits());
    assertArrayEquals(o.weights(), WeightBits.prepare(o.weights(), o.signMode(), 5, LOIHI));
  }

  @Test
  void netxCallsNonPositiveWithAZeroMixed() {
    // max = 0 is not < 0, so MIXED; scale 128/5 -> 4 + 1 = 5 bits; n = 0 - 1; nwb = 8 - 5 + 1 = 4.
    WeightBits.OptimizedWeights o = WeightBits.optimizeNetx(new int[] {-5, 0}, LOIHI);
    assertEquals(SignMode.MIXED, o.signMode());
    assertArrayEquals(new int[] {-160, 0}, o.weights());
    assertEquals(-5, o.weightExp());
    assertEquals(4, o.numWeightBits());
    assertArrayEquals(o.weights(), WeightBits.prepare(o.weights(), o.signMode(), 4, LOIHI));
  }

  @Test
  void netxInhibitoryScaleOverflowsAndThePreparationShowsTheLoss() {
    // INHIBITORY scale is 256/64 = 4 -> weights << 2 = -256, which the core clips to -255 and then
    // truncates with nwb = 8 - 2 - 5 = 1 (shift 7) to -128: lava-dl's rule loses half the weight.
    WeightBits.OptimizedWeights o = WeightBits.optimizeNetx(new int[] {-64, -32}, LOIHI);
    assertEquals(SignMode.INHIBITORY, o.signMode());
    assertArrayEquals(new int[] {-256, -128}, o.weights());
    assertEquals(-2, o.weightExp());
    assertEquals(1, o.numWeightBits());
    assertArrayEquals(new int[] {-128, -128},
        WeightBits.prepare(o.weights(), o.signMode(), o.numWeightBits(), LOIHI));
  }

  @Test
  void netxOnAllZeroWeightsGivesNoBits() {
    WeightBits.OptimizedWeights o = WeightBits.optimizeNetx(new int[] {0, 0}, LOIHI);
    assertEquals(0, o.weightExp());
    assertEquals(0, o.numWeightBits());
    assertEquals(SignMode.EXCITATORY, o.signMode());
  }

  @Test
  void netxIsLosslessOnRandomNonInhibitoryWeights() {
    Random rnd = new Random(5);
    for (int trial = 0; trial < 2000; trial++) {
      boolean mixed = rnd.nextBoolean();
      int[] w = new int[1 + rnd.nextInt(6)];
      int granularity = 1 << rnd.nextInt(5);
      int magnitude = 1 + rnd.nextInt(254);
      for (int i = 0; i < w.length; i++) {
        int v = (rnd.nextInt(magnitude + 1) / granularity) * granularity;
        w[i] = mixed && rnd.nextBoolean() ? -v : v;
      }
      WeightBits.OptimizedWeights o = WeightBits.optimizeNetx(w, LOIHI);
      if (o.signMode() == SignMode.INHIBITORY) {
        continue; // all drawn negative: the INHIBITORY quirk, tested above
      }
      assertEquals(0, o.clipped());
      assertArrayEquals(o.weights(),
          WeightBits.prepare(o.weights(), o.signMode(), o.numWeightBits(), LOIHI));
      for (int i = 0; i < w.length; i++) {
        assertEquals(w[i], o.effective(i), 0.0);
      }
    }
  }

  private static int maxOf(int[] w) {
    int m = Integer.MIN_VALUE;
    for (int v : w) {
      m = Math.max(m, v);
    }
    return m;
  }
}
