package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quench.emulator.ImageFixture.dense;
import static org.quench.emulator.ImageFixture.lifCore;
import static org.quench.emulator.ImageFixture.single;

import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.SignMode;

/**
 * The Dense and DelayDense golden vectors of docs/chip-semantics.md#golden-vectors. The activation
 * is observed as u of a neuron with du = 4095 (keeps only this step's input) and an unreachable
 * threshold: u = a << 6.
 */
class ConnectionGoldenTest {
  private static final Probe U = Probe.of(ProbeKind.U, "pop");

  /** Runs 10 steps with every input spiking at k = 3; returns a[k][out]. */
  private static int[][] activation(AxonGroup.Builder group, int outs) {
    int ins = group.getAxonCount();
    Stimulus.Builder s = Stimulus.builder(10);
    for (int i = 0; i < ins; i++) {
      s.spike(3, "in", i);
    }
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(single(lifCore(0, 0, outs, 4095, 0, 131071, 0, 0), group));
      dev.attach(U);
      RunResult r = dev.run(s.build());
      int[][] a = new int[10][outs];
      for (int k = 0; k < 10; k++) {
        for (int o = 0; o < outs; o++) {
          int u = r.trace(U).at(k, o);
          assertEquals(0, u & 63, "u carries a << 6");
          a[k][o] = u >> 6;
        }
      }
      return a;
    }
  }

  /** A 3 x 4 matrix whose column 2 is {@code col}, zeros elsewhere. */
  private static int[][] column2(int... col) {
    int[][] w = new int[3][4];
    for (int o = 0; o < 3; o++) {
      w[o][2] = col[o];
    }
    return w;
  }

  private static int[][] delays(int... perOut) {
    int[][] d = new int[perOut.length][4];
    for (int o = 0; o < perOut.length; o++) {
      java.util.Arrays.fill(d[o], perOut[o]);
    }
    return d;
  }

  @Test
  void excitatoryWeightsAreClippedAndArriveOneStepLater() {
    // 0.5 truncates toward zero to 0 before the image is written.
    int[][] a = activation(dense("c", 0, column2(0, 300, 40), null, SignMode.EXCITATORY, 8, 0), 3);
    assertArrayEquals(new int[] {0, 255, 40}, a[4]);
    for (int k = 0; k < 10; k++) {
      if (k != 4) {
        assertArrayEquals(new int[3], a[k], "k=" + k);
      }
    }
  }

  @Test
  void mixedWeightsLoseTheirLowestBit() {
    assertArrayEquals(new int[] {254, -256, 38},
        activation(dense("c", 0, column2(300, -300, 39), null, SignMode.MIXED, 8, 0), 3)[4]);
  }

  @Test
  void weightExponentShiftsTheSum() {
    assertArrayEquals(new int[] {508, -512, 76},
        activation(dense("c", 0, column2(300, -300, 39), null, SignMode.MIXED, 8, 1), 3)[4]);
  }

  @Test
  void sevenWeightBitsDropTwoBitsOfMixedWeights() {
    assertArrayEquals(new int[] {252, -256, 36},
        activation(dense("c", 0, column2(300, -300, 39), null, SignMode.MIXED, 7, 0), 3)[4]);
  }

  @Test
  void rowOfMixedWeightsSumsAfterPreparation() {
    int[][] w = column2(300, -300, 39);
    w[2] = new int[] {300, -300, 39, 0}; // -0.4 truncates to 0
    assertEquals(36, activation(dense("c", 0, w, null, SignMode.MIXED, 8, 0), 3)[4][2]);
  }

  @Test
  void automaticSignModeMatchesTheExplicitOne() {
    assertArrayEquals(new int[] {254, -256, 38},
        activation(dense("c", 0, column2(300, -300, 39), null, SignMode.SIGN_MODE_AUTO, 8, 0), 3)[4]);
    assertArrayEquals(new int[] {0, 255, 40},
        activation(dense("c", 0, column2(0, 300, 40), null, SignMode.SIGN_MODE_AUTO, 8, 0), 3)[4]);
  }

  @Test
  void perOutputDelaysShiftArrival() {
    int[][] a = activation(dense("c", 0, column2(0, 300, 40), delays(0, 1, 2), SignMode.EXCITATORY, 8, 0), 3);
    assertEquals(0, a[4][0]);
    assertEquals(255, a[5][1]);
    assertEquals(40, a[6][2]);
    assertArrayEquals(new int[] {0, 0, 0}, a[4 + 3]);
  }

  @Test
  void delayTwoForAllArrivesAtK6() {
    int[][] a = activation(dense("c", 0, column2(300, -300, 39), delays(2, 2, 2), SignMode.MIXED, 8, 0), 3);
    assertArrayEquals(new int[] {254, -256, 38}, a[6]);
    assertArrayEquals(new int[3], a[4]);
  }

  @Test
  void fanInWithMixedDelaysSumsPerDelay() {
    int[][] w = {{2, -3, 4, -5}};
    int[][] d = {{1, 2, 2, 4}};
    int[][] a = activation(dense("c", 0, w, d, SignMode.MIXED, 9, 0), 1);
    assertEquals(2, a[5][0]);
    assertEquals(1, a[6][0]);
    assertEquals(0, a[7][0]);
    assertEquals(-5, a[8][0]);
  }

  @Test
  void negativeExponentFloorsEachDelaysSumNotEachSynapse() {
    // Weights 3 and 3 with exponent -1: floor((3+3)/2) = 3, whereas per synapse 1 + 1 = 2;
    // with different delays each sum floors alone: floor(3/2) = 1 at each.
    int[][] a = activation(dense("c", 0, new int[][] {{3, 3, 0, 0}}, null, SignMode.EXCITATORY, 8, -1), 1);
    assertEquals(3, a[4][0]);
    int[][] b = activation(dense("c", 0, new int[][] {{3, 3, 0, 0}}, new int[][] {{0, 1, 0, 0}},
        SignMode.EXCITATORY, 8, -1), 1);
    assertEquals(1, b[4][0]);
    assertEquals(1, b[5][0]);
    int[][] c = activation(dense("c", 0, new int[][] {{-3, 0, 0, 0}}, null, SignMode.MIXED, 9, -1), 1);
    assertEquals(-2, c[4][0], "floor, not truncation toward zero");
  }
}
