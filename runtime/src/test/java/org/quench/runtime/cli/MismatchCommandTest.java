package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.campaign.CampaignCsv;
import org.quench.runtime.campaign.ChipResult;
import org.quench.runtime.campaign.MismatchCampaign;
import org.quench.runtime.encode.InputArguments;
import org.quench.runtime.io.NpyArray;

class MismatchCommandTest {
  @TempDir
  Path dir;

  private Path model;
  private Path image;
  private Path input;

  @BeforeEach
  void brailleFiles() throws IOException {
    model = copy("/org/quench/runtime/models/braille.nir", dir.resolve("braille.nir"));
    input = copy("/campaign/braille-input.npy", dir.resolve("braille-input.npy"));
    image = dir.resolve("braille.qimg");
    InProcessRun o = InProcessRun.of("compile", model.toString(), "-o", image.toString(),
        "--discretize", "euler", "-q");
    assertEquals(0, o.code(), o.err());
  }

  private static Path copy(String resource, Path to) throws IOException {
    try (InputStream in = MismatchCommandTest.class.getResourceAsStream(resource)) {
      assertNotNull(in, resource);
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
    return to;
  }

  private InProcessRun mismatch(String... args) {
    List<String> all = new ArrayList<>(List.of("mismatch"));
    all.addAll(List.of(args));
    all.add("-q");
    return InProcessRun.of(all.toArray(String[]::new));
  }

  private static JsonObject json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  private static void assertPng(Path png) throws IOException {
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img, png + " is a readable PNG");
    assertTrue(img.getWidth() >= 600 && img.getHeight() >= 300, png + " has a plot's size");
  }

  @Test
  void analogCampaignWritesReportCsvJsonAndHistogram() throws IOException {
    Path out = dir.resolve("out");
    InProcessRun o = mismatch(image.toString(), "--chips", "6", "--variability", "ideal",
        "--input", input.toString(), "--labels", "3", "--threads", "2", "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("ideal (6 chips)"), o.out());
    assertTrue(o.out().contains("worst by correlation"), o.out());
    assertTrue(o.out().contains("--serials"), o.out());
    CampaignCsv.Table table = CampaignCsv.read(out.resolve("chips.csv"));
    assertEquals(6, table.results().size());
    for (ChipResult r : table.results()) {
      assertEquals("ideal", r.variability());
      assertFalse(Double.isNaN(r.accuracy()), "labels give accuracy");
    }
    JsonObject summary = json(out.resolve("summary.json"));
    JsonObject group = summary.getAsJsonArray("groups").get(0).getAsJsonObject();
    assertEquals(6, group.get("chips").getAsInt());
    assertTrue(group.getAsJsonObject("metrics").has("accuracy"));
    assertPng(out.resolve("histogram.png"));
  }

  @Test
  void theWorstChipsReproduceCommandGivesTheSameMetric() throws IOException {
    Path out = dir.resolve("campaign");
    InProcessRun o = mismatch(image.toString(), "--chips", "5", "--variability", "ideal",
        "--input", input.toString(), "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    JsonObject worst = json(out.resolve("summary.json")).getAsJsonArray("groups").get(0)
        .getAsJsonObject().getAsJsonArray("worst").get(0).getAsJsonObject();
    long serial = worst.get("serial").getAsLong();
    String command = worst.get("reproduce").getAsString();
    List<String> words = shellWords(command);
    assertEquals(List.of("quench", "mismatch"), words.subList(0, 2), command);
    InProcessRun again = InProcessRun.of(words.subList(1, words.size()).toArray(String[]::new));
    assertEquals(0, again.code(), again.err());
    Path chipDir = out.resolve("chip-" + serial);
    List<ChipResult> alone = CampaignCsv.read(chipDir.resolve("chips.csv")).results();
    assertEquals(1, alone.size());
    ChipResult original = CampaignCsv.read(out.resolve("chips.csv")).results().stream()
        .filter(r -> r.serial() == serial).findFirst().orElseThrow();
    assertEquals(original, alone.get(0));
    assertEquals(worst.get("correlation").getAsDouble(), alone.get(0).correlation());
  }

  @Test
  void partsRunSeparatelyMergeIntoTheWholeCampaign() throws IOException {
    String[] common = {image.toString(), "--variability", "ideal", "--input", input.toString()};
    Path whole = dir.resolve("whole");
    Path p1 = dir.resolve("p1");
    Path p2 = dir.resolve("p2");
    Path merged = dir.resolve("merged");
    assertEquals(0, mismatch(concat(common, "--chips", "6", "--out", whole.toString())).code());
    assertEquals(0, mismatch(concat(common, "--serials", "4-6", "--threads", "1", "--out", p2.toString())).code());
    assertEquals(0, mismatch(concat(common, "--serials", "1-3", "--out", p1.toString())).code());
    InProcessRun o = mismatch("--merge", p2.resolve("chips.csv").toString(),
        p1.resolve("chips.csv").toString(), "--out", merged.toString());
    assertEquals(0, o.code(), o.err());
    assertEquals(CampaignCsv.read(whole.resolve("chips.csv")).results(),
        CampaignCsv.read(merged.resolve("chips.csv")).results());
    // Reproduce commands differ only in --out; the figures are the same.
    JsonObject a = json(whole.resolve("summary.json")).getAsJsonArray("groups").get(0).getAsJsonObject();
    JsonObject b = json(merged.resolve("summary.json")).getAsJsonArray("groups").get(0).getAsJsonObject();
    assertEquals(a.get("metrics"), b.get("metrics"));
    assertEquals(a.getAsJsonArray("worst").get(0).getAsJsonObject().get("serial"),
        b.getAsJsonArray("worst").get(0).getAsJsonObject().get("serial"));
    assertPng(merged.resolve("histogram.png"));
  }

  @Test
  void compensationRunsEveryChipTwiceAndTheHistogramShowsBoth() throws IOException {
    Path out = dir.resolve("compensated");
    InProcessRun o = mismatch(model.toString(), "--discretize", "euler", "--chips", "6",
        "--variability", "analog", "--input", input.toString(), "--compensate", "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("analog + compensation (6 chips)"), o.out());
    List<ChipResult> rows = CampaignCsv.read(out.resolve("chips.csv")).results();
    assertEquals(12, rows.size());
    assertEquals(6, rows.stream().filter(ChipResult::compensated).count());
    JsonObject summary = json(out.resolve("summary.json"));
    JsonObject plain = summary.getAsJsonArray("groups").get(0).getAsJsonObject();
    JsonObject compensated = summary.getAsJsonArray("groups").get(1).getAsJsonObject();
    assertFalse(plain.get("compensated").getAsBoolean());
    assertTrue(compensated.get("compensated").getAsBoolean());
    double before = plain.getAsJsonObject("metrics").getAsJsonObject("correlation").get("median").getAsDouble();
    double after = compensated.getAsJsonObject("metrics").getAsJsonObject("correlation").get("median").getAsDouble();
    assertTrue(after > before, "compensation brings the median chip closer to nominal: " + before + " -> " + after);
    assertPng(out.resolve("histogram.png"));
    // A compensated chip's reproduce command gives its row again.
    JsonObject worst = compensated.getAsJsonArray("worst").get(0).getAsJsonObject();
    List<String> words = shellWords(worst.get("reproduce").getAsString());
    assertTrue(words.contains("--compensate"), words.toString());
    assertEquals(0, InProcessRun.of(words.subList(1, words.size()).toArray(String[]::new)).code());
    long serial = worst.get("serial").getAsLong();
    ChipResult again = CampaignCsv.read(out.resolve("chip-" + serial).resolve("chips.csv")).results().stream()
        .filter(ChipResult::compensated).findFirst().orElseThrow();
    assertEquals(rows.stream().filter(r -> r.compensated() && r.serial() == serial).findFirst().orElseThrow(), again);
  }

  @Test
  void aSweepPlotsTheMetricAgainstTheLevel() throws IOException {
    // Two levels, one compensated too: the sweep plot draws each level's median and band.
    ChipResult nominal = new ChipResult(0, "ideal", false, 1, 1, Double.NaN, 0.3, 0, Double.NaN, 60);
    List<ChipResult> results = new ArrayList<>();
    for (int s = 1; s <= 20; s++) {
      results.add(new ChipResult(s, "mild", false, 0.95 - s * 0.001, 1, Double.NaN, 0.3, 0.01, Double.NaN, 60));
      results.add(new ChipResult(s, "analog", false, 0.7 - s * 0.01, 1, Double.NaN, 0.3, 0.2, Double.NaN, 50));
      results.add(new ChipResult(s, "analog", true, 0.9 - s * 0.002, 1, Double.NaN, 0.3, 0.05, Double.NaN, 58));
    }
    org.quench.runtime.campaign.CampaignReport report = new org.quench.runtime.campaign.CampaignReport(
        results, List.of(org.quench.runtime.campaign.CampaignMetric.CORRELATION), 0.9, 3, nominal,
        key -> "quench mismatch m.qimg --serials " + key.serial(), java.util.Map.of());
    Path png = dir.resolve("sweep.png");
    org.quench.runtime.campaign.CampaignPlots.sweep(report, png);
    assertPng(png);
    Path histogram = dir.resolve("histogram.png");
    org.quench.runtime.campaign.CampaignPlots.histogram(report, histogram);
    assertPng(histogram);
    assertEquals(3, report.groups().size());
  }

  @Test
  void badRequestsGetOneLine() {
    String[][] cases = {
        {image.toString(), "--chips", "3"},
        {image.toString(), "--variability", "nonsense-level"},
        {image.toString(), "--variability", "analog", "--metric", "accuracy"},
        {image.toString(), "--variability", "analog", "--metric", "speed"},
        {image.toString(), "--variability", "analog", "--serials", "0-4"},
        {image.toString(), "--variability", "analog", "--labels", "1,x"},
        {dir.resolve("missing.qimg").toString(), "--variability", "analog"},
        {image.toString(), "--variability", "analog", "--input", input.toString(), "--input",
            input.toString()},
        {image.toString(), "--variability", "analog", "--random-rate", "2"},
        {image.toString(), "--variability", "analog", "--encode", "rate"},
        {image.toString(), "--variability", dir.resolve("no-model.json").toString()},
        {"--merge", dir.resolve("none.csv").toString()},
    };
    for (String[] c : cases) {
      InProcessRun o = mismatch(c);
      assertEquals(1, o.code(), String.join(" ", c) + ": " + o.err());
      assertEquals(1, o.errLines(), o.err());
      assertTrue(o.err().startsWith("quench: "), o.err());
      assertFalse(o.err().contains("Exception"), o.err());
    }
  }

  @Test
  void aCompileOptionOnACompiledImageIsRefusedNotIgnored() {
    for (String[] option : new String[][] {{"--dt", "1e-3"}, {"--discretize", "euler"},
        {"--max-tau-error", "0.05"}, {"--sample-steps", "10"}}) {
      InProcessRun o = mismatch(image.toString(), "--variability", "analog", "--chips", "2",
          option[0], option[1]);
      assertEquals(1, o.code(), o.err());
      assertEquals(1, o.errLines(), o.err());
      assertTrue(o.err().contains(option[0] + " shapes how a model is compiled")
          && o.err().contains("braille.qimg"), o.err());
    }
    // --chip still applies to an image: the campaign's chips are of that spec.
    InProcessRun ok = mismatch(image.toString(), "--variability", "ideal", "--chips", "1", "--chip", "loihi",
        "--steps", "5");
    assertEquals(0, ok.code(), ok.err());
  }

  @Test
  void aLeadingSampleAxisHoldsSeveralSamplesEachReadAsQuenchRunReadsIt() throws IOException {
    NpyArray recording = NpyArray.read(input);
    int width = recording.shape()[1];
    int[] all = recording.toInts();
    int steps = 60;
    int[] stacked = java.util.Arrays.copyOf(all, 3 * steps * width);
    Path samples = dir.resolve("samples.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {3, steps, width}, stacked).write(samples);
    Path out = dir.resolve("stacked");
    InProcessRun o = mismatch(image.toString(), "--chips", "2", "--variability", "mild", "--input",
        samples.toString(), "--labels", "1,2,3", "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("3 sample(s) from " + samples), o.out());
    // The same samples as three (steps, width) files, each read as quench run reads one.
    ChipImage compiled = ChipImages.read(image);
    List<Stimulus> each = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      Path slice = dir.resolve("slice-" + k + ".npy");
      NpyArray.ofInts(NpyArray.DType.I4, new int[] {steps, width},
          java.util.Arrays.copyOfRange(all, k * steps * width, (k + 1) * steps * width)).write(slice);
      each.add(InputArguments.read(List.of(slice.toString()), null, 1, compiled).chunk(0, steps));
    }
    MismatchCampaign expected = MismatchCampaign.prepare(compiled, ChipSpec.loihi(), List.of("mild"),
        each, new int[] {1, 2, 3}, null, null);
    assertEquals(expected.fingerprint(), CampaignCsv.read(out.resolve("chips.csv")).fingerprint(),
        "the campaign ran exactly those three samples");
  }

  @Test
  void randomInputIsNamedAsSuchAndSeededByTheInputSeed() throws IOException {
    String[] common = {image.toString(), "--chips", "2", "--variability", "ideal", "--random-samples",
        "2", "--steps", "40"};
    assertEquals(0, mismatch(concat(common, "--seed", "3", "--out", dir.resolve("s3").toString())).code());
    assertEquals(0, mismatch(concat(common, "--input-seed", "3", "--out", dir.resolve("i3").toString())).code());
    assertEquals(0, mismatch(concat(common, "--input-seed", "4", "--out", dir.resolve("i4").toString())).code());
    CampaignCsv.Table s3 = CampaignCsv.read(dir.resolve("s3/chips.csv"));
    assertEquals(s3.fingerprint(), CampaignCsv.read(dir.resolve("i3/chips.csv")).fingerprint(),
        "--seed and --input-seed are one option");
    assertFalse(s3.fingerprint().equals(CampaignCsv.read(dir.resolve("i4/chips.csv")).fingerprint()),
        "another input seed is another input");
    assertEquals("2 sample(s) of 40 steps of random input spikes, p=0.2 per channel and step, input"
        + " seed 3", s3.facts().get("samples"));
    InProcessRun old = mismatch(concat(common, "--samples", "2"));
    assertEquals(2, old.code(), old.err());
    assertEquals(1, old.errLines(), old.err());
  }

  private static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(b));
    return l.toArray(String[]::new);
  }

  /** Splits a POSIX shell command of plain words and single-quoted strings. */
  static List<String> shellWords(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (quoted) {
        if (c == '\'') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '\'') {
        quoted = true;
        any = true;
      } else if (c == '\\' && i + 1 < command.length()) {
        cur.append(command.charAt(++i));
        any = true;
      } else if (c == ' ') {
        if (any || cur.length() > 0) {
          words.add(cur.toString());
        }
        cur.setLength(0);
        any = false;
      } else {
        cur.append(c);
      }
    }
    if (any || cur.length() > 0) {
      words.add(cur.toString());
    }
    return words;
  }
}
