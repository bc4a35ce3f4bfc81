package org.quench.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

class FixedPointTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  /** Least |eff - want| over every (mantissa, exponent) pair, by enumeration; exp range given. */
  private static double bruteBiasError(double want, int expLo, int expHi) {
    double best = Double.POSITIVE_INFINITY;
    for (int e = expLo; e <= expHi; e++) {
      for (long m = -4096; m <= 4095; m++) {
        long eff = e >= 0 ? m * (1L << e) : Math.floorDiv(m, 1L << -e);
        best = Math.min(best, Math.abs(eff - want));
      }
    }
    return best;
  }

  @Test
  void goldenNoDecayCaseThresholdAndBias() {
    // docs/chip-semantics.md#lif: vth = 8 is a threshold of 512; bias_mant 2, bias_exp 6 adds 128
    // per step.
    FixedPoint.Thresholds t = FixedPoint.thresholds("pop", new double[] {512}, 1.0, true, LOIHI);
    assertArrayEquals(new int[] {8}, t.vth());
    assertEquals(0.0, t.maxRelError());
    FixedPoint.Biases b = FixedPoint.biases("pop", new double[] {128}, 1.0, true, LOIHI);
    assertEquals(128, FixedPoint.effectiveBias(b.mant()[0], b.exp()[0]));
    assertEquals(128, FixedPoint.effectiveBias(2, 6));
  }

  @Test
  void goldenBiasScalingNeedsExponentFive() {
    // docs/chip-semantics.md#lif: bias_mant 4095 with bias_exp 5 gives 131040; no other pair gives
    // it exactly (exponent 6 would need a mantissa of 2047.5).
    FixedPoint.Biases b = FixedPoint.biases("pop", new double[] {131040}, 1.0, true, LOIHI);
    assertEquals(4095, b.mant()[0]);
    assertEquals(5, b.exp()[0]);
    assertEquals(131040.0, b.realised()[0]);
  }

  @Test
  void thresholdRoundsToTheNearestMantissa() {
    FixedPoint.Thresholds t =
        FixedPoint.thresholds("pop", new double[] {100, 0.1}, 10.0, false, LOIHI);
    // 1000 / 64 = 15.625 -> 16 -> 1024 chip units = 102.4 model units; 1 / 64 -> 0.
    assertArrayEquals(new int[] {16, 0}, t.vth());
    assertEquals(102.4, t.realised()[0], 1e-12);
    assertEquals(1.0, t.maxRelError(), 1e-12); // 0.1 became 0
    assertEquals(1, t.worstNeuron());
    assertEquals(0, t.clamped());
  }

  @Test
  void thresholdOverflowClampsOrFailsWhenStrict() {
    double huge = 131071.0 * 64 * 3;
    FixedPoint.Thresholds t =
        FixedPoint.thresholds("population `lif1`", new double[] {huge, -500}, 1.0, false, LOIHI);
    assertArrayEquals(new int[] {131071, 0}, t.vth());
    assertEquals(2, t.clamped());
    QuenchException e = assertThrows(QuenchException.class,
        () -> FixedPoint.thresholds("population `lif1`", new double[] {1, huge}, 1.0, true, LOIHI));
    assertTrue(e.getMessage().contains("population `lif1` neuron 1"), e.getMessage());
    assertTrue(e.getMessage().contains("factor 3"), e.getMessage());
  }

  @Test
  void biasPerNeuronIsTheBestOfAllPairs() {
    Random rnd = new Random(2);
    double[] b = new double[60];
    for (int i = 0; i < b.length; i++) {
      b[i] = (rnd.nextBoolean() ? 1 : -1) * Math.exp(rnd.nextDouble() * 13);
    }
    FixedPoint.Biases q = FixedPoint.biases("pop", b, 1.0, true, LOIHI);
    for (int i = 0; i < b.length; i++) {
      double err = Math.abs(FixedPoint.effectiveBias(q.mant()[i], q.exp()[i]) - b[i]);
      assertEquals(bruteBiasError(b[i], LOIHI.biasExpMin(), LOIHI.biasExpMax()), err, 1e-9);
      assertTrue(q.mant()[i] >= -4096 && q.mant()[i] <= 4095);
    }
  }

  @Test
  void negativeExponentShiftsTheMantissaRightWithFloor() {
    assertEquals(-2, FixedPoint.effectiveBias(-3, -1));
    assertEquals(1, FixedPoint.effectiveBias(3, -1));
    // A spec whose exponents are all negative still finds the nearest representable bias.
    ChipSpec negative = ChipSpec.parse(LOIHI.toJson()
        .replace("\"biasExpMin\": -8", "\"biasExpMin\": -3")
        .replace("\"biasExpMax\": 7", "\"biasExpMax\": -1"), "test");
    FixedPoint.Biases q =
        FixedPoint.biases("pop", new double[] {-7.4, 100.6, -3000}, 1.0, false, negative);
    for (int i = 0; i < 3; i++) {
      double want = new double[] {-7.4, 100.6, -3000}[i];
      double err = Math.abs(FixedPoint.effectiveBias(q.mant()[i], q.exp()[i]) - want);
      assertEquals(bruteBiasError(want, -3, -1), err, 1e-9);
    }
    assertEquals(1, q.clamped()); // -3000 needs more than -4096 >> 1
  }

  @Test
  void biasOverflowClampsOrFailsWhenStrict() {
    FixedPoint.Biases q = FixedPoint.biases("pop", new double[] {600000}, 1.0, false, LOIHI);
    assertEquals(1, q.clamped());
    assertEquals(4095L << 7, (long) q.realised()[0]);
    QuenchException e = assertThrows(QuenchException.class,
        () -> FixedPoint.biases("population `in`", new double[] {600000}, 1.0, true, LOIHI));
    assertTrue(e.getMessage().contains("population `in` neuron 0"), e.getMessage());
    assertTrue(e.getMessage().contains("524160"), e.getMessage());
  }

  @Test
  void sharedExponentMinimisesThePopulationError() {
    // Exponent 5 keeps 131040 exact and rounds 1 to 0 (error 1); exponent 6 misses 131040 by 32;
    // exponent 4 and below clip it.
    FixedPoint.Biases q =
        FixedPoint.biasesSharedExponent("pop", new double[] {1, 131040}, 1.0, true, LOIHI);
    assertArrayEquals(new int[] {5, 5}, q.exp());
    assertArrayEquals(new int[] {0, 4095}, q.mant());
    assertEquals(0, q.clamped());
    assertEquals(1.0, q.maxAbsError());
    // Brute force over the shared exponent: the chosen one has the least squared error.
    double best = Double.POSITIVE_INFINITY;
    for (int e = LOIHI.biasExpMin(); e <= LOIHI.biasExpMax(); e++) {
      double sse = Math.pow(bruteBiasError(1, e, e), 2) + Math.pow(bruteBiasError(131040, e, e), 2);
      best = Math.min(best, sse);
    }
    assertEquals(best, 1.0);
  }

  @Test
  void sharedExponentStrictRefusesWhenEveryExponentClamps() {
    assertThrows(QuenchException.class, () -> FixedPoint.biasesSharedExponent("pop",
        new double[] {1, 600000}, 1.0, true, LOIHI));
    FixedPoint.Biases q =
        FixedPoint.biasesSharedExponent("pop", new double[] {1, 600000}, 1.0, false, LOIHI);
    assertEquals(1, q.clamped());
  }

  @Test
  void scaleCarriesModelUnitsToChipUnits() {
    // 0.5 model units per step at 1000 chip units per model unit: 500 chip units, exact.
    FixedPoint.Biases q = FixedPoint.biases("pop", new double[] {0.5}, 1000.0, true, LOIHI);
    assertEquals(500, FixedPoint.effectiveBias(q.mant()[0], q.exp()[0]));
    assertEquals(0.5, q.realised()[0], 1e-15);
    assertThrows(QuenchException.class,
        () -> FixedPoint.biases("pop", new double[] {0.5}, -1, true, LOIHI));
    assertThrows(QuenchException.class,
        () -> FixedPoint.thresholds("pop", new double[] {Double.NaN}, 1, true, LOIHI));
  }
}
