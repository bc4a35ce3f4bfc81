package org.quench.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.SignMode;

class WeightQuantizerTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  /** Least SSE over every exponent and every mantissa the core can hold, by enumeration. */
  private static double bruteForceSse(double[] req, SignMode mode, boolean nineBitMixed) {
    double best = Double.POSITIVE_INFINITY;
    for (int e = LOIHI.weightExpMin(); e <= LOIHI.weightExpMax(); e++) {
      double sse = 0;
      for (double r : req) {
        double bestW = Double.POSITIVE_INFINITY;
        for (int m = -300; m <= 300; m++) {
          int nwb = mode == SignMode.MIXED && nineBitMixed ? 9 : 8;
          int held = WeightBits.prepare(new int[] {m}, mode, nwb, LOIHI)[0];
          if (held != m) {
            continue; // the core would not hold m as is
          }
          double d = m * Math.pow(2, e) - r;
          bestW = Math.min(bestW, d * d);
        }
        sse += bestW;
      }
      best = Math.min(best, sse);
    }
    return best;
  }

  private static double sse(WeightQuantizer.Result q, double[] req) {
    double s = 0;
    for (int i = 0; i < req.length; i++) {
      double d = q.effective(i) - req[i];
      s += d * d;
    }
    return s;
  }

  @Test
  void chosenRepresentationHasTheLeastSquaredErrorOfAllRepresentations() {
    Random rnd = new Random(3);
    for (int trial = 0; trial < 150; trial++) {
      double[] w = new double[1 + rnd.nextInt(5)];
      int kind = rnd.nextInt(3);
      for (int i = 0; i < w.length; i++) {
        double v = Math.exp(rnd.nextGaussian() * 2) * (rnd.nextBoolean() ? 1 : 0.01);
        w[i] = kind == 0 ? v : kind == 1 ? -v : (rnd.nextBoolean() ? v : -v);
      }
      double scale = Math.exp(rnd.nextGaussian() * 3);
      boolean nine = rnd.nextBoolean();
      WeightQuantizer.Result q =
          WeightQuantizer.quantize(w, scale, LOIHI, new WeightQuantizer.Options(nine, null));
      double[] req = new double[w.length];
      for (int i = 0; i < w.length; i++) {
        req[i] = w[i] * scale;
      }
      double brute = bruteForceSse(req, q.signMode(), nine);
      assertEquals(brute, sse(q, req), 1e-9 * (1 + brute));
    }
  }

  @Test
  void theChipHoldsExactlyTheReportedMantissas() {
    Random rnd = new Random(8);
    for (int trial = 0; trial < 500; trial++) {
      double[] w = new double[1 + rnd.nextInt(20)];
      for (int i = 0; i < w.length; i++) {
        w[i] = rnd.nextGaussian();
      }
      WeightQuantizer.Result q = WeightQuantizer.quantize(w, 100, LOIHI);
      assertArrayEquals(q.weights(),
          WeightBits.prepare(q.weights(), q.signMode(), q.numWeightBits(), LOIHI));
      // And one bit fewer would lose something (the reported bits are the fewest), unless 0.
      if (q.numWeightBits() > 0) {
        int[] fewer = WeightBits.prepare(q.weights(), q.signMode(), q.numWeightBits() - 1, LOIHI);
        assertTrue(!java.util.Arrays.equals(fewer, q.weights()));
      }
    }
  }

  @Test
  void clippingAnOutlierBeatsAvoidingOverflowWhenManySmallWeightsGainResolution() {
    // Avoiding overflow needs exponent 1 (258 -> 129), which rounds every 0.75 to 0:
    // SSE = 1000 * 0.5625. Exponent 0 clips 258 to 255 (error 9) and keeps 0.75 -> 1:
    // SSE = 9 + 1000 * 0.0625.
    double[] w = new double[1001];
    java.util.Arrays.fill(w, 0.75);
    w[0] = 258;
    WeightQuantizer.Result q = WeightQuantizer.quantize(w, 1.0, LOIHI);
    assertEquals(0, q.weightExp());
    assertEquals(1, q.clipped());
    assertEquals(0, q.zeroed());
    assertEquals(255, q.weights()[0]);
    assertEquals(9 + 1000 * 0.0625, sse(q, w), 1e-9);
    WeightQuantizer.Result safe =
        WeightQuantizer.quantize(w, 1.0, LOIHI, new WeightQuantizer.Options(false, 1));
    assertEquals(1000, safe.zeroed());
    assertEquals(0, safe.clipped());
    assertTrue(safe.rmsRelError() > q.rmsRelError());
  }

  @Test
  void exactIntegersStayAtExponentZeroWithTheFewestBits() {
    WeightQuantizer.Result q = WeightQuantizer.quantize(new double[] {4, 8, 0}, 1.0, LOIHI);
    assertEquals(0, q.weightExp());
    assertArrayEquals(new int[] {4, 8, 0}, q.weights());
    assertEquals(6, q.numWeightBits()); // truncation shift 2 keeps multiples of 4
    assertEquals(0.0, q.rmsRelError());
    assertEquals(0.0, q.maxRelError());
  }

  @Test
  void mixedWeightsLoseTheirLsbUnlessNineBitsAreAllowed() {
    // With 8 bits MIXED keeps only even mantissas: 3 and -5 are exact at exponent -1 as 6, -10.
    WeightQuantizer.Result q = WeightQuantizer.quantize(new double[] {3, -5}, 1.0, LOIHI);
    assertEquals(SignMode.MIXED, q.signMode());
    assertEquals(-1, q.weightExp());
    assertArrayEquals(new int[] {6, -10}, q.weights());
    assertEquals(8, q.numWeightBits());
    WeightQuantizer.Result nine = WeightQuantizer.quantize(new double[] {3, -5}, 1.0, LOIHI,
        new WeightQuantizer.Options(true, null));
    assertEquals(0, nine.weightExp());
    assertArrayEquals(new int[] {3, -5}, nine.weights());
    assertEquals(9, nine.numWeightBits());
  }

  @Test
  void zeroedCountsOnlyNonZeroRequestsAndErrorsAreRelativeToTheLargestWeight() {
    // Exponent 0 is forced by 255 (any lower exponent clips it); 0.3 rounds to 0.
    WeightQuantizer.Result q = WeightQuantizer.quantize(new double[] {255, 0.3, 0}, 1.0, LOIHI);
    assertEquals(0, q.weightExp());
    assertEquals(1, q.zeroed());
    assertEquals(0.3, q.maxAbsError(), 1e-12);
    assertEquals(0.3 / 255, q.maxRelError(), 1e-12);
    assertEquals(Math.sqrt(0.09 / (255.0 * 255 + 0.09)), q.rmsRelError(), 1e-12);
    assertEquals(0.3, q.realised(0) - 254.7, 1e-9);
  }

  @Test
  void singleSpikeErrorShowsTheFloorOfANegativeExponent() {
    WeightQuantizer.Result q = WeightQuantizer.quantize(new double[] {0.5}, 1.0, LOIHI);
    assertEquals(0.0, q.maxAbsError());
    assertTrue(q.weightExp() < 0);
    assertEquals(0.5, q.singleSpikeMaxAbsError(), 1e-12); // one spike alone delivers floor(0.5) = 0
  }

  @Test
  void aNegligibleNegativeWeightDoesNotForceMixed() {
    // -1e-4 is below half of 2^-8, so it is 0 at every exponent; 3 stays exact with 8 bits.
    WeightQuantizer.Result q = WeightQuantizer.quantize(new double[] {3, -1e-4}, 1.0, LOIHI);
    assertEquals(SignMode.EXCITATORY, q.signMode());
    assertEquals(0, q.weightExp());
    assertArrayEquals(new int[] {3, 0}, q.weights());
    assertEquals(1, q.zeroed());
    // -0.01 can be held (as -0.01 * 2^8 rounds to -3), so it keeps its sign and makes MIXED.
    assertEquals(SignMode.MIXED,
        WeightQuantizer.quantize(new double[] {3, -0.01}, 1.0, LOIHI).signMode());
  }

  @Test
  void inhibitoryWeightsStayNonPositive() {
    WeightQuantizer.Result q = WeightQuantizer.quantize(new double[] {-2.5, 0}, 1.0, LOIHI);
    assertEquals(SignMode.INHIBITORY, q.signMode());
    assertEquals(-1, q.weightExp());
    assertArrayEquals(new int[] {-5, 0}, q.weights());
  }

  @Test
  void rowsGetTheirOwnExponents() {
    List<WeightQuantizer.Result> rows = WeightQuantizer.quantizeRows(
        new double[][] {{200}, {0.25}}, 1.0, LOIHI, WeightQuantizer.Options.DEFAULT);
    assertEquals(0, rows.get(0).weightExp());
    assertEquals(-2, rows.get(1).weightExp());
  }

  @Test
  void badInputIsAQuenchException() {
    assertThrows(QuenchException.class, () -> WeightQuantizer.quantize(new double[] {1}, 0, LOIHI));
    assertThrows(QuenchException.class,
        () -> WeightQuantizer.quantize(new double[] {Double.NaN}, 1, LOIHI));
    assertThrows(QuenchException.class, () -> WeightQuantizer.quantize(new double[] {1}, 1, LOIHI,
        new WeightQuantizer.Options(false, 9)));
  }

  @Test
  void searchOrderTriesExponentsClosestToZeroFirst() {
    assertArrayEquals(new int[] {0, 1, -1, 2, -2, -3}, WeightQuantizer.searchOrder(-3, 2));
    assertArrayEquals(new int[] {3}, WeightQuantizer.searchOrder(3, 3));
  }
}
