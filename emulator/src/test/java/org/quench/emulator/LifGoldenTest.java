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
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;

/** The LIF, TernaryLIF and LIFReset golden vectors of docs/chip-semantics.md#golden-vectors. */
class LifGoldenTest {
  private static final Probe U = Probe.of(ProbeKind.U, "pop");
  private static final Probe V = Probe.of(ProbeKind.V, "pop");
  private static final Probe S = Probe.of(ProbeKind.SPIKES, "pop");

  private static RunResult run(ChipImage image, Stimulus stimulus) {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image);
      dev.attach(U);
      dev.attach(V);
      dev.attach(S);
      return dev.run(stimulus);
    }
  }

  private static int[] column(RunResult r, Probe p, int from, int count) {
    int[] out = new int[count];
    for (int k = 0; k < count; k++) {
      out[k] = r.trace(p).at(from + k, 0);
    }
    return out;
  }

  /** A one-input group of weight {@code w} (EXCITATORY, 8 bits: kept exactly). */
  private static AxonGroup.Builder impulse(int w) {
    return dense("in", 0, new int[][] {{w}}, null, SignMode.EXCITATORY, 8, 0);
  }

  @Test
  void noDecayNeuronIntegratesBiasAndSpikesEveryFifthStep() {
    RunResult r = run(single(lifCore(0, 0, 1, 0, 0, 8, 2, 6), null), Stimulus.idle(10));
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, column(r, S, 0, 10));
    assertArrayEquals(new int[] {128, 256, 384, 512, 0, 128, 256, 384, 512, 0}, column(r, V, 0, 10));
    assertArrayEquals(new int[] {4, 9}, r.output("out").steps());
  }

  @Test
  void currentImpulseHalvesEachStepWithDu2047() {
    // The host spike of run step 0 reaches u at step 2: the golden's step 1 is our step 2.
    Stimulus s = Stimulus.builder(9).spike(0, "in", 0).build();
    RunResult r = run(single(lifCore(0, 0, 1, 2047, 0, 256, 0, 0), impulse(128)), s);
    assertEquals(0, r.trace(U).at(0, 0));
    assertArrayEquals(new int[] {8192, 4096, 2048, 1024, 512, 256, 128, 64}, column(r, U, 1, 8));
  }

  @Test
  void voltageImpulseDecaysWithDv2048() {
    Stimulus s = Stimulus.builder(9).spike(0, "in", 0).build();
    RunResult r = run(single(lifCore(0, 0, 1, 0, 2048, 256, 0, 0), impulse(128)), s);
    assertArrayEquals(new int[] {8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295}, column(r, V, 1, 8));
  }

  @Test
  void biasExponentScalesTheMantissa() {
    // The golden uses vth = 2^17, one above the 17-bit maximum; any threshold above v gives the same.
    RunResult r = run(single(lifCore(0, 0, 1, 0, 0, 131071, 4095, 5), null), Stimulus.idle(1));
    assertEquals(131040, r.trace(V).at(0, 0));
  }

  @Test
  void ternaryNeuronFollowsTheGoldenSequence() {
    Core.Builder core = Core.newBuilder().setAddress(ImageFixture.at(0, 0)).setNeuronCount(1)
        .addDecayProfiles(DecayProfile.newBuilder().setDu(0).setDv(0))
        .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(5).setVthLo(-3).setKind(NeuronKind.TERNARY_LIF))
        .addDecayIndex(0).addThresholdIndex(0).addBiasMant(0);
    // Graded group: weight 1, payload +1 or -1 gives a = +1 or -1.
    AxonGroup.Builder g = dense("in", 0, new int[][] {{1}}, null, SignMode.EXCITATORY, 8, 0).setNumMessageBits(8);
    int[] input = {1, 1, 1, -1, -1, -1, -1, -1, -1, 1, 1};
    Stimulus.Builder s = Stimulus.builder(12);
    for (int k = 0; k < input.length; k++) {
      s.payload(k, "in", 0, input[k]);
    }
    RunResult r = run(single(core, g), s.build());
    int[][] expected = {{64, 64, 0}, {127, 191, 0}, {190, 0, 1}, {125, 125, 0}, {60, 185, 0}, {-5, 180, 0},
        {-68, 112, 0}, {-131, -19, 0}, {-194, 0, -1}, {-129, -129, 0}, {-64, 0, -1}};
    for (int k = 0; k < expected.length; k++) {
      int[] got = {r.trace(U).at(k + 1, 0), r.trace(V).at(k + 1, 0), r.trace(S).at(k + 1, 0)};
      assertArrayEquals(expected[k], got, "step " + (k + 1));
    }
    assertArrayEquals(new int[] {1, -1, -1}, r.output("out").values());
  }

  @Test
  void lifResetZeroesStateEveryIntervalLikeLavaLifReset() {
    int n = 10;
    int interval = 4;
    int lavaOffset = 3;
    Core.Builder core = Core.newBuilder().setAddress(ImageFixture.at(0, 0)).setNeuronCount(n)
        .addDecayProfiles(DecayProfile.newBuilder().setDu(-1).setDv(0).setResetInterval(interval)
            .setResetOffset(Math.floorMod(lavaOffset - 2, interval)))
        .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(100));
    for (int i = 0; i < n; i++) {
      core.addDecayIndex(0).addThresholdIndex(0).addBiasMant(i + 1).addUInit(i);
    }
    RunResult r = run(single(core, null), Stimulus.idle(16));
    for (int i = 0; i < n; i++) {
      int u0 = i;
      int bias = i + 1;
      for (int j = 1; j <= 2; j++) {
        assertEquals(u0, r.trace(U).at(j - 1, i));
        assertEquals(j * (u0 + bias), r.trace(V).at(j - 1, i));
      }
      for (int k = 0; k <= 13; k++) {
        assertEquals(0, r.trace(U).at(k + 2, i), "u step " + (k + 3));
        assertEquals(bias * (1 + k % 4), r.trace(V).at(k + 2, i), "v step " + (k + 3));
      }
    }
  }
}
