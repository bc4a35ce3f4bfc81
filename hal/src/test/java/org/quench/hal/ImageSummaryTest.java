package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Symbol;

class ImageSummaryTest {
  private static void assertMentions(String text, String... fragments) {
    for (String f : fragments) {
      assertTrue(text.contains(f), () -> "expected '" + f + "' in:\n" + text);
    }
  }

  /** The whitespace-separated cells of the first line starting (after indent) with {@code key}. */
  private static List<String> row(String text, String key) {
    return text.lines().map(String::trim).filter(l -> l.startsWith(key + " ")).findFirst()
        .map(l -> Arrays.asList(l.split("\\s+"))).orElseThrow(() -> new AssertionError(
            "no line starting with " + key + " in:\n" + text));
  }

  @Test
  void headerShowsSpecProvenanceAndOptions() {
    ChipImage image = TestImages.tiny();
    String text = ImageSummary.describe(image);
    assertMentions(text, "format version 1", "loihi (sha256 " + ChipSpec.loihi().hash() + ")",
        "quench-test 0", "tiny.net (sha256 " + image.getHeader().getSourceModelHash() + ")",
        "two-core fixture", "chip = loihi", "weight-bits = 8", "1 (2 cores used, 128 per chip)",
        "7 neurons, 16 synapses in 2 axon groups, 4 routes (source neuron -> destination core; 1 route entry)");
    // Options are listed in key order whatever order they were added in.
    assertTrue(text.indexOf("chip = loihi") < text.indexOf("weight-bits = 8"));
  }

  @Test
  void coreTableShowsNeuronsProfilesAxonsSynapsesMemoryAndRoutes() {
    String text = ImageSummary.describe(TestImages.tiny());
    // Memory by the spec's cost model, by hand: (0,0) 4 x 32 + 4 x (10 + 8) bits = 25 bytes;
    // (0,1) 4 x 32 + 12 x (10 + 8 + 6) bits = 52 bytes.
    assertEquals(List.of("(0,0)", "4", "1", "1", "1", "4", "4", "25", "4", "1"), row(text, "(0,0)"));
    List<String> hidden = text.lines().map(String::trim).filter(l -> l.startsWith("(0,1)"))
        .map(l -> Arrays.asList(l.split("\\s+"))).filter(l -> l.size() == 10).findFirst()
        .orElseThrow();
    assertEquals(List.of("(0,1)", "3", "2", "1", "1", "4", "12", "52", "0", "0"), hidden);
  }

  @Test
  void routesCountSourceNeuronAndDestinationCorePairsAsTheCompilerDoes() {
    ChipImage tiny = TestImages.tiny();
    // A second entry from the same neurons to the same core (another axon group there): still 4
    // routes, now in 2 entries.
    ChipImage.Builder b = tiny.toBuilder();
    b.getCoresBuilder(0).addRoutes(tiny.getCores(0).getRoutes(0).toBuilder().setAxonFirst(4));
    String text = ImageSummary.describe(b.build());
    assertMentions(text, "4 routes (source neuron -> destination core; 2 route entries)");
    assertEquals(List.of("(0,0)", "4", "1", "1", "1", "4", "4", "25", "4", "2"), row(text, "(0,0)"));
  }

  @Test
  void axonGroupsPortsAndSymbolsAreListed() {
    String text = ImageSummary.describe(TestImages.tiny());
    assertMentions(text, "fc1", "DENSE", "MIXED", "EXCITATORY",
        "in (width 4): [0..3] -> core (0,0) axons 0..3",
        "out (width 3): [0..2] <- core (0,1) neurons 0..2",
        "[0..1] core (0,1) neurons 0..1, [2..2] core (0,1) neurons 2..2");
    List<String> fc1 = text.lines().map(String::trim).filter(l -> l.startsWith("(0,1)  fc1 "))
        .findFirst().map(l -> Arrays.asList(l.split("\\s+"))).orElseThrow();
    // core, group, kind, sign, axons, synapses, weight bits, weight exp, max delay, msg bits
    assertEquals(List.of("(0,1)", "fc1", "DENSE", "MIXED", "0..3", "12", "8", "-1", "5", "0"), fc1);
  }

  @Test
  void unknownSpecLeavesMemoryOutAndSaysSo() {
    ChipImage image = TestImages.tiny().toBuilder()
        .setHeader(TestImages.tiny().getHeader().toBuilder().setSpecName("mychip")).build();
    String text = ImageSummary.describe(image);
    assertMentions(text, "synapse memory not shown");
    assertEquals("-", row(text, "(0,0)").get(7));
    // The same image with a spec given explicitly shows memory again.
    assertEquals("25", row(ImageSummary.describe(image, ChipSpec.loihi()), "(0,0)").get(7));
  }

  @Test
  void longRangeListsAreShortened() {
    Symbol.Builder s = Symbol.newBuilder().setPopulation("many").setSize(4);
    for (int i = 0; i < 4; i++) {
      s.addRanges(NeuronRange.newBuilder().setCore(TestImages.at(0, 0)).setNeuronFirst(i)
          .setCount(1).setOffset(i));
    }
    ChipImage image = TestImages.tiny().toBuilder().addSymbols(s).build();
    String few = ImageSummary.describe(image);
    assertFalse(few.contains("more ranges"), few);
    for (int i = 4; i < 10; i++) {
      s.addRanges(NeuronRange.newBuilder().setCore(TestImages.at(0, 0)).setCount(1).setOffset(i));
    }
    String many = ImageSummary.describe(TestImages.tiny().toBuilder().addSymbols(s).build());
    assertMentions(many, "... (4 more ranges)");
  }

  @Test
  void textIsTidyAsciiAndTheSameAfterAFileRoundTrip() {
    ChipImage image = TestImages.tiny();
    String text = ImageSummary.describe(image);
    for (String line : text.lines().toList()) {
      assertEquals(line.stripTrailing(), line, "trailing blanks");
      assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), line);
    }
    assertEquals(text, ImageSummary.describe(ChipImages.fromBytes(ChipImages.toBytes(image))));
  }

  @Test
  void emptyImageIsDescribedWithoutFailing() {
    String text = ImageSummary.describe(ChipImage.getDefaultInstance());
    assertMentions(text, "format version 0", "(none recorded)", "Cores\n  (none)",
        "Input ports\n  (none)", "(none: probes by population name are not possible)");
  }
}
