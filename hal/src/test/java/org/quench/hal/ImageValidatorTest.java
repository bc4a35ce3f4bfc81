package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ChipSpecData;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

class ImageValidatorTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  /** The fixture with one change made through its builder. */
  private static ChipImage tinyWith(Consumer<ChipImage.Builder> change) {
    ChipImage.Builder b = TestImages.tiny().toBuilder();
    change.accept(b);
    return b.build();
  }

  /** Core (0,1) of the fixture ("hidden": 3 neurons, group 'fc1') with one change. */
  private static ChipImage hiddenWith(Consumer<Core.Builder> change) {
    return tinyWith(b -> change.accept(b.getCoresBuilder(1)));
  }

  /** Group 'fc1' of core (0,1) with one change. */
  private static ChipImage fc1With(Consumer<AxonGroup.Builder> change) {
    return hiddenWith(c -> change.accept(c.getAxonGroupsBuilder(0)));
  }

  /** A loihi spec with some fields changed and a different name (so the header must follow). */
  private static ChipSpec specWith(Consumer<ChipSpecData.Builder> change) {
    ChipSpecData.Builder d = LOIHI.data().toBuilder().setName("tiny");
    change.accept(d);
    return ChipSpec.of(d.build());
  }

  private static ChipImage forSpec(ChipSpec spec) {
    return relabelled(TestImages.tiny(), spec);
  }

  private static String invalid(ChipImage image, ChipSpec spec, String... fragments) {
    String m = assertThrows(QuenchException.class, () -> ImageValidator.validate(image, spec))
        .getMessage();
    assertTrue(m.startsWith("image is invalid for chip '" + spec.name() + "': "), m);
    for (String f : fragments) {
      assertTrue(m.contains(f), () -> "expected '" + f + "' in: " + m);
    }
    return m;
  }

  private static String invalid(ChipImage image, String... fragments) {
    return invalid(image, LOIHI, fragments);
  }

  @Test
  void theFixtureIsValid() {
    assertDoesNotThrow(() -> ImageValidator.validate(TestImages.tiny(), LOIHI));
    assertEquals(List.of(), ImageValidator.problems(TestImages.tiny(), LOIHI));
  }

  // Header

  @Test
  void missingHeaderIsReported() {
    invalid(tinyWith(ChipImage.Builder::clearHeader), "header: missing");
  }

  @Test
  void unknownFormatVersionIsReported() {
    invalid(tinyWith(b -> b.getHeaderBuilder().setFormatVersion(2)),
        "header: format_version 2 is not supported", "version 1");
  }

  @Test
  void imageForAnotherChipIsReported() {
    invalid(tinyWith(b -> b.getHeaderBuilder().setSpecName("loihi2")),
        "compiled for chip 'loihi2', not 'loihi'");
  }

  @Test
  void specHashMismatchIsReportedButAnEmptyHashIsAccepted() {
    invalid(tinyWith(b -> b.getHeaderBuilder().setSpecHash("00ff")),
        "header: spec_hash 00ff differs", LOIHI.hash());
    assertDoesNotThrow(() -> ImageValidator.validate(
        tinyWith(b -> b.getHeaderBuilder().clearSpecHash()), LOIHI));
  }

  @Test
  void chipCountMustLieWithinMaxChips() {
    invalid(tinyWith(b -> b.getHeaderBuilder().setChipCount(0)), "chip_count 0 is outside 1..32");
    invalid(tinyWith(b -> b.getHeaderBuilder().setChipCount(33)), "chip_count 33 is outside 1..32");
    assertDoesNotThrow(() -> ImageValidator.validate(
        tinyWith(b -> b.getHeaderBuilder().setChipCount(32)), LOIHI));
  }

  // Cores

  @Test
  void coreOnAChipBeyondChipCountIsReported() {
    ChipImage image = tinyWith(b -> {
      b.getCoresBuilder(1).setAddress(TestImages.at(1, 1));
      b.getCoresBuilder(0).getRoutesBuilder(0).setDest(TestImages.at(1, 1));
      b.getOutputsBuilder(0).getSourcesBuilder(0).setCore(TestImages.at(1, 1));
      b.getSymbolsBuilder(1).getRangesBuilder(0).setCore(TestImages.at(1, 1));
      b.getSymbolsBuilder(1).getRangesBuilder(1).setCore(TestImages.at(1, 1));
    });
    String m = invalid(image, "core (1,1): chip 1 is outside the image's chip_count 1");
    assertEquals(1, ImageValidator.problems(image, LOIHI).size(), m);
  }

  @Test
  void coreIndexBeyondCoresPerChipIsReported() {
    invalid(hiddenWith(c -> c.setAddress(TestImages.at(0, 128))),
        "core (0,128): core index 128 exceeds the chip's 128 cores per chip (0..127)");
  }

  @Test
  void duplicateCoreAddressIsReported() {
    invalid(hiddenWith(c -> c.setAddress(TestImages.at(0, 0))),
        "core (0,0): appears twice in the image (cores[0] and cores[1])");
  }

  @Test
  void coresOutOfOrderAreReported() {
    invalid(tinyWith(b -> {
      b.getCoresBuilder(0).setAddress(TestImages.at(0, 5));
      b.getInputsBuilder(0).getTargetsBuilder(0).setCore(TestImages.at(0, 5));
      b.getSymbolsBuilder(0).getRangesBuilder(0).setCore(TestImages.at(0, 5));
    }), "core (0,1): is listed after core (0,5): cores must be sorted by (chip, core)");
  }

  @Test
  void decayTableLargerThanTheSpecAllowsIsReported() {
    invalid(hiddenWith(c -> {
      for (int i = 0; i < 31; i++) {
        c.addDecayProfiles(DecayProfile.newBuilder().setDu(i));
      }
    }), "core (0,1): 33 decay profiles exceed the chip's 32 per core");
  }

  @Test
  void thresholdTableLargerThanTheSpecAllowsIsReported() {
    invalid(hiddenWith(c -> {
      for (int i = 0; i < 16; i++) {
        c.addThresholdProfiles(ThresholdProfile.newBuilder().setVth(i));
      }
    }), "core (0,1): 17 threshold profiles exceed the chip's 16 per core");
  }

  @Test
  void decayValuesMustFitTheDecayWidth() {
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(1).setDu(4096)),
        "core (0,1) decay profile 1 (used by population 'fc1'): du 4096 is outside -1..4095");
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(1).setDu(-2)),
        "core (0,1) decay profile 1 (used by population 'fc1'): du -2 is outside -1..4095");
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(0).setDv(4097)),
        "core (0,1) decay profile 0 (used by population 'fc1'): dv 4097 is outside 0..4096");
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(0).setDv(-1)), "dv -1 is outside 0..4096");
  }

  @Test
  void refractoryMustNotExceedTheSpec() {
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(1).setRefractory(64)),
        "core (0,1) decay profile 1 (used by population 'fc1'): refractory 64 is outside 0..63 (maxRefractory)");
  }

  @Test
  void unknownEnumValuesAreReported() {
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(0).setResetModeValue(7)),
        "core (0,1) decay profile 0 (used by population 'fc1'): reset_mode 7 is not a known reset mode");
    invalid(hiddenWith(c -> c.getThresholdProfilesBuilder(0).setKindValue(9)),
        "core (0,1) threshold profile 0 (used by population 'fc1'): kind 9 is not a known neuron kind");
    invalid(fc1With(g -> g.setSignModeValue(5)), "axon group 'fc1': sign_mode 5 is not a known");
    invalid(fc1With(g -> g.setKindValue(5)), "axon group 'fc1': kind 5 is not a known");
  }

  @Test
  void resetOffsetMustBeMinusOneOrWithinTheInterval() {
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(1).setResetOffset(8)),
        "core (0,1) decay profile 1 (used by population 'fc1'): reset_offset 8 is outside -1..7 for reset_interval 8");
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(1).setResetOffset(-2)),
        "reset_offset -2 is outside -1..7");
    assertDoesNotThrow(() -> ImageValidator.validate(
        hiddenWith(c -> c.getDecayProfilesBuilder(1).setResetOffset(-1)), LOIHI));
    // Without a periodic reset the offset is not used, whatever it holds.
    assertDoesNotThrow(() -> ImageValidator.validate(hiddenWith(c -> c.getDecayProfilesBuilder(1)
        .setResetInterval(0).setResetOffset(99)), LOIHI));
    // uint32 intervals beyond 2^31 - 1 cannot be counted in steps.
    invalid(hiddenWith(c -> c.getDecayProfilesBuilder(1).setResetInterval(-5)),
        "core (0,1) decay profile 1 (used by population 'fc1'): reset_interval 4294967291 is outside"
            + " 0..2147483647");
  }

  @Test
  void aProfileProblemNamesEveryPopulationUsingTheProfileAndNoneWhenUnused() {
    // Neuron 2 of core (0,1) becomes population 'other'; both point at threshold profile 0.
    ChipImage two = hiddenWith(c -> c.getThresholdProfilesBuilder(0).setVth(200000)).toBuilder()
        .setSymbols(1, TestImages.tiny().getSymbols(1).toBuilder().setSize(2).clearShape()
            .addShape(2).removeRanges(1))
        .addSymbols(org.quench.hal.proto.Symbol.newBuilder().setPopulation("other").setSize(1)
            .addRanges(org.quench.hal.proto.NeuronRange.newBuilder().setCore(TestImages.at(0, 1))
                .setNeuronFirst(2).setCount(1)))
        .build();
    invalid(two, "core (0,1) threshold profile 0 (used by populations 'fc1', 'other'): vth 200000"
        + " is outside 0..131072");
    ChipImage unused = hiddenWith(c -> c.addThresholdProfiles(ThresholdProfile.newBuilder()
        .setVth(-1)));
    invalid(unused, "core (0,1) threshold profile 1: vth 4294967295 is outside 0..131072");
  }

  @Test
  void thresholdMantissaMayReachTwoToTheMantBitsButNotExceedIt() {
    // 131072 = 2^17 is netx's threshold for a layer without neurons (never fires): accepted.
    assertDoesNotThrow(() -> ImageValidator.validate(
        hiddenWith(c -> c.getThresholdProfilesBuilder(0).setVth(131072)), LOIHI));
    invalid(hiddenWith(c -> c.getThresholdProfilesBuilder(0).setVth(131073)),
        "core (0,1) threshold profile 0 (used by population 'fc1'): vth 131073 is outside 0..131072 (17-bit threshold mantissa;"
            + " 131072 means never fire)");
  }

  @Test
  void lowerThresholdMustFitSignedMantBitsPlusOne() {
    assertDoesNotThrow(() -> ImageValidator.validate(
        hiddenWith(c -> c.getThresholdProfilesBuilder(0).setVthLo(-131072)), LOIHI));
    invalid(hiddenWith(c -> c.getThresholdProfilesBuilder(0).setVthLo(-131073)),
        "core (0,1) threshold profile 0 (used by population 'fc1'): vth_lo -131073 does not fit signed 18 bits "
            + "(-131072..131071)");
    invalid(hiddenWith(c -> c.getThresholdProfilesBuilder(0).setVthLo(131072)),
        "vth_lo 131072 does not fit");
  }

  @Test
  void unsignedFieldsAboveTwoToThe31ArePrintedAsTheyAreInTheFile() {
    invalid(hiddenWith(c -> c.setNeuronCount(-1)),
        "core (0,1): neuron_count 4294967295 exceeds the chip's 1024 neurons per core");
    invalid(fc1With(g -> g.setTarget(0, -2)), "synapse 0: target 4294967294 is not a neuron");
  }

  @Test
  void neuronCountMustNotExceedTheCore() {
    invalid(hiddenWith(c -> c.setNeuronCount(1025)),
        "core (0,1): neuron_count 1025 exceeds the chip's 1024 neurons per core");
  }

  @Test
  void perNeuronArraysMustMatchNeuronCount() {
    invalid(hiddenWith(c -> c.clearBiasMant().addBiasMant(-5)),
        "core (0,1): bias_mant has 1 entries, expected 3 (neuron_count)");
    invalid(hiddenWith(c -> c.addDecayIndex(0)),
        "core (0,1): decay_index has 4 entries, expected 3 (neuron_count)");
    invalid(hiddenWith(c -> c.clearThresholdIndex()), "threshold_index has 0 entries, expected 3");
    invalid(hiddenWith(c -> c.addUInit(0)),
        "core (0,1): u_init has 4 entries, expected 3 (neuron_count) or none");
    invalid(hiddenWith(c -> c.addVInit(0)), "v_init has 4 entries");
    invalid(hiddenWith(c -> c.addBiasExp(0)), "bias_exp has 4 entries");
    // bias_exp, u_init and v_init may be left out entirely.
    assertDoesNotThrow(() -> ImageValidator.validate(
        hiddenWith(c -> c.clearBiasExp().clearUInit().clearVInit()), LOIHI));
  }

  @Test
  void profileIndicesMustPointAtExistingRows() {
    invalid(hiddenWith(c -> c.setDecayIndex(2, 2)),
        "core (0,1) neuron 2 (population 'fc1' neuron 2): decay_index 2 points past the 2-row decay profile table");
    invalid(hiddenWith(c -> c.setThresholdIndex(1, 1)),
        "core (0,1) neuron 1 (population 'fc1' neuron 1): threshold_index 1 points past the 1-row threshold profile table");
  }

  @Test
  void biasMantissaMustFitSignedBiasBits() {
    assertDoesNotThrow(() -> ImageValidator.validate(
        hiddenWith(c -> c.setBiasMant(0, -4096).setBiasMant(1, 4095)), LOIHI));
    invalid(hiddenWith(c -> c.setBiasMant(1, 4096)),
        "core (0,1) neuron 1 (population 'fc1' neuron 1): bias_mant 4096 does not fit signed 13 bits (-4096..4095)");
    invalid(hiddenWith(c -> c.setBiasMant(0, -4097)), "bias_mant -4097 does not fit");
  }

  @Test
  void biasExponentMustLieInTheSpecRange() {
    invalid(hiddenWith(c -> c.setBiasExp(2, 8)),
        "core (0,1) neuron 2 (population 'fc1' neuron 2): bias_exp 8 is outside -8..7");
    invalid(hiddenWith(c -> c.setBiasExp(0, -9)), "bias_exp -9 is outside -8..7");
  }

  @Test
  void initialStateMustLieInTheStateRange() {
    // u in (-2^23, 2^23], v in [-(2^23 - 1), 2^23 - 1] (docs/chip-semantics.md#state-and-widths:
    // wrap and saturation).
    assertDoesNotThrow(() -> ImageValidator.validate(hiddenWith(c -> c.setUInit(0, 8388608)
        .setUInit(1, -8388607).setVInit(0, 8388607).setVInit(1, -8388607)), LOIHI));
    invalid(hiddenWith(c -> c.setUInit(0, 8388609)),
        "core (0,1) neuron 0 (population 'fc1' neuron 0): u_init 8388609 is outside the 24-bit current range "
            + "-8388607..8388608");
    invalid(hiddenWith(c -> c.setUInit(1, -8388608)), "u_init -8388608 is outside");
    invalid(hiddenWith(c -> c.setVInit(2, 8388608)),
        "core (0,1) neuron 2 (population 'fc1' neuron 2): v_init 8388608 is outside the 24-bit voltage range "
            + "-8388607..8388607");
  }

  // Axon groups

  @Test
  void axonGroupMustLieWithinTheInputAxons() {
    invalid(fc1With(g -> g.setAxonFirst(4093)),
        "core (0,1) axon group 'fc1': axons 4093..4096 exceed the chip's 4096 input axons");
    invalid(fc1With(g -> g.setAxonCount(0)), "axon group 'fc1': axon_count is 0");
  }

  @Test
  void overlappingAxonGroupsAreReported() {
    ChipImage image = hiddenWith(c -> c.addAxonGroups(AxonGroup.newBuilder().setName("fc2")
        .setAxonFirst(3).setAxonCount(2).addAllRowPtr(List.of(0, 0, 0))));
    invalid(image, "core (0,1): axon groups 'fc1' (axons 0..3) and 'fc2' (axons 3..4) overlap");
  }

  @Test
  void unnamedGroupsAreNamedByIndex() {
    invalid(fc1With(g -> g.clearName().setWeightExp(9)), "core (0,1) axon group #0: weight_exp 9");
  }

  @Test
  void rowPointersMustBeCompleteMonotoneAndEndAtTheSynapseCount() {
    invalid(fc1With(g -> g.addRowPtr(12)),
        "core (0,1) axon group 'fc1': row_ptr has 6 entries, expected axon_count + 1 = 5");
    invalid(fc1With(g -> g.setRowPtr(2, 1)),
        "axon group 'fc1': row_ptr[2] = 1 is below row_ptr[1] = 3");
    invalid(fc1With(g -> g.setRowPtr(0, 1)), "row_ptr[0] = 1 must be 0");
    invalid(fc1With(g -> g.setRowPtr(4, 11)), "row_ptr ends at 11 but the group has 12 synapses");
  }

  @Test
  void synapseArraysMustHaveEqualLengthsAndDelaysMayBeEmpty() {
    invalid(fc1With(g -> g.addWeight(1)), "axon group 'fc1': weight has 13 entries, target has 12");
    invalid(fc1With(g -> g.addDelay(1)),
        "axon group 'fc1': delay has 13 entries, expected 12 (one per synapse) or none");
    assertDoesNotThrow(() -> ImageValidator.validate(fc1With(AxonGroup.Builder::clearDelay), LOIHI));
  }

  @Test
  void synapseTargetsMustBeNeuronsOfTheCore() {
    invalid(fc1With(g -> g.setTarget(5, 3)),
        "core (0,1) axon group 'fc1' synapse 5: target 3 is not a neuron of this core "
            + "(neuron_count 3)");
  }

  @Test
  void weightsMustFitTheWeightInputBits() {
    assertDoesNotThrow(() -> ImageValidator.validate(
        fc1With(g -> g.setWeight(0, 32767).setWeight(1, -32768)), LOIHI));
    invalid(fc1With(g -> g.setWeight(4, 32768)),
        "core (0,1) axon group 'fc1' synapse 4: weight 32768 does not fit signed 16 bits "
            + "(-32768..32767)");
  }

  @Test
  void numWeightBitsIsZeroToEightOrNineForMixedWeights() {
    invalid(fc1With(g -> g.setNumWeightBits(10)),
        "axon group 'fc1': num_weight_bits 10 is outside 0..9 for sign mode MIXED");
    assertDoesNotThrow(() -> ImageValidator.validate(fc1With(g -> g.setNumWeightBits(9)), LOIHI));
    assertDoesNotThrow(() -> ImageValidator.validate(fc1With(g -> g.setNumWeightBits(0)), LOIHI));
    invalid(tinyWith(b -> b.getCoresBuilder(0).getAxonGroupsBuilder(0).setNumWeightBits(9)),
        "core (0,0) axon group 'in': num_weight_bits 9 is outside 0..8 for sign mode EXCITATORY"
            + " (9 is only allowed for MIXED weights)");
    // With SIGN_MODE_AUTO the mode follows the weights: fc1's are mixed, 'in''s are not.
    assertDoesNotThrow(() -> ImageValidator.validate(
        fc1With(g -> g.setSignMode(SignMode.SIGN_MODE_AUTO).setNumWeightBits(9)), LOIHI));
    invalid(tinyWith(b -> b.getCoresBuilder(0).getAxonGroupsBuilder(0)
        .setSignMode(SignMode.SIGN_MODE_AUTO).setNumWeightBits(9)), "for sign mode EXCITATORY");
  }

  /** {@code image} relabelled for {@code spec} (header name and hash). */
  private static ChipImage relabelled(ChipImage image, ChipSpec spec) {
    return image.toBuilder().setHeader(image.getHeader().toBuilder().setSpecName(spec.name())
        .setSpecHash(spec.hash())).build();
  }

  @Test
  void numWeightBitsFollowTheSpecsWeightMantissaAndDoNotApplyToConvolutions() {
    ChipSpec wide = ChipSpec.of(LOIHI.data().toBuilder().setName("wide").setWeightMantBits(10)
        .build());
    assertDoesNotThrow(() -> ImageValidator.validate(relabelled(fc1With(g -> g
        .setNumWeightBits(11)), wide), wide));
    assertDoesNotThrow(() -> ImageValidator.validate(relabelled(tinyWith(b -> b.getCoresBuilder(0)
        .getAxonGroupsBuilder(0).setNumWeightBits(10)), wide), wide));
    invalid(relabelled(fc1With(g -> g.setNumWeightBits(12)), wide), wide,
        "axon group 'fc1': num_weight_bits 12 is outside 0..11 for sign mode MIXED");
    ChipSpec narrow = ChipSpec.of(LOIHI.data().toBuilder().setName("narrow").setWeightMantBits(6)
        .build());
    invalid(relabelled(tinyWith(b -> b.getCoresBuilder(0).getAxonGroupsBuilder(0)
        .setNumWeightBits(7)), narrow), narrow, "core (0,0) axon group 'in': num_weight_bits 7 is"
            + " outside 0..6 for sign mode EXCITATORY (7 is only allowed for MIXED weights)");
    // A CONV group's weights are plain integers: its num_weight_bits is not the chip's concern.
    assertDoesNotThrow(() -> ImageValidator.validate(relabelled(tinyWith(b -> {
      b.getCoresBuilder(0).getAxonGroupsBuilder(0).setNumWeightBits(6);
      b.getCoresBuilder(1).getAxonGroupsBuilder(0).setKind(ConnectionKind.CONV).setWeightExp(0)
          .setNumWeightBits(8);
    }), narrow), narrow));
  }

  @Test
  void weightExponentMustLieInTheSpecRangeAndBeZeroForConvolutions() {
    invalid(fc1With(g -> g.setWeightExp(8)), "axon group 'fc1': weight_exp 8 is outside -8..7");
    invalid(fc1With(g -> g.setWeightExp(-9)), "weight_exp -9 is outside -8..7");
    invalid(fc1With(g -> g.setKind(ConnectionKind.CONV)),
        "axon group 'fc1': weight_exp -1 must be 0 for a CONV group");
    assertDoesNotThrow(() -> ImageValidator.validate(
        fc1With(g -> g.setKind(ConnectionKind.CONV).setWeightExp(0)), LOIHI));
  }

  @Test
  void messageBitsMustNotExceedTheSpec() {
    assertDoesNotThrow(() -> ImageValidator.validate(fc1With(g -> g.setNumMessageBits(24)), LOIHI));
    invalid(fc1With(g -> g.setNumMessageBits(25)),
        "axon group 'fc1': num_message_bits 25 is outside 0..24 (maxMessageBits)");
  }

  @Test
  void delaysMustNotExceedMaxDelay() {
    assertDoesNotThrow(() -> ImageValidator.validate(fc1With(g -> g.setDelay(7, 63)), LOIHI));
    invalid(fc1With(g -> g.setDelay(7, 70)),
        "core (0,1) axon group 'fc1' synapse 7: delay 70 is outside 0..63 (maxDelay)");
  }

  @Test
  void synapseMemoryOverBudgetSaysByHowMuch() {
    // Cost model (chip_spec.proto): rows x rowBits + synapses x (index bits + weight bits
    // [+ delay bits]). fc1: 4 x 32 + 12 x (10 + 8 + 6) = 416 bits = 52 bytes; 'in' (no delays):
    // 4 x 32 + 4 x (10 + 8) = 200 bits = 25 bytes.
    ChipSpec tight = specWith(d -> d.setSynapseMemoryBytesPerCore(40));
    String m = invalid(forSpec(tight), tight,
        "core (0,1): synapse memory 52 bytes exceeds the 40-byte budget per core by 12 bytes");
    assertTrue(!m.contains("core (0,0): synapse memory"), m);
    ChipSpec exact = specWith(d -> d.setSynapseMemoryBytesPerCore(52));
    assertDoesNotThrow(() -> ImageValidator.validate(forSpec(exact), exact));
  }

  @Test
  void memoryOfSeveralGroupsIsSummedAndListedPerGroup() {
    // A second group on core (0,1), 1 axon, 2 synapses, no delays: 32 + 2 x 18 = 68 bits = 9 bytes.
    ChipSpec tight = specWith(d -> d.setSynapseMemoryBytesPerCore(60));
    ChipImage image = tinyWith(b -> {
      b.getHeaderBuilder().setSpecName(tight.name()).setSpecHash(tight.hash());
      b.getCoresBuilder(1).addAxonGroups(AxonGroup.newBuilder().setName("rec").setAxonFirst(4)
          .setAxonCount(1).setSignMode(SignMode.EXCITATORY).setNumWeightBits(8)
          .addAllRowPtr(List.of(0, 2)).addAllTarget(List.of(0, 1)).addAllWeight(List.of(1, 2)));
    });
    invalid(image, tight, "core (0,1): synapse memory 61 bytes exceeds the 60-byte budget per core "
        + "by 1 bytes (per group: 'fc1' 52, 'rec' 9)");
  }

  // Routes

  @Test
  void routeDestinationMustBeACoreOfTheImage() {
    invalid(tinyWith(b -> b.getCoresBuilder(0).getRoutesBuilder(0).setDest(TestImages.at(0, 7))),
        "core (0,0) route 0: destination core (0,7) is not in the image");
    invalid(tinyWith(b -> b.getCoresBuilder(0).getRoutesBuilder(0).clearDest()),
        "core (0,0) route 0: has no destination core");
  }

  @Test
  void routeDestinationAxonsMustLieInsideAxonGroups() {
    invalid(tinyWith(b -> b.getCoresBuilder(0).getRoutesBuilder(0).setAxonFirst(1)),
        "core (0,0) route 0: destination axons 1..4 of core (0,1) do not lie inside its axon groups");
  }

  @Test
  void routeMayCrossAdjacentAxonGroups() {
    // Split fc1's 4 axons into two adjacent groups: axons 0..1 and 2..3.
    ChipImage image = hiddenWith(c -> {
      AxonGroup fc1 = c.getAxonGroups(0);
      AxonGroup.Builder a = fc1.toBuilder().setAxonCount(2).clearRowPtr().clearTarget()
          .clearWeight().clearDelay();
      AxonGroup.Builder z = fc1.toBuilder().setName("fc1b").setAxonFirst(2).setAxonCount(2)
          .clearRowPtr().clearTarget().clearWeight().clearDelay();
      a.addAllRowPtr(List.of(0, 3, 6));
      z.addAllRowPtr(List.of(0, 3, 6));
      for (int s = 0; s < 12; s++) {
        AxonGroup.Builder into = s < 6 ? a : z;
        into.addTarget(fc1.getTarget(s)).addWeight(fc1.getWeight(s)).addDelay(fc1.getDelay(s));
      }
      c.clearAxonGroups().addAxonGroups(a).addAxonGroups(z);
    });
    assertDoesNotThrow(() -> ImageValidator.validate(image, LOIHI));
  }

  @Test
  void routeSourceNeuronsMustExist() {
    invalid(tinyWith(b -> b.getCoresBuilder(0).getRoutesBuilder(0).setNeuronFirst(1)),
        "core (0,0) route 0: source neurons 1..4 exceed the core's neuron_count 4");
    invalid(tinyWith(b -> b.getCoresBuilder(0).getRoutesBuilder(0).setNeuronCount(0)),
        "core (0,0) route 0: neuron_count is 0");
  }

  @Test
  void outputAxonsPerCoreAreBounded() {
    ChipSpec narrow = specWith(d -> d.setOutputAxonsPerCore(3));
    invalid(forSpec(narrow), narrow,
        "core (0,0): routes use 4 output axons, the chip has 3 per core (exceeded by 1)");
  }

  @Test
  void fanOutRoutesCountEveryOutputAxon() {
    ChipImage image = tinyWith(b -> b.getCoresBuilder(0).addRoutes(Route.newBuilder()
        .setNeuronFirst(0).setNeuronCount(4).setDest(TestImages.at(0, 1)).setAxonFirst(0)));
    ChipSpec spec = specWith(d -> d.setOutputAxonsPerCore(7));
    invalid(image.toBuilder().setHeader(forSpec(spec).getHeader()).build(), spec,
        "core (0,0): routes use 8 output axons, the chip has 7 per core");
  }

  // Ports

  @Test
  void inputPortNamesAreUniqueAndWidthsPositive() {
    invalid(tinyWith(b -> b.addInputs(b.getInputs(0))),
        "input port 'in': the name is used by another input port");
    invalid(tinyWith(b -> b.getInputsBuilder(0).setWidth(0)), "input port 'in': width is 0");
    invalid(tinyWith(b -> b.getInputsBuilder(0).clearName()), "input port #0: has no name");
  }

  @Test
  void inputPortRangesMustReachExistingAxonsWithinTheWidth() {
    invalid(tinyWith(b -> b.getInputsBuilder(0).getTargetsBuilder(0).setCore(TestImages.at(0, 9))),
        "input port 'in' target 0: core (0,9) is not in the image");
    invalid(tinyWith(b -> b.getInputsBuilder(0).getTargetsBuilder(0).setAxonFirst(2)),
        "input port 'in' target 0: axons 2..5 of core (0,0) do not lie inside its axon groups");
    invalid(tinyWith(b -> b.getInputsBuilder(0).getTargetsBuilder(0).setPortOffset(1)),
        "input port 'in' target 0: port indices 1..4 exceed the port's width 4");
  }

  @Test
  void outputPortRangesMustReachExistingNeuronsWithinTheWidth() {
    invalid(tinyWith(b -> b.addOutputs(b.getOutputs(0))),
        "output port 'out': the name is used by another output port");
    invalid(tinyWith(b -> b.getOutputsBuilder(0).setWidth(0)), "output port 'out': width is 0");
    invalid(tinyWith(b -> b.getOutputsBuilder(0).getSourcesBuilder(0).setNeuronFirst(1)),
        "output port 'out' source 0: neurons 1..3 exceed the neuron_count 3 of core (0,1)");
    invalid(tinyWith(b -> b.getOutputsBuilder(0).getSourcesBuilder(0).setOffset(2)),
        "output port 'out' source 0: port indices 2..4 exceed the port's width 3");
    invalid(tinyWith(b -> b.getOutputsBuilder(0).getSourcesBuilder(0).setCore(TestImages.at(1, 0))),
        "output port 'out' source 0: core (1,0) is not in the image");
  }

  @Test
  void anInputAndAnOutputPortMayShareAName() {
    assertDoesNotThrow(() -> ImageValidator.validate(
        tinyWith(b -> b.getOutputsBuilder(0).setName("in")), LOIHI));
  }

  // Symbols

  @Test
  void symbolNamesAreUnique() {
    invalid(tinyWith(b -> b.addSymbols(b.getSymbols(0))),
        "symbol 'input': the population is listed twice");
    invalid(tinyWith(b -> b.getSymbolsBuilder(0).clearPopulation()),
        "symbol #0: has no population name");
  }

  @Test
  void symbolRangesMustLieWithinCores() {
    invalid(tinyWith(b -> b.getSymbolsBuilder(1).getRangesBuilder(1).setNeuronFirst(3)),
        "symbol 'fc1' range 1: neurons 3..3 exceed the neuron_count 3 of core (0,1)");
  }

  @Test
  void symbolRangesMustCoverThePopulationWithoutGapsOrOverlaps() {
    invalid(tinyWith(b -> b.getSymbolsBuilder(1).getRangesBuilder(1).setOffset(3)),
        "symbol 'fc1': population indices 2..2 are not placed on any core");
    invalid(tinyWith(b -> b.getSymbolsBuilder(1).getRangesBuilder(1).setOffset(1)),
        "symbol 'fc1': population indices 1..1 are placed twice");
    invalid(tinyWith(b -> b.getSymbolsBuilder(1).setSize(4)),
        "symbol 'fc1': population indices 3..3 are not placed on any core");
    invalid(tinyWith(b -> b.getSymbolsBuilder(1).setSize(2)),
        "symbol 'fc1': ranges reach population index 2 but the size is 2");
  }

  @Test
  void rangesMayComeInAnyOrder() {
    assertDoesNotThrow(() -> ImageValidator.validate(tinyWith(b -> {
      Symbol.Builder s = b.getSymbolsBuilder(1);
      NeuronRange first = s.getRanges(0);
      s.removeRanges(0).addRanges(first);
    }), LOIHI));
  }

  // The report as a whole

  @Test
  void reportListsAtMostTenProblemsAndSaysThereAreMore() {
    ChipImage image = hiddenWith(c -> {
      for (int i = 0; i < 3; i++) {
        c.setBiasMant(i, 5000);
      }
      c.getAxonGroupsBuilder(0).setDelay(0, 99).setDelay(1, 99).setDelay(2, 99).setDelay(3, 99)
          .setDelay(4, 99).setDelay(5, 99).setDelay(6, 99).setDelay(7, 99);
    });
    String m = invalid(image, "bias_mant 5000", "delay 99", "further problems not listed");
    assertEquals(ImageValidator.MAX_REPORTED, ImageValidator.problems(image, LOIHI).size());
    assertEquals(ImageValidator.MAX_REPORTED, m.split("; ").length - 1, m);
  }

  @Test
  void largeImagesAreCheckedInFull() {
    // 4 full cores (1024 neurons, 4096 axons) with 1000 synapses each: every part must be walked.
    ChipImage.Builder b = TestImages.tiny().toBuilder();
    for (int k = 2; k < 6; k++) {
      Core.Builder c = b.getCores(1).toBuilder().setAddress(TestImages.at(0, k)).clearRoutes()
          .setNeuronCount(1024).clearDecayIndex().clearThresholdIndex().clearBiasMant()
          .clearBiasExp().clearUInit().clearVInit().clearAxonGroups();
      for (int i = 0; i < 1024; i++) {
        c.addDecayIndex(i % 2).addThresholdIndex(0).addBiasMant(i % 100);
      }
      AxonGroup.Builder g = AxonGroup.newBuilder().setName("big").setAxonCount(4096)
          .setSignMode(SignMode.MIXED).setNumWeightBits(8);
      g.addRowPtr(0);
      for (int a = 0; a < 4096; a++) {
        if (a < 1000) {
          g.addTarget((a * 7) % 1024).addWeight(a % 2 == 0 ? 3 : -3);
        }
        g.addRowPtr(Math.min(a + 1, 1000));
      }
      c.addAxonGroups(g);
      b.addCores(c);
    }
    ChipImage image = b.build();
    assertDoesNotThrow(() -> ImageValidator.validate(image, LOIHI));
    Core.Builder last = image.getCores(5).toBuilder();
    last.getAxonGroupsBuilder(0).setTarget(999, 1024);
    ChipImage broken = image.toBuilder().setCores(5, last).build();
    invalid(broken, "core (0,5) axon group 'big' synapse 999: target 1024 is not a neuron");
  }

  @Test
  void randomlyCorruptedImagesGiveProblemsNeverOtherExceptions() {
    // Flip bytes of the fixture's protobuf; whatever still parses must validate or be refused
    // with a QuenchException, and describing it must not fail either.
    byte[] good = TestImages.tiny().toByteArray();
    java.util.Random random = new java.util.Random(20261128L);
    int parsed = 0;
    for (int trial = 0; trial < 3000; trial++) {
      byte[] bytes = good.clone();
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      ChipImage image;
      try {
        image = ChipImage.parseFrom(bytes);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        continue;
      }
      parsed++;
      try {
        ImageValidator.validate(image, LOIHI);
      } catch (QuenchException expected) {
        assertTrue(expected.getMessage().startsWith("image is invalid"));
      }
      ImageSummary.describe(image);
    }
    assertTrue(parsed > 300, "only " + parsed + " corrupted images parsed");
  }

  @Test
  void portsMayFanOutAndOverlapInPortIndices() {
    // A second target fanning out the same port indices to core (0,1) is allowed.
    assertDoesNotThrow(() -> ImageValidator.validate(tinyWith(b -> b.getInputsBuilder(0)
        .addTargets(AxonRange.newBuilder().setCore(TestImages.at(0, 1)).setAxonFirst(0)
            .setCount(4))), LOIHI));
    assertDoesNotThrow(() -> ImageValidator.validate(tinyWith(b -> b.getOutputsBuilder(0)
        .addSources(NeuronRange.newBuilder().setCore(TestImages.at(0, 0)).setCount(3))), LOIHI));
  }

  // Sizes a device allocates per index are bounded before anything is allocated

  @Test
  void anInputPortWiderThanEveryInputAxonOfTheImagesChipsIsReported() {
    // 1 chip of 128 cores of 4096 input axons: 524288 indices at most; 3e8 and 2^31 + 1 are not
    invalid(tinyWith(b -> b.getInputsBuilder(0).setWidth(300_000_000)),
        "input port 'in': width 300000000 exceeds the 524288 input axons of the image's 1 chip(s)");
    invalid(tinyWith(b -> b.getInputsBuilder(0).setWidth(0x80000001)),
        "width 2147483649 exceeds the 524288 input axons");
    assertDoesNotThrow(() -> ImageValidator.validate(
        tinyWith(b -> b.getInputsBuilder(0).setWidth(524_288)), LOIHI));
  }

  @Test
  void anOutputPortWiderThanTheImagesNeuronsIsReported() {
    // the tiny image holds 4 + 3 neurons
    invalid(tinyWith(b -> b.getOutputsBuilder(0).setWidth(8)),
        "output port 'out': width 8 exceeds the 7 neurons of the image's cores");
    assertDoesNotThrow(() -> ImageValidator.validate(
        tinyWith(b -> b.getOutputsBuilder(0).setWidth(7)), LOIHI));
  }

  @Test
  void aHugeNameFromTheImageIsNotEchoedWhole() {
    String m = invalid(tinyWith(b -> b.getHeaderBuilder().setSpecName("x".repeat(100_000))),
        "characters)");
    assertTrue(m.length() < 2 * ImageValidator.MAX_PROBLEM_CHARS, m.length() + " characters");
  }
}
