package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.NeuronKind;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;

/**
 * The compiler's image writer and the image validator share one range per field, the one
 * {@link ChipSpec} gives: a compile either emits an image the validator accepts or fails in one
 * line naming the field, the value, the range and where (population and neuron, or projection).
 */
class CompiledRangesTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  private static ChipImage compile(Network n, ChipSpec spec) {
    ChipImage image = Compiler.standard().compile(n, spec).image();
    assertEquals(List.of(), ImageValidator.problems(image, spec));
    return image;
  }

  private static String refused(Network n, ChipSpec spec) {
    return assertThrows(QuenchException.class, () -> Compiler.standard().compile(n, spec))
        .getMessage();
  }

  private static void assertMentions(String text, String... fragments) {
    for (String f : fragments) {
      assertTrue(text.contains(f), () -> "expected '" + f + "' in: " + text);
    }
  }

  /** Population 'a' of two neurons with one projection onto itself. */
  private static Network selfConnected(WeightFormat format, int weight) {
    Population a = PlacementTest.pop("a", 2);
    Projection p = Projection.builder("w", Projection.Source.population("a"), 2, "a", 2)
        .fixed(format).fixedSynapse(0, 1, weight, 0).build();
    return Network.builder("n").population(a).projection(p).build();
  }

  private static ChipSpec withWeightMantBits(int bits) {
    return ChipSpec.of(LOIHI.data().toBuilder().setName("w" + bits).setWeightMantBits(bits).build());
  }

  // Finding: reset_offset was checked by the validator only.

  @Test
  void aResetOffsetOutsideTheIntervalIsRefusedWhenTheNeuronsAreBuilt() {
    String m = assertThrows(QuenchException.class, () -> FixedNeurons.builder(3).allDu(0).allDv(0)
        .allVth(1).allResetInterval(4).resetOffset(new int[] {-1, 3, 4}).build("layer")).getMessage();
    assertEquals("population 'layer' neuron 2: reset_offset 4 is outside -1..3 for reset_interval 4"
        + " (-1 never resets; docs/chip-semantics.md#periodic-reset)", m);
    assertMentions(assertThrows(QuenchException.class, () -> FixedNeurons.builder(1).allDu(0)
        .allDv(0).allVth(1).allResetInterval(1).allResetOffset(-2).build("x")).getMessage(),
        "reset_offset -2 is outside -1..0");
    // -1 and interval - 1 are legal, and without a periodic reset any offset is unused.
    Population ok = Population.of("ok", FixedNeurons.builder(2).allDu(0).allDv(0).allVth(1)
        .allResetInterval(4).resetOffset(new int[] {-1, 3}).build("ok"));
    Population none = Population.of("none", FixedNeurons.builder(1).allDu(0).allDv(0).allVth(1)
        .allResetOffset(99).build("none"));
    ChipImage image = compile(Network.builder("n").population(ok).population(none).build(), LOIHI);
    assertEquals(3, image.getCores(0).getDecayProfilesCount());
  }

  // Finding: num_weight_bits was 0..8 (9 for MIXED) in the IR whatever the chip.

  @Test
  void weightBitsFollowTheTargetsWeightMantissa() {
    ChipSpec wide = withWeightMantBits(10);
    ChipImage image = compile(selfConnected(new WeightFormat(0, 10, SignMode.EXCITATORY,
        ConnectionKind.DENSE), 1000), wide);
    AxonGroup g = image.getCores(0).getAxonGroups(0);
    assertEquals(10, g.getNumWeightBits());
    compile(selfConnected(new WeightFormat(0, 11, SignMode.MIXED, ConnectionKind.DENSE), -3), wide);
    assertMentions(refused(selfConnected(new WeightFormat(0, 9, SignMode.EXCITATORY,
        ConnectionKind.DENSE), 4), LOIHI), "network 'n' does not fit chip 'loihi'",
        "core (0,0) axon group 'w': num_weight_bits 9 is outside 0..8 for sign mode EXCITATORY");
    assertMentions(refused(selfConnected(WeightFormat.dense(SignMode.EXCITATORY), 4),
        withWeightMantBits(6)), "axon group 'w': num_weight_bits 8 is outside 0..6");
    // The default format on a chip is that chip's full width.
    assertEquals(6, WeightFormat.dense(SignMode.MIXED, withWeightMantBits(6)).numWeightBits());
    compile(selfConnected(WeightFormat.dense(SignMode.EXCITATORY, withWeightMantBits(6)), 4),
        withWeightMantBits(6));
  }

  // Finding: weights were signed 16 bits in the validator, 1 << weightInputBits in the emulator.

  @Test
  void weightsFitTheSpecsSignedWeightInputWidth() {
    compile(selfConnected(WeightFormat.conv(), 32767), LOIHI);
    compile(selfConnected(WeightFormat.conv(), -32768), LOIHI);
    assertMentions(refused(selfConnected(WeightFormat.conv(), 32768), LOIHI),
        "core (0,0) axon group 'w' synapse 0: weight 32768 does not fit signed 16 bits"
            + " (-32768..32767)");
    assertMentions(refused(selfConnected(WeightFormat.conv(), -40000), LOIHI), "weight -40000");
    ChipSpec wideInput = ChipSpec.of(LOIHI.data().toBuilder().setName("wide-input")
        .setWeightInputBits(20).build());
    compile(selfConnected(WeightFormat.conv(), -40000), wideInput);
  }

  // Finding: vth_lo was -2^17..2^17 in Emit, -2^17..2^17-1 in the validator.

  @Test
  void theLowerThresholdIsASignedEighteenBitValue() {
    Network low = ternary(-131072);
    ChipImage image = compile(low, LOIHI);
    assertEquals(-131072, image.getCores(0).getThresholdProfiles(0).getVthLo());
    compile(ternary(131071), LOIHI);
    assertMentions(refused(ternary(131072), LOIHI), "core (0,0) threshold profile 0 (used by"
        + " population 't'): vth_lo 131072 does not fit signed 18 bits (-131072..131071)");
    assertMentions(refused(ternary(-131073), LOIHI), "vth_lo -131073 does not fit");
  }

  private static Network ternary(int vthLo) {
    Population t = Population.of("t", FixedNeurons.builder(2).allDu(0).allDv(0).allVth(10)
        .allKind(NeuronKind.TERNARY_LIF).vthLo(new int[] {vthLo, vthLo}).build("t"));
    return Network.builder("n").population(t).build();
  }

  @Test
  void aThresholdProblemNamesThePopulation() {
    Population p = Population.of("readout", FixedNeurons.builder(1).allDu(0).allDv(0)
        .allVth((1 << 17) + 1).build("readout"));
    assertMentions(refused(Network.builder("n").population(p).build(), LOIHI),
        "core (0,0) threshold profile 0 (used by population 'readout'): vth 131073 is outside"
            + " 0..131072");
  }
}
