package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChipSpecTest {
  @TempDir Path dir;

  private static void assertMentions(String text, String... fragments) {
    for (String f : fragments) {
      assertTrue(text.contains(f), () -> "expected '" + f + "' in: " + text);
    }
  }

  private static String failure(Runnable action) {
    return assertThrows(QuenchException.class, action::run).getMessage();
  }

  @Test
  void loihiHasTheNumbersOfSemantics() {
    ChipSpec s = ChipSpec.loihi();
    assertEquals("loihi", s.name());
    // Per-core limits (docs/chip-semantics.md#per-core-limits).
    assertEquals(128, s.coresPerChip());
    assertEquals(1024, s.neuronsPerCore());
    assertEquals(32, s.decayProfilesPerCore());
    assertEquals(16, s.thresholdProfilesPerCore());
    assertEquals(4096, s.inputAxonsPerCore());
    assertEquals(4096, s.outputAxonsPerCore());
    assertEquals(128 * 1024, s.synapseMemoryBytesPerCore());
    // Widths and constants.
    assertEquals(24, s.stateBits());
    assertEquals(12, s.decayBits());
    assertEquals(4096, s.decayUnity());
    assertEquals(17, s.thresholdMantBits());
    assertEquals(6, s.thresholdShift());
    assertEquals(13, s.biasMantBits());
    assertEquals(6, s.activationShift());
    assertEquals(8, s.weightMantBits());
    assertEquals(-8, s.weightExpMin());
    assertEquals(7, s.weightExpMax());
    assertEquals(63, s.maxDelay());
    // 1024 neurons need 10 index bits.
    assertEquals(10, s.neuronIndexBits());
  }

  @Test
  void loihiRangesAreTheChipsDocumentedRanges() {
    ChipSpec s = ChipSpec.loihi();
    assertEquals(new ChipSpec.Range(-1, 4095), s.decayURange());
    assertEquals(new ChipSpec.Range(0, 4096), s.decayVRange());
    // 2^17 is allowed: netx's never-firing default threshold (2^17 << 6 = 2^23 exceeds every v).
    assertEquals(new ChipSpec.Range(0, 131072), s.vthRange());
    assertTrue((long) s.vthRange().max() << s.thresholdShift() > s.voltageRange().max());
    assertEquals(new ChipSpec.Range(-131072, 131071), s.vthLoRange());
    assertEquals(new ChipSpec.Range(-4096, 4095), s.biasMantRange());
    assertEquals(new ChipSpec.Range(-8, 7), s.biasExpRange());
    assertEquals(new ChipSpec.Range(-8388607, 8388608), s.currentRange());
    assertEquals(new ChipSpec.Range(-8388607, 8388607), s.voltageRange());
    assertEquals(new ChipSpec.Range(-32768, 32767), s.weightInputRange());
    assertEquals(new ChipSpec.Range(-256, 255), s.weightMantRange(org.quench.hal.proto.SignMode.MIXED));
    assertEquals(new ChipSpec.Range(0, 255), s.weightMantRange(org.quench.hal.proto.SignMode.EXCITATORY));
    assertEquals(new ChipSpec.Range(-255, 0), s.weightMantRange(org.quench.hal.proto.SignMode.INHIBITORY));
    assertEquals(new ChipSpec.Range(0, 9), s.numWeightBitsRange(org.quench.hal.proto.SignMode.MIXED));
    assertEquals(new ChipSpec.Range(0, 8), s.numWeightBitsRange(org.quench.hal.proto.SignMode.EXCITATORY));
    assertEquals(new ChipSpec.Range(0, 63), s.delayRange());
    assertEquals(new ChipSpec.Range(-1, 1), ChipSpec.payloadRange(0));
    assertEquals(new ChipSpec.Range(-4, 3), ChipSpec.payloadRange(3));
    assertEquals(4095, s.biasMantRange().clamp(5000));
    assertEquals("-4096..4095", s.biasMantRange().toString());
  }

  @Test
  void resolveFindsBuiltInsAndFiles() throws IOException {
    assertEquals(ChipSpec.loihi().hash(), ChipSpec.resolve("loihi").hash());
    Path file = dir.resolve("mine.json");
    Files.writeString(file, ChipSpec.loihi().toJson().replace("\"loihi\"", "\"mine\""));
    ChipSpec mine = ChipSpec.resolve(file.toString());
    assertEquals("mine", mine.name());
    assertNotEquals(ChipSpec.loihi().hash(), mine.hash());
    assertMentions(failure(() -> ChipSpec.resolve("truenorth")), "unknown chip 'truenorth'",
        "[loihi]", "path of a spec JSON file");
  }

  @Test
  void hashIsTheSha256OfTheCanonicalJsonAndSurvivesARoundTrip() {
    ChipSpec s = ChipSpec.loihi();
    assertEquals(ChipImages.sha256(s.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        s.hash());
    assertEquals(64, s.hash().length());
    assertEquals(s.hash(), ChipSpec.parse(s.toJson(), "again").hash());
  }

  @Test
  void synapseBytesFollowsTheCostModel() {
    ChipSpec s = ChipSpec.loihi();
    // rows x 32 + synapses x (10 index + weight bits [+ 6 delay bits]), rounded up to bytes.
    assertEquals((3 * 32 + 5 * (10 + 8) + 7) / 8, s.synapseBytes(3, 5, 8, false));
    assertEquals((3 * 32 + 5 * (10 + 8 + 6) + 7) / 8, s.synapseBytes(3, 5, 8, true));
    assertEquals((1 * 32 + 1 * (10 + 0)) / 8 + 1, s.synapseBytes(1, 1, 0, false));
  }

  @Test
  void missingFieldIsNamedAsPossiblyMissing() {
    String json = ChipSpec.loihi().toJson().replaceAll("\"neuronsPerCore\": \\d+,", "");
    assertMentions(failure(() -> ChipSpec.parse(json, "my.json")), "chip spec my.json is invalid",
        "neuronsPerCore: 0 is outside 1..", "missing from the file?");
  }

  @Test
  void outOfRangeFieldsAreNamedWithTheirRange() {
    String json = ChipSpec.loihi().toJson().replaceAll("\"decayBits\": \\d+", "\"decayBits\": 20");
    assertMentions(failure(() -> ChipSpec.parse(json, "my.json")), "decayBits: 20 is outside 1..16");
    String exps = ChipSpec.loihi().toJson().replaceAll("\"weightExpMin\": -?\\d+",
        "\"weightExpMin\": 9");
    assertMentions(failure(() -> ChipSpec.parse(exps, "my.json")),
        "weightExpMin (9) exceeds weightExpMax (7)");
    String delay = ChipSpec.loihi().toJson().replaceAll("\"maxDelay\": \\d+", "\"maxDelay\": 64");
    assertMentions(failure(() -> ChipSpec.parse(delay, "my.json")),
        "maxDelay 64 does not fit delayBits 6");
    String name = ChipSpec.loihi().toJson().replace("\"loihi\"", "\"my chip\"");
    assertMentions(failure(() -> ChipSpec.parse(name, "my.json")), "name: 'my chip' may only hold");
  }

  @Test
  void unknownJsonFieldIsNamed() {
    String json = ChipSpec.loihi().toJson().replaceFirst("\\{", "{\"coresPerChips\": 3,");
    assertMentions(failure(() -> ChipSpec.parse(json, "my.json")), "my.json", "coresPerChips");
  }

  @Test
  void textThatIsNotJsonIsRefused() {
    assertMentions(failure(() -> ChipSpec.parse("cores: 128", "my.yaml")), "chip spec my.yaml",
        "not valid");
  }

  @Test
  void missingFileIsNamed() {
    Path file = dir.resolve("absent.json");
    assertMentions(failure(() -> ChipSpec.load(file)), file.toString(), "does not exist");
    assertMentions(failure(() -> ChipSpec.resolve(file.toString())), "does not exist");
  }

  @Test
  void unknownBuiltInIsRefused() {
    assertMentions(failure(() -> ChipSpec.builtIn("loihi9")), "unknown built-in chip spec 'loihi9'");
  }

  @Test
  void resetOffsetsRunFromMinusOneToOneBelowTheInterval() {
    assertEquals(new ChipSpec.Range(-1, 7), ChipSpec.resetOffsetRange(8));
    assertEquals(new ChipSpec.Range(-1, 0), ChipSpec.resetOffsetRange(1));
    assertEquals(new ChipSpec.Range(0, Integer.MAX_VALUE), ChipSpec.resetIntervalRange());
    assertThrows(IllegalArgumentException.class, () -> ChipSpec.resetOffsetRange(0));
    assertThrows(IllegalArgumentException.class, () -> ChipSpec.resetOffsetRange(1L << 31));
  }

  @Test
  void arithmeticDifferencesNameTheFieldsThatChangeWhatTheIntegersMean() {
    ChipSpec loihi = ChipSpec.loihi();
    assertEquals(java.util.List.of(), loihi.arithmeticDifferences(loihi));
    // Budgets and range bounds are not arithmetic: a bigger core computes alike.
    ChipSpec bigger = ChipSpec.of(loihi.data().toBuilder().setName("bigger").setNeuronsPerCore(4096)
        .setMaxDelay(31).setBiasMantBits(9).build());
    assertEquals(java.util.List.of(), bigger.arithmeticDifferences(loihi));
    ChipSpec narrow = ChipSpec.of(loihi.data().toBuilder().setName("narrow").setWeightMantBits(6)
        .setStateBits(20).setThresholdMantBits(13).build());
    assertEquals(java.util.List.of("stateBits 20 (loihi: 24)", "thresholdMantBits 13 (loihi: 17)",
        "weightMantBits 6 (loihi: 8)"), narrow.arithmeticDifferences(loihi));
  }
}
