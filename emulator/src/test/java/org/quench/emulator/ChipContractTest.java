package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quench.emulator.ImageFixture.dense;
import static org.quench.emulator.ImageFixture.lifCore;
import static org.quench.emulator.ImageFixture.single;

import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.SignMode;

/**
 * The emulator runs exactly what the image validator accepts, with the spec's ranges and no
 * checks of its own (docs/chip-semantics.md#valid-range-of-each-parameter): weights are signed
 * weightInputBits integers, num_weight_bits follows weightMantBits, reset offsets are -1..interval-1
 * and vth_lo = -2^17 is the lower threshold that never fires.
 */
class ChipContractTest {
  private static final Probe U = Probe.of(ProbeKind.U, "pop");

  private static ChipImage oneWeight(int weight, SignMode mode, int nwb, ChipSpec spec) {
    ChipImage image = single(lifCore(0, 0, 1, 4095, 0, 1000, 0, 0),
        dense("w", 0, new int[][] {{weight}}, null, mode, nwb, 0));
    return image.toBuilder().setHeader(image.getHeader().toBuilder().setSpecName(spec.name())
        .setSpecHash(spec.hash())).build();
  }

  /** The activation the single synapse delivers (u >> 6 one step after the input spike). */
  private static int delivered(ChipImage image, ChipSpec spec) {
    try (EmulatorDevice dev = new EmulatorDevice(spec, "test", 1)) {
      dev.load(image);
      dev.attach(U);
      RunResult r = dev.run(Stimulus.builder(3).spike(0, "in", 0).build());
      return r.trace(U).at(1, 0) >> spec.activationShift();
    }
  }

  private static String refusedAtLoad(ChipImage image, ChipSpec spec) {
    try (EmulatorDevice dev = new EmulatorDevice(spec, "test", 1)) {
      return assertThrows(QuenchException.class, () -> dev.load(image)).getMessage();
    }
  }

  @Test
  void weightsAreSignedWeightInputBitsIntegersNotOneBitMore() {
    ChipSpec loihi = ChipSpec.loihi();
    // The chip clips a 16-bit input weight to its 8-bit mantissa.
    assertEquals(255, delivered(oneWeight(32767, SignMode.EXCITATORY, 8, loihi), loihi));
    assertEquals(-256, delivered(oneWeight(-32768, SignMode.MIXED, 8, loihi), loihi));
    String m = refusedAtLoad(oneWeight(32768, SignMode.EXCITATORY, 8, loihi), loihi);
    assertTrue(m.contains("synapse 0: weight 32768 does not fit signed 16 bits (-32768..32767)"), m);
    assertTrue(refusedAtLoad(oneWeight(-65535, SignMode.MIXED, 8, loihi), loihi)
        .contains("weight -65535 does not fit"));
  }

  @Test
  void weightBitsFollowTheSpecsMantissa() {
    ChipSpec wide = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("w10")
        .setWeightMantBits(10).build());
    // 10 bits keep 1001; 9 drop the lowest bit; MIXED 11 keeps -1001.
    assertEquals(1001, delivered(oneWeight(1001, SignMode.EXCITATORY, 10, wide), wide));
    assertEquals(1000, delivered(oneWeight(1001, SignMode.EXCITATORY, 9, wide), wide));
    assertEquals(-1001, delivered(oneWeight(-1001, SignMode.MIXED, 11, wide), wide));
    assertTrue(refusedAtLoad(oneWeight(5, SignMode.EXCITATORY, 11, wide), wide)
        .contains("num_weight_bits 11 is outside 0..10 for sign mode EXCITATORY"));
    ChipSpec loihi = ChipSpec.loihi();
    assertTrue(refusedAtLoad(oneWeight(5, SignMode.EXCITATORY, 9, loihi), loihi)
        .contains("num_weight_bits 9 is outside 0..8 for sign mode EXCITATORY"));
  }

  private static ChipImage periodic(int interval, int offset) {
    Core.Builder c = lifCore(0, 0, 1, -1, 0, 1 << 17, 1, 6);
    c.getDecayProfilesBuilder(0).setResetInterval(interval).setResetOffset(offset);
    return single(c, null);
  }

  @Test
  void resetOffsetsOutsideTheIntervalAreRefusedAndMinusOneNeverResets() {
    ChipSpec loihi = ChipSpec.loihi();
    String m = refusedAtLoad(periodic(4, 4), loihi);
    assertTrue(m.contains("core (0,0) decay profile 0 (used by population 'pop'): reset_offset 4 is"
        + " outside -1..3 for reset_interval 4"), m);
    Probe v = Probe.of(ProbeKind.V, "pop");
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(periodic(4, -1));
      dev.attach(v);
      RunResult r = dev.run(Stimulus.idle(12));
      // bias 1 << 6 each step, never zeroed.
      assertEquals(12 * 64, r.trace(v).at(11, 0));
      dev.load(periodic(4, 1));
      dev.attach(v);
      RunResult zeroed = dev.run(Stimulus.idle(12));
      assertTrue(zeroed.trace(v).at(11, 0) < 4 * 64, "offset 1 zeroes every 4 steps");
    }
  }

  /** One ternary neuron with bias {@code biasMant << 7} and lower threshold {@code vthLo}. */
  private static Core.Builder ternary(int biasMant, int vthLo) {
    Core.Builder c = lifCore(0, 0, 1, 0, 0, 1 << 17, biasMant, 7);
    c.getThresholdProfilesBuilder(0).setKind(NeuronKind.TERNARY_LIF).setVthLo(vthLo);
    return c;
  }

  /** -1 spikes in 100 steps of a neuron driven to negative saturation by its bias. */
  private static int negativeSpikes(int vthLo) {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(single(ternary(-4096, vthLo), null));
      RunResult r = dev.run(Stimulus.idle(100));
      int count = 0;
      for (int value : r.output("out").values()) {
        count += value == -1 ? 1 : 0;
      }
      return count;
    }
  }

  @Test
  void theLowestLowerThresholdNeverFiresAndTheNextOneDoes() {
    // v saturates at -(2^23 - 1): below -131071 << 6 = -8388544, never below -2^23.
    assertEquals(0, negativeSpikes(-131072));
    assertTrue(negativeSpikes(-131071) > 0);
    assertTrue(refusedAtLoad(single(ternary(0, 131072), null), ChipSpec.loihi())
        .contains("vth_lo 131072 does not fit signed 18 bits"));
  }
}
