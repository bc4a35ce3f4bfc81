package org.quench.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The voltage fit ({@link DecayFit#fit}) and the current fit ({@link DecayFit#fitCurrent}) are one
 * search: on the same trace (no constant, no arrivals) they return the same amount, it explains a
 * noise-free trace exactly, and on a noisy one no worse than the amount that made it.
 */
class DecayFitTest {
  private static final int BITS = 12;

  /** A trace of {@code steps} from {@code start} under {@code amount}, plus noise of up to {@code noise}. */
  private static long[] trace(long start, int amount, int steps, int noise, SplittableRandom random) {
    long[] x = new long[steps];
    x[0] = start;
    for (int t = 1; t < steps; t++) {
      x[t] = DecayFit.decay(x[t - 1], amount, BITS) + (noise == 0 ? 0 : random.nextInt(-noise, noise + 1));
    }
    return x;
  }

  /** Squared error of {@code amount} over every step of {@code x} (no constant). */
  private static long error(long[] x, int amount) {
    long err = 0;
    for (int t = 0; t + 1 < x.length; t++) {
      long r = x[t + 1] - DecayFit.decay(x[t], amount, BITS);
      err += r * r;
    }
    return err;
  }

  @Test
  void bothFitsAgreeAndExplainANoiseFreeTraceExactly() {
    SplittableRandom random = new SplittableRandom(3);
    for (int trial = 0; trial < 500; trial++) {
      int amount = random.nextInt(1, 4096);
      long[] x = trace(random.nextLong(2000, 2_000_000) * (random.nextBoolean() ? 1 : -1), amount, 30, 0, random);
      int guess = random.nextInt(4097);
      int voltage = DecayFit.fit(x, 0, x.length, 0, guess, BITS);
      int current = DecayFit.fitCurrent(x, new boolean[x.length], guess, BITS);
      assertEquals(voltage, current, "trial " + trial);
      assertEquals(0, error(x, voltage), "trial " + trial + ": amount " + amount + " fitted as " + voltage);
    }
  }

  @Test
  void onANoisyTraceBothFitsAgreeAndDoNoWorseThanTheTrueAmount() {
    SplittableRandom random = new SplittableRandom(4);
    for (int trial = 0; trial < 500; trial++) {
      int amount = random.nextInt(50, 1000);
      long[] x = trace(random.nextLong(50_000, 500_000), amount, 25, 3, random);
      int voltage = DecayFit.fit(x, 0, x.length, 0, amount, BITS);
      int current = DecayFit.fitCurrent(x, new boolean[x.length], amount, BITS);
      assertEquals(voltage, current, "trial " + trial);
      if (Math.abs(voltage - amount) <= 6) {
        assertTrue(error(x, voltage) <= error(x, amount), "trial " + trial);
      }
    }
  }

  @Test
  void aCurrentFitSkipsTheStepsInputArrivedAt() {
    SplittableRandom random = new SplittableRandom(5);
    int amount = 700;
    long[] u = trace(300_000, amount, 40, 0, random);
    boolean[] arrival = new boolean[u.length];
    // Input adds to u at steps 12 and 27: those steps are not decay.
    for (int t : new int[] {12, 27}) {
      arrival[t] = true;
      long jump = 150_000;
      for (int s = t; s < u.length; s++) {
        u[s] = DecayFit.decay(u[s - 1], amount, BITS) + (s == t ? jump : 0);
      }
    }
    int fitted = DecayFit.fitCurrent(u, arrival, 0, BITS);
    // The same amount as the voltage fit of the first stretch alone, before any arrival.
    assertEquals(DecayFit.fit(u, 0, 12, 0, 0, BITS), fitted);
    for (int t = 1; t < u.length; t++) {
      if (!arrival[t]) {
        assertEquals(DecayFit.decay(u[t - 1], fitted, BITS), u[t], "step " + t);
      }
    }
  }
}
