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

class OverflowBoundTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  /**
   * docs/chip-semantics.md#one-neuron-step, steps 4-7 for one neuron, without wrap or saturation;
   * returns max |u|, |v'|.
   */
  private static long[] simulate(long[] activation, int du, int dv, long bias, long vth) {
    long u = 0;
    long v = 0;
    long maxU = 0;
    long maxV = 0;
    for (long a : activation) {
      long t = u * (4096 - (du + 1));
      u = Long.signum(t) * (Math.abs(t) >> 12) + (a << 6);
      long s = v * (4096 - dv);
      v = Long.signum(s) * (Math.abs(s) >> 12) + u + bias;
      maxU = Math.max(maxU, Math.abs(u));
      maxV = Math.max(maxV, Math.abs(v));
      if (v > vth) {
        v = 0;
      }
    }
    return new long[] {maxU, maxV};
  }

  @Test
  void boundHoldsAndIsNearlyReachedUnderConstantDrive() {
    int[][] decays = {{4095, 4096}, {2047, 2048}, {100, 50}, {10, 3}};
    for (int[] d : decays) {
      long[] a = new long[20000];
      java.util.Arrays.fill(a, 37);
      long[] sim = simulate(a, d[0], d[1], 5, Long.MAX_VALUE);
      OverflowBound.Bound b = OverflowBound.bound(new double[] {37}, new double[] {0},
          new int[] {d[0]}, new int[] {d[1]}, new long[] {5}, null, 0, LOIHI);
      assertTrue(sim[0] <= b.uBound()[0], "u " + sim[0] + " > " + b.uBound()[0]);
      assertTrue(sim[1] <= b.vBound()[0], "v " + sim[1] + " > " + b.vBound()[0]);
      // Truncation keeps the chip a little below the real-valued steady state.
      assertTrue(sim[0] >= 0.97 * b.uBound()[0], "u bound loose: " + sim[0] + " vs " + b.uBound()[0]);
      assertTrue(sim[1] >= 0.9 * b.vBound()[0], "v bound loose: " + sim[1] + " vs " + b.vBound()[0]);
    }
  }

  @Test
  void boundHoldsForRandomDrivesBothSigns() {
    Random rnd = new Random(6);
    for (int trial = 0; trial < 100; trial++) {
      int du = rnd.nextInt(4096);
      int dv = 1 + rnd.nextInt(4096);
      int pos = rnd.nextInt(50);
      int neg = rnd.nextInt(50);
      long bias = rnd.nextInt(200) - 100;
      long vth = rnd.nextBoolean() ? Long.MAX_VALUE : 64L * rnd.nextInt(2000);
      long[] a = new long[3000];
      for (int k = 0; k < a.length; k++) {
        a[k] = rnd.nextInt(pos + neg + 1) - neg;
      }
      long[] sim = simulate(a, du, dv, bias, vth);
      OverflowBound.Bound b = OverflowBound.bound(new double[] {pos}, new double[] {neg},
          new int[] {du}, new int[] {dv}, new long[] {bias},
          vth == Long.MAX_VALUE ? null : new long[] {vth}, 0, LOIHI);
      assertTrue(sim[0] <= b.uBound()[0], "trial " + trial);
      assertTrue(sim[1] <= b.vBound()[0], "trial " + trial);
    }
  }

  @Test
  void thresholdCapsThePositiveVoltage() {
    // No voltage decay: without a threshold v grows without bound; with one, v' <= vth + u + b.
    long[] a = new long[5000];
    java.util.Arrays.fill(a, 2);
    long vth = 64L * 100;
    long[] sim = simulate(a, 4095, 0, 0, vth);
    OverflowBound.Bound capped = OverflowBound.bound(new double[] {2}, new double[] {0},
        new int[] {4095}, new int[] {0}, null, new long[] {vth}, 0, LOIHI);
    assertEquals(vth + 128, capped.vBound()[0], 0.0);
    assertTrue(sim[1] <= capped.vBound()[0]);
    assertFalse(capped.vMaySaturate());
    OverflowBound.Bound open = OverflowBound.bound(new double[] {2}, new double[] {0},
        new int[] {4095}, new int[] {0}, null, null, 0, LOIHI);
    assertEquals(Double.POSITIVE_INFINITY, open.vBound()[0]);
    assertTrue(open.vMaySaturate());
  }

  @Test
  void headroomIsCountedInBits() {
    // du = 4095 keeps nothing: |u| <= 1 * 64, so 2^23 / 2^6 leaves 17 bits.
    OverflowBound.Bound b = OverflowBound.bound(new double[] {1}, new double[] {1},
        new int[] {4095}, new int[] {4096}, null, null, 0, LOIHI);
    assertEquals(64.0, b.uBound()[0]);
    assertEquals(17.0, b.uHeadroomBits(), 1e-12);
    assertFalse(b.uMayWrap());
    // 2^17 + 1 per step shifted by 6 exceeds 2^23: u wraps, headroom is negative.
    OverflowBound.Bound over = OverflowBound.bound(new double[] {(1 << 17) + 1},
        new double[] {0}, new int[] {4095}, new int[] {4096}, null, null, 0, LOIHI);
    assertTrue(over.uMayWrap());
    assertTrue(over.uHeadroomBits() < 0);
    // Exactly 2^23 does not wrap upward, but -2^23 does.
    assertFalse(OverflowBound.bound(new double[] {1 << 17}, new double[] {0}, new int[] {4095},
        new int[] {4096}, null, null, 0, LOIHI).uMayWrap());
    assertTrue(OverflowBound.bound(new double[] {0}, new double[] {1 << 17}, new int[] {4095},
        new int[] {4096}, null, null, 0, LOIHI).uMayWrap());
  }

  @Test
  void noDecayIsUnboundedUnlessResetPeriodically() {
    OverflowBound.Bound b = OverflowBound.bound(new double[] {1}, new double[] {0},
        new int[] {-1}, new int[] {4096}, null, null, 0, LOIHI);
    assertEquals(Double.POSITIVE_INFINITY, b.uBound()[0]);
    assertTrue(b.uMayWrap());
    OverflowBound.Bound reset = OverflowBound.bound(new double[] {1}, new double[] {0},
        new int[] {-1}, new int[] {4096}, null, null, 10, LOIHI);
    assertEquals(640.0, reset.uBound()[0]);
    OverflowBound.Bound idle = OverflowBound.bound(new double[] {0}, new double[] {0},
        new int[] {-1}, new int[] {0}, null, null, 0, LOIHI);
    assertEquals(0.0, idle.uBound()[0]);
    assertEquals(Double.POSITIVE_INFINITY, idle.uHeadroomBits());
  }

  @Test
  void worstCaseDriveShiftsEachSumAsTheChipDoes() {
    OverflowBound.WorstCaseDrive d = new OverflowBound.WorstCaseDrive(2);
    // Neuron 0: +21 and -9 at exponent -1: 21 >> 1 = 10 up, -9 >> 1 = -5 down (real: 4.5).
    d.add(0, 21, -9, -1);
    // and +3, -3 at exponent 2: exact.
    d.add(0, 3, -3, 2);
    // Neuron 1: -1 at exponent -8 twice (two groups): each floors to -1.
    d.add(1, 0, -1, -8);
    d.add(1, 0, -1, -8);
    assertArrayEquals(new double[] {22, 0}, d.positive());
    assertArrayEquals(new double[] {17, 2}, d.negative());
    OverflowBound.Bound b = d.bound(new int[] {4095, 4095}, new int[] {4096, 4096}, null, null, 0, LOIHI);
    assertEquals(22 * 64.0, b.uBound()[0]);
    assertEquals(2 * 64.0, b.uBound()[1]);
    assertThrows(QuenchException.class, () -> d.add(0, -1, 0, 0));
    // A wrapped sum that may leave 24 bits may arrive as anything in them.
    OverflowBound.WorstCaseDrive w = new OverflowBound.WorstCaseDrive(1);
    w.addWrapped(0, 1 << 23, 0, 24);
    assertArrayEquals(new double[] {(1 << 23) - 1}, w.positive());
    assertArrayEquals(new double[] {1 << 23}, w.negative());
  }

  @Test
  void expectedUsesTheMeanDrive() {
    double[][] w = {{10, -4}};
    OverflowBound.Bound b = OverflowBound.expected(w, new double[] {0.5, 0.5}, new int[] {2047},
        new int[] {4096}, null, null, 0, LOIHI);
    // mean 3 per step, shifted by 6, kept fraction 1/2: 192 / (1 - 1/2).
    assertEquals(384.0, b.uBound()[0], 1e-9);
    assertThrows(QuenchException.class, () -> OverflowBound.expected(w, new double[] {0.5},
        new int[] {0}, new int[] {0}, null, null, 0, LOIHI));
  }

  @Test
  void mismatchedArraysAreAQuenchException() {
    assertThrows(QuenchException.class, () -> OverflowBound.bound(new double[] {1},
        new double[] {1, 2}, new int[] {0}, new int[] {0}, null, null, 0, LOIHI));
  }
}
