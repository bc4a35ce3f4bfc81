package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quench.emulator.ImageFixture.dense;
import static org.quench.emulator.ImageFixture.lifCore;
import static org.quench.emulator.ImageFixture.single;

import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.SignMode;

/** Bad input is a QuenchException naming the problem, and the device stays usable. */
class DeviceErrorsTest {
  private static ChipImage image(int messageBits) {
    AxonGroup.Builder g = dense("fc", 0, new int[][] {{10, 20}}, null, SignMode.EXCITATORY, 8, 0)
        .setNumMessageBits(messageBits);
    return single(lifCore(0, 0, 1, 4095, 0, 131071, 0, 0), g);
  }

  private static QuenchException fails(Runnable r) {
    return assertThrows(QuenchException.class, r::run);
  }

  @Test
  void unknownInputPortIsNamed() {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image(0));
      QuenchException e = fails(() -> dev.run(Stimulus.builder(2).spike(0, "nope", 0).build()));
      assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
      assertEquals(0, dev.time(), "a refused run does not advance time");
    }
  }

  @Test
  void indexBeyondPortWidthIsRefused() {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image(0));
      QuenchException e = fails(() -> dev.run(Stimulus.builder(2).spike(0, "in", 2).build()));
      assertTrue(e.getMessage().contains("width 2"), e.getMessage());
    }
  }

  @Test
  void payloadOutsideTheGroupsMessageBitsIsRefused() {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image(0));
      QuenchException binary = fails(() -> dev.run(Stimulus.builder(2).payload(0, "in", 0, 2).build()));
      assertTrue(binary.getMessage().contains("'fc'"), binary.getMessage());
      dev.load(image(4));
      fails(() -> dev.run(Stimulus.builder(2).payload(0, "in", 0, 8).build()));
      fails(() -> dev.run(Stimulus.builder(2).payload(0, "in", 0, -9).build()));
      // In range: graded payload multiplies the weight (10 * 7 + 20 * -8 = -90).
      Probe u = Probe.of(ProbeKind.U, "pop");
      dev.attach(u);
      RunResult r = dev.run(Stimulus.builder(2).payload(0, "in", 0, 7).payload(0, "in", 1, -8).build());
      assertEquals(-90 << 6, r.trace(u).at(1, 0));
    }
  }

  @Test
  void unknownPopulationInProbeIsRefused() {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image(0));
      QuenchException e = fails(() -> dev.attach(Probe.of(ProbeKind.V, "ghost")));
      assertTrue(e.getMessage().contains("'ghost'"), e.getMessage());
      fails(() -> dev.attach(new Probe(ProbeKind.V, "pop", 0, 2)));
      fails(() -> dev.read(Probe.of(ProbeKind.U, "ghost")));
    }
  }

  @Test
  void badBiasChangesAreRefused() {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image(0));
      fails(() -> dev.run(Stimulus.builder(2).bias(0, "pop", new int[] {1, 2}).build()));
      fails(() -> dev.run(Stimulus.builder(2).bias(0, "pop", new int[] {5000}).build()));
      fails(() -> dev.run(Stimulus.builder(2).bias(0, "ghost", new int[] {1}).build()));
    }
  }

  @Test
  void biasChangeIsStickyUntilReset() {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(single(lifCore(0, 0, 1, 0, 4096, 131071, 0, 0), null));
      Probe v = Probe.of(ProbeKind.V, "pop");
      dev.attach(v);
      // dv = 4096 keeps no voltage: v = bias each step.
      RunResult a = dev.run(Stimulus.builder(3).bias(1, "pop", new int[] {7}).build());
      assertArrayEquals(new int[] {0, 7, 7}, a.trace(v).values());
      assertArrayEquals(new int[] {7, 7}, dev.run(Stimulus.idle(2)).trace(v).values());
      dev.reset();
      assertArrayEquals(new int[] {0, 0}, dev.run(Stimulus.idle(2)).trace(v).values());
      // A zero-step run may set biases for the steps to come.
      dev.run(Stimulus.builder(0).bias(0, "pop", new int[] {-3}).build());
      assertArrayEquals(new int[] {-3}, dev.run(Stimulus.idle(1)).trace(v).values());
    }
  }

  @Test
  void runBeforeLoadAndUseAfterCloseAreRefused() {
    EmulatorDevice dev = ImageFixture.device(2);
    assertTrue(fails(() -> dev.run(Stimulus.idle(1))).getMessage().contains("load"));
    fails(dev::reset);
    dev.load(image(0));
    dev.close();
    dev.close(); // idempotent
    assertTrue(fails(() -> dev.run(Stimulus.idle(1))).getMessage().contains("closed"));
    fails(() -> dev.load(image(0)));
    fails(dev::time);
  }

  @Test
  void inconsistentImageIsRefusedAndThePreviousOneKept() {
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image(0));
      ChipImage good = image(0);
      ChipImage badTarget = good.toBuilder().setCores(0, good.getCores(0).toBuilder()
          .setAxonGroups(0, good.getCores(0).getAxonGroups(0).toBuilder().setTarget(0, 5))).build();
      assertTrue(fails(() -> dev.load(badTarget)).getMessage().contains("target 5"));
      ChipImage badDecay = good.toBuilder().setCores(0, good.getCores(0).toBuilder()
          .setDecayProfiles(0, good.getCores(0).getDecayProfiles(0).toBuilder().setDu(4096))).build();
      assertTrue(fails(() -> dev.load(badDecay)).getMessage().contains("du 4096"));
      ChipImage badRows = good.toBuilder().setCores(0, good.getCores(0).toBuilder()
          .setAxonGroups(0, good.getCores(0).getAxonGroups(0).toBuilder().setRowPtr(1, 9))).build();
      fails(() -> dev.load(badRows));
      ChipImage badSpec = good.toBuilder().setHeader(good.getHeader().toBuilder().setSpecHash("abc")).build();
      fails(() -> dev.load(badSpec));
      ChipImage nineBitsExcitatory = good.toBuilder().setCores(0, good.getCores(0).toBuilder()
          .setAxonGroups(0, good.getCores(0).getAxonGroups(0).toBuilder().setNumWeightBits(9))).build();
      fails(() -> dev.load(nineBitsExcitatory));
      // The first image is still loaded and runs.
      assertEquals(2, dev.run(Stimulus.builder(2).spike(0, "in", 0).build()).steps());
    }
  }
}
