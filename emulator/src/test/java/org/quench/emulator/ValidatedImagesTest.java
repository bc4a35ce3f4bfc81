package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quench.emulator.ImageFixture.dense;
import static org.quench.emulator.ImageFixture.lifCore;
import static org.quench.emulator.ImageFixture.single;

import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.SignMode;

/** Validation is remembered only for images that passed: a bad image is refused on every load. */
class ValidatedImagesTest {
  private static ChipImage image(int vth) {
    AxonGroup.Builder g = dense("fc", 0, new int[][] {{10, 20}}, null, SignMode.EXCITATORY, 8, 0);
    return single(lifCore(0, 0, 1, 4095, 0, vth, 0, 0), g);
  }

  @Test
  void aBadImageIsRefusedEveryTimeAndAGoodOneLoadsRepeatedly() {
    ChipImage bad = image(1 << 30);
    ChipImage good = image(131071);
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      assertThrows(QuenchException.class, () -> dev.load(bad));
      assertThrows(QuenchException.class, () -> dev.load(bad));
      dev.load(good);
      dev.load(good);
      dev.load(image(131071));
      assertEquals(0, dev.time());
      dev.attach(Probe.of(ProbeKind.U, "pop"));
      assertEquals(2, dev.run(Stimulus.idle(2)).steps());
    }
  }

  @Test
  void aPassOnOneSpecDoesNotCountForAnother() {
    ChipImage good = image(131071);
    ValidatedImages.validate(good, ChipSpec.loihi());
    ChipSpec other = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("loihi-narrow")
        .setThresholdMantBits(8).build());
    assertThrows(QuenchException.class, () -> ValidatedImages.validate(good, other));
  }
}
