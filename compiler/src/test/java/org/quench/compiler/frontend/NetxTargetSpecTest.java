package org.quench.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;

/**
 * netx files hold Loihi's integers, so the reader is told the target chip: one that computes as
 * Loihi does (other budgets allowed) gets the same network and an image the validator accepts;
 * one with other widths or shifts is refused in one line naming the fields that differ.
 */
class NetxTargetSpecTest {
  private static final byte[] GOLDEN = NetxReaderTest.resource("golden/netx-random-1001/random.net");

  @Test
  void aChipWithLoihisArithmeticButSmallerCoresReadsTheSameNetworkAndCompiles() {
    ChipSpec small = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("small-cores")
        .setNeuronsPerCore(8).setCoresPerChip(64).build());
    Network forLoihi = NetxReader.read(GOLDEN, "random.net", NetxReader.Options.defaults());
    Network forSmall = NetxReader.read(GOLDEN, "random.net",
        NetxReader.Options.defaults().withTarget(small));
    assertEquals(forLoihi.projections().size(), forSmall.projections().size());
    for (int k = 0; k < forLoihi.projections().size(); k++) {
      var a = forLoihi.projections().get(k);
      var b = forSmall.projections().get(k);
      assertEquals(a.format(), b.format(), a.name());
      assertTrue(java.util.Arrays.equals(a.fixedWeights(), b.fixedWeights()), a.name());
    }
    ChipImage image = Compiler.standard().compile(forSmall, small).image();
    assertTrue(image.getCoresCount() > 1, "8 neurons per core split the layers");
    assertEquals(List.of(), ImageValidator.problems(image, small));
  }

  @Test
  void aChipThatComputesDifferentlyIsRefusedNamingTheFields() {
    ChipSpec narrow = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("narrow")
        .setWeightMantBits(6).setThresholdMantBits(10).build());
    String m = assertThrows(QuenchException.class, () -> NetxReader.read(GOLDEN, "random.net",
        NetxReader.Options.defaults().withTarget(narrow))).getMessage();
    assertEquals("random.net: a lava-dl netx network holds integers for Loihi's arithmetic, and chip"
        + " 'narrow' computes differently (thresholdMantBits 10 (loihi: 17), weightMantBits 6"
        + " (loihi: 8)); compile it for a chip with Loihi's widths and shifts (budgets such as cores"
        + " or neurons per core may differ), or export the model as NIR so that Quench quantizes it"
        + " for 'narrow'", m);
  }

  @Test
  void theInputPayloadWidthMustFitTheTargetsMessageBits() {
    ChipSpec few = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("few-bits")
        .setMaxMessageBits(4).build());
    NetxReader.Options o = NetxReader.Options.defaults().withTarget(few).withInputMessageBits(4);
    assertEquals(4, NetxReader.read(GOLDEN, "random.net", o).projections().get(0).numMessageBits());
    String m = assertThrows(QuenchException.class, () -> o.withInputMessageBits(5)).getMessage();
    assertEquals("inputMessageBits 5 is outside 0..4 (0 = binary spikes; maxMessageBits of chip"
        + " 'few-bits')", m);
    assertTrue(assertThrows(QuenchException.class, () -> NetxReader.Options.defaults()
        .withSampleSteps(0)).getMessage().contains("sampleSteps must be at least 1 step, got 0"));
  }
}
