package org.quench.runtime.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

class EncodersTest {
  private static double[][] constant(int steps, double... channels) {
    double[][] x = new double[steps][];
    for (int t = 0; t < steps; t++) {
      x[t] = channels.clone();
    }
    return x;
  }

  @Test
  void rateCodingFiresAtIntensityTimesMaxRate() {
    int steps = 20000;
    int[][] s = new RateEncoder(0.5, 42).encode(constant(steps, 0.0, 0.4, 1.0, 2.0), "in")
        .dense("in");
    double[] rate = new double[4];
    for (int[] row : s) {
      for (int c = 0; c < 4; c++) {
        rate[c] += row[c] / (double) steps;
      }
    }
    // Expected p = 0, 0.2, 0.5, 0.5 (clamped); binomial sd <= sqrt(0.25/20000) = 0.0035: 5 sd.
    assertEquals(0.0, rate[0]);
    assertEquals(0.2, rate[1], 0.018);
    assertEquals(0.5, rate[2], 0.018);
    assertEquals(0.5, rate[3], 0.018);
  }

  @Test
  void rateCodingIsSeededAndPrefixStable() {
    double[][] x = constant(300, 0.5, 0.5, 0.5);
    int[][] a = new RateEncoder(1, 7).encode(x, "in").dense("in");
    int[][] b = new RateEncoder(1, 7).encode(x, "in").dense("in");
    int[][] c = new RateEncoder(1, 8).encode(x, "in").dense("in");
    int[][] shortRun = new RateEncoder(1, 7).encode(Arrays.copyOf(x, 100), "in").dense("in");
    assertArrayEquals(a, b);
    assertFalse(Arrays.deepEquals(a, c));
    assertArrayEquals(Arrays.copyOf(a, 100), shortRun, "a shorter signal gives the same prefix");
    assertThrows(QuenchException.class, () -> new RateEncoder(1.5, 0));
  }

  @Test
  void streamedRateCodingGivesTheSameSpikesChunkByChunk() {
    double[][] x = new double[90][2];
    for (int t = 0; t < 90; t++) {
      x[t][0] = t / 90.0;
      x[t][1] = 1 - t / 90.0;
    }
    RateEncoder enc = new RateEncoder(0.8, 11);
    SpikeTrains whole = enc.encode(x, "in");
    org.quench.runtime.session.InputSource stream = enc.stream("in", 2, step -> x[(int) step]);
    int[][] got = new int[90][2];
    for (int first = 0; first < 90; first += 25) {
      int n = Math.min(25, 90 - first);
      org.quench.hal.Stimulus.PortEvents e = stream.chunk(first, n).events().get("in");
      for (int i = 0; e != null && i < e.steps().length; i++) {
        got[first + e.steps()[i]][e.indices()[i]] = e.payloads()[i];
      }
    }
    assertArrayEquals(whole.dense("in"), got);
    assertTrue(whole.eventCount("in") > 20);
  }

  @Test
  void latencyCodingSpikesEarlierForStrongerInputOncePerWindow() {
    LatencyEncoder enc = new LatencyEncoder(11);
    int[][] s = enc.encode(constant(22, 1.0, 0.5, 0.1, 0.0), "in").dense("in");
    int[] first = new int[4];
    int[] count = new int[4];
    Arrays.fill(first, -1);
    for (int t = 0; t < 11; t++) {
      for (int c = 0; c < 4; c++) {
        if (s[t][c] != 0) {
          count[c]++;
          first[c] = first[c] < 0 ? t : first[c];
        }
      }
    }
    // round((1 - x) * 10): 0, 5, 9; x = 0 never.
    assertArrayEquals(new int[] {0, 5, 9, -1}, first);
    assertArrayEquals(new int[] {1, 1, 1, 0}, count);
    assertEquals(1, s[11][0], "the second window repeats the pattern");
  }

  @Test
  void deltaCodingSendsOnForRisesAndOffForFalls() {
    double[][] ramp = new double[9][1];
    double[] values = {0, 0.3, 0.6, 1.2, 1.2, 0.9, 0.2, 0.2, 0.2};
    for (int t = 0; t < 9; t++) {
      ramp[t][0] = values[t];
    }
    DeltaEncoder enc = new DeltaEncoder(0.5, DeltaEncoder.Mode.DELTA);
    assertEquals(2, enc.portWidth(1));
    int[][] s = enc.encode(ramp, "in").dense("in");
    // Reference 0: step 2 (0.6) ON -> ref 0.6; step 3 (1.2) ON -> 1.2; step 6 (0.2) OFF.
    for (int t = 0; t < 9; t++) {
      assertEquals(t == 2 || t == 3 ? 1 : 0, s[t][0], "ON at step " + t);
      assertEquals(t == 6 ? 1 : 0, s[t][1], "OFF at step " + t);
    }
  }

  @Test
  void sigmaDeltaReconstructionTracksASlowSignalWithinOneThreshold() {
    int steps = 400;
    double threshold = 0.05;
    double[][] x = new double[steps][1];
    for (int t = 0; t < steps; t++) {
      x[t][0] = Math.sin(2 * Math.PI * t / 200.0);
    }
    int[][] s = new DeltaEncoder(threshold, DeltaEncoder.Mode.SIGMA_DELTA).encode(x, "in")
        .dense("in");
    double level = x[0][0];
    double worst = 0;
    for (int t = 1; t < steps; t++) {
      level += threshold * (s[t][0] - s[t][1]);
      worst = Math.max(worst, Math.abs(level - x[t][0]));
    }
    // The sine moves at most 2π/200 ≈ 0.031 < threshold per step, so one spike per step keeps up.
    assertTrue(worst < threshold + 1e-9, "worst reconstruction error " + worst);
  }

  @Test
  void directCodingScalesRoundsAndClipsPayloads() {
    DirectEncoder enc = new DirectEncoder(100, 8);
    assertEquals(50, enc.payload(0.5));
    assertEquals(255, enc.payload(9));
    assertEquals(0, enc.payload(-1));
    int[][] s = enc.encode(constant(2, 0.004, 0.006, 1.0), "in").dense("in");
    assertArrayEquals(new int[] {0, 1, 100}, s[0]);
    SpikeTrains bias = new DirectEncoder(10000, 8).bias(constant(3, 1.0, -1.0, 0.01), "pop", ChipSpec.loihi());
    assertArrayEquals(new int[] {4095, -4096, 100}, bias.biasAt("pop", 2));
  }

  @Test
  void raggedOrNonFiniteSignalsAreRefused() {
    double[][] ragged = {{1, 2}, {1}};
    QuenchException e = assertThrows(QuenchException.class,
        () -> new LatencyEncoder(4).encode(ragged, "in"));
    assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    assertThrows(QuenchException.class,
        () -> new DirectEncoder(1, 8).encode(new double[][] {{Double.NaN}}, "in"));
  }
}
