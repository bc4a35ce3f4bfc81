package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.quench.emulator.ImageFixture.lifCore;
import static org.quench.emulator.ImageFixture.single;

import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.ResetMode;

/**
 * The EXTENSIONS (reset by subtraction, refractory period) and the netx-style periodic reset, on
 * a no-decay neuron whose bias adds 128 per step against a threshold of 512 (vth 8).
 */
class ExtensionsTest {
  private static final Probe V = Probe.of(ProbeKind.V, "pop");
  private static final Probe U = Probe.of(ProbeKind.U, "pop");

  private static RunResult run(DecayProfile.Builder profile, int steps) {
    Core.Builder core = lifCore(0, 0, 1, 0, 0, 8, 2, 6).setDecayProfiles(0, profile);
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(single(core, null));
      dev.attach(V);
      dev.attach(U);
      return dev.run(Stimulus.idle(steps));
    }
  }

  private static int[] v(RunResult r) {
    return r.trace(V).values();
  }

  @Test
  void resetBySubtractionKeepsTheExcess() {
    RunResult r = run(DecayProfile.newBuilder().setResetMode(ResetMode.RESET_BY_SUBTRACTION), 10);
    // 640 > 512 spikes and keeps 640 - 512 = 128.
    assertArrayEquals(new int[] {128, 256, 384, 512, 128, 256, 384, 512, 128, 256}, v(r));
    assertArrayEquals(new int[] {4, 8}, r.output("out").steps());
  }

  @Test
  void refractoryHoldsVoltageAtZeroAfterASpike() {
    RunResult r = run(DecayProfile.newBuilder().setRefractory(2), 12);
    assertArrayEquals(new int[] {128, 256, 384, 512, 0, 0, 0, 128, 256, 384, 512, 0}, v(r));
    assertArrayEquals(new int[] {4, 11}, r.output("out").steps());
  }

  @Test
  void refractoryNeuronStillIntegratesCurrent() {
    // u starts at 64 and never decays (du = -1); v gets u + 128 per step.
    Core.Builder core = lifCore(0, 0, 1, -1, 0, 8, 2, 6).addUInit(64);
    core.setDecayProfiles(0, DecayProfile.newBuilder().setDu(-1).setRefractory(1));
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(single(core, null));
      dev.attach(V);
      dev.attach(U);
      RunResult r = dev.run(Stimulus.idle(6));
      assertArrayEquals(new int[] {192, 384, 0, 0, 192, 384}, r.trace(V).values());
      assertArrayEquals(new int[] {64, 64, 64, 64, 64, 64}, r.trace(U).values());
    }
  }

  @Test
  void periodicResetWithNetxOffsets() {
    // interval 3, offset 0: state zeroed after steps 1, 4, 7 (seen from the next step on).
    RunResult r = run(DecayProfile.newBuilder().setResetInterval(3).setResetOffset(0), 8);
    assertArrayEquals(new int[] {128, 128, 256, 384, 128, 256, 384, 128}, v(r));
    // offset -1 (netx input layer) never matches.
    RunResult never = run(DecayProfile.newBuilder().setResetInterval(3).setResetOffset(-1), 8);
    assertArrayEquals(new int[] {128, 256, 384, 512, 0, 128, 256, 384}, v(never));
  }
}
