package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Symbol;

class CompileCommandTest {
  @TempDir
  Path dir;

  private static Path braille() throws URISyntaxException {
    return Path.of(CompileCommandTest.class.getResource("/nir/braille_noDelay_bias_zero.nir").toURI());
  }

  /** Three LIF neurons with tau = 10 ms (make_tiny.py). */
  static Path tiny() throws URISyntaxException {
    return Path.of(CompileCommandTest.class.getResource("/nir/tiny.nir").toURI());
  }

  private static void assertOneLineError(InProcessRun o, int code, String... mentions) {
    assertEquals(code, o.code(), o.err());
    assertEquals(1, o.errLines(), o.err());
    assertTrue(o.err().startsWith("quench: "), o.err());
    assertFalse(o.err().contains("\tat "), o.err());
    for (String m : mentions) {
      assertTrue(o.err().contains(m), "error should mention '" + m + "': " + o.err());
    }
  }

  @Test
  void brailleCompilesToAValidImageWithSymbolsAndAReport() throws Exception {
    Path image = dir.resolve("braille.qimg");
    Path report = dir.resolve("braille.json");
    InProcessRun o = InProcessRun.of("compile", braille().toString(), "-o", image.toString(),
        "--report", report.toString(), "--discretize", "euler");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("core"), o.out());
    ChipImage chip = ChipImages.read(image);
    ImageValidator.validate(chip, ChipSpec.loihi()); // throws if the written image is not runnable
    assertEquals("loihi", chip.getHeader().getSpecName());
    assertEquals("euler", chip.getHeader().getOptionsMap().get("discretize"));
    // The trained network's two neuron populations are addressable by name, with their sizes.
    assertEquals(38, chip.getSymbolsList().stream().filter(s -> s.getPopulation().equals("lif1.lif"))
        .mapToInt(Symbol::getSize).sum());
    assertEquals(7, chip.getSymbolsList().stream().filter(s -> s.getPopulation().equals("lif2"))
        .mapToInt(Symbol::getSize).sum());
    JsonObject json = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    assertFalse(json.keySet().isEmpty());
  }

  @Test
  void sameModelAndOptionsGiveTheSameImageBytes() throws Exception {
    Path a = dir.resolve("a.qimg");
    Path b = dir.resolve("b.qimg");
    assertEquals(0, InProcessRun.of("compile", braille().toString(), "-o", a.toString()).code());
    assertEquals(0, InProcessRun.of("compile", braille().toString(), "-o", b.toString()).code());
    assertTrue(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
  }

  @Test
  void jsonOutputNameWritesTheCanonicalJsonForm() throws Exception {
    Path out = dir.resolve("braille.json");
    assertEquals(0, InProcessRun.of("compile", braille().toString(), "-o", out.toString()).code());
    assertTrue(Files.readString(out).startsWith("{"));
    assertEquals(ChipImages.toJson(ChipImages.read(out)), Files.readString(out));
  }

  @Test
  void aTauBoundTighterThanTheRealizedErrorFailsNamingTheOption() throws Exception {
    InProcessRun o = InProcessRun.of("compile", braille().toString(), "-o", dir.resolve("x.qimg").toString(),
        "--max-tau-error", "1e-9");
    assertOneLineError(o, 1, "--max-tau-error", "cannot reach");
    assertFalse(Files.exists(dir.resolve("x.qimg")), "no image is written when compilation fails");
  }

  @Test
  void precisionSweepDrawsTheTradeOffAsAPng() throws Exception {
    Path png = dir.resolve("sweep.png");
    InProcessRun o = InProcessRun.of("compile", braille().toString(), "-o", dir.resolve("b.qimg").toString(),
        "--discretize", "euler", "--precision-sweep", png.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("precision sweep") && o.out().contains("none"), o.out());
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G');
  }

  @Test
  void calibrationInputSetsTheScalesAndReportsTheObservedHeadroom() throws Exception {
    // Braille's 12 input channels, 200 steps of 20 % random spikes.
    int steps = 200;
    int[] spikes = new int[steps * 12];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
    for (int k = 0; k < spikes.length; k++) {
      spikes[k] = rng.nextDouble() < 0.2 ? 1 : 0;
    }
    Path npy = dir.resolve("calib.npy");
    org.quench.runtime.io.NpyArray.ofInts(org.quench.runtime.io.NpyArray.DType.I1, new int[] {steps, 12}, spikes)
        .write(npy);
    Path report = dir.resolve("r.json");
    InProcessRun o = InProcessRun.of("compile", braille().toString(), "-o", dir.resolve("b.qimg").toString(),
        "--discretize", "euler", "--calibrate-input", npy.toString(), "--report", report.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(Files.readString(report).contains("calibrated on 200 step(s)"), Files.readString(report));
    assertOneLineError(InProcessRun.of("compile", braille().toString(), "-o", dir.resolve("c.qimg").toString(),
        "--calibrate-input", dir.resolve("none.npy").toString()), 1, "--calibrate-input", "none.npy");
  }

  @Test
  void missingModelFileIsOneLine() {
    assertOneLineError(InProcessRun.of("compile", dir.resolve("nope.nir").toString(), "-o",
        dir.resolve("x.qimg").toString()), 1, "nope.nir", "does not exist");
  }

  @Test
  void garbageModelFileIsOneLine() throws Exception {
    Path junk = dir.resolve("junk.nir");
    Files.writeString(junk, "this is not HDF5");
    assertOneLineError(InProcessRun.of("compile", junk.toString(), "-o", dir.resolve("x.qimg").toString()),
        1, "junk.nir");
  }

  @Test
  void badOptionValuesAreOneLineErrors() throws Exception {
    String model = braille().toString();
    String out = dir.resolve("x.qimg").toString();
    assertOneLineError(InProcessRun.of("compile", model, "-o", out, "--discretize", "rk4"), 1, "--discretize");
    assertOneLineError(InProcessRun.of("compile", model, "-o", out, "--dt", "-1"), 1, "--dt");
    assertOneLineError(InProcessRun.of("compile", model, "-o", out, "--chip", "tpu"), 1, "tpu");
    assertOneLineError(InProcessRun.of("compile", model, "-o", dir.resolve("no/such/dir/x.qimg").toString()),
        1, "does not exist");
    assertOneLineError(InProcessRun.of("compile", model), 2, "--output");
    assertOneLineError(InProcessRun.of("compile", model, "-o", out, "--max-cores", "0"), 1, "--max-cores");
    for (String bad : new String[] {"-1", "NaN", "Infinity", "1e999"}) {
      assertOneLineError(InProcessRun.of("compile", model, "-o", out, "--max-weight-error", bad), 1,
          "--max-weight-error must be a non-negative relative error");
    }
    assertOneLineError(InProcessRun.of("compile", model, "-o", out, "--weight-price", "sometimes"), 1,
        "--weight-price must be auto, exact or estimate");
  }

  @Test
  void aWeightTargetBuysCoresOrSaysInOneLineWhatItWouldTake() throws Exception {
    String model = braille().toString();
    Path image = dir.resolve("w.qimg");
    // Without a target the summary prices targets; the trained weights of one core share exponents.
    InProcessRun free = InProcessRun.of("compile", model, "-o", image.toString(), "--discretize", "euler");
    assertEquals(0, free.code(), free.err());
    String price = free.out().lines().filter(l -> l.startsWith("weight precision:")).findFirst().orElseThrow();
    assertTrue(price.contains("on 1 core(s); --max-weight-error") && price.contains("an exponent per neuron leaves"),
        price);
    InProcessRun bought = InProcessRun.of("compile", model, "-o", image.toString(), "--discretize", "euler",
        "--max-weight-error", "0.02");
    assertEquals(0, bought.code(), bought.err());
    String met = bought.out().lines().filter(l -> l.startsWith("weight target 2.0 %")).findFirst().orElseThrow();
    int cores = ChipImages.read(image).getCoresCount();
    assertTrue(cores > 1 && met.equals("weight target 2.0 % met by every projection on " + cores
        + " core(s) (1 without it)"), met);
    // A model this small is priced exactly: the price of 2 % is what that compile bought.
    assertTrue(price.contains(" 2.0 % needs " + cores + ",") && !price.contains("about"), price);
    InProcessRun estimated = InProcessRun.of("compile", model, "-o", image.toString(), "--discretize", "euler",
        "--weight-price", "estimate");
    assertEquals(0, estimated.code(), estimated.err());
    String guess = estimated.out().lines().filter(l -> l.startsWith("weight precision:")).findFirst().orElseThrow();
    assertTrue(guess.contains("needs about ") && guess.contains("(estimated without output axons"), guess);
    assertOneLineError(InProcessRun.of("compile", model, "-o", image.toString(), "--discretize", "euler",
        "--max-weight-error", "0.02", "--max-cores", "2"), 1, "needs more cores than --max-cores 2 allows",
        "raise --max-cores to " + cores, "the shared exponent limits it");
    assertOneLineError(InProcessRun.of("compile", model, "-o", image.toString(), "--discretize", "euler",
        "--max-weight-error", "0.01"), 1, "cannot be met with more cores", "the 8-bit mantissa limits it",
        "on the partition's 1 core(s)");
  }

  @Test
  void aDtOfOneSecondOnATenMillisecondModelWarnsAndFailsUnderStrict() throws Exception {
    Path image = dir.resolve("t.qimg");
    InProcessRun o = InProcessRun.of("compile", tiny().toString(), "-o", image.toString(), "--dt", "1");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("dt 1 s = 1000 ms per step"), o.out());
    assertTrue(o.out().contains("1 warning(s)") && o.out().contains("not well below"), o.out());
    assertTrue(o.out().contains("shortest 0.01 s"), o.out());
    Files.delete(image);
    InProcessRun strict = InProcessRun.of("compile", tiny().toString(), "-o", image.toString(), "--dt", "1",
        "--strict");
    assertOneLineError(strict, 1, "--strict", "dt 1.0 s is not well below");
    assertFalse(Files.exists(image), "no image is written when --strict fails");
    // At the dt the model was made for there is nothing to warn about, and --strict passes.
    InProcessRun fine = InProcessRun.of("compile", tiny().toString(), "-o", image.toString(), "--dt", "1e-4",
        "--strict");
    assertEquals(0, fine.code(), fine.err());
    assertTrue(fine.out().contains("dt 0.0001 s = 0.1 ms per step") && fine.out().contains("0 warning(s)"),
        fine.out());
  }

  @Test
  void theReportNamesItsUnitsAndGivesEveryNeuronRequestedAndRealized() throws Exception {
    Path report = dir.resolve("t.json");
    InProcessRun o = InProcessRun.of("compile", tiny().toString(), "-o", dir.resolve("t.qimg").toString(),
        "--report", report.toString());
    assertEquals(0, o.code(), o.err());
    String text = Files.readString(report);
    assertFalse(text.contains("Infinity"), "no infinite values: " + text);
    JsonObject json = JsonParser.parseString(text).getAsJsonObject();
    assertEquals(1e-4, json.get("dtSeconds").getAsDouble());
    assertEquals("EXACT", json.get("discretization").getAsString());
    JsonObject pop = json.getAsJsonArray("populations").get(0).getAsJsonObject();
    for (String field : new String[] {"chipUnitsPerModelUnit", "tauMemRelError", "tauSynRelError",
        "thresholdRelError", "biasErrorOfMaxBias"}) {
      assertTrue(pop.has(field), field + " in " + pop);
    }
    assertTrue(json.getAsJsonObject("traffic").get("expectedInterCoreSpikesPerStep").isJsonNull(),
        "an estimate that was not made is null, not -1");
    JsonObject lif = json.getAsJsonArray("neurons").get(0).getAsJsonObject();
    assertEquals("lif", lif.get("population").getAsString());
    double[] thReq = {1.0, 0.8, 1.2};
    for (int i = 0; i < 3; i++) {
      assertEquals(0.01, lif.getAsJsonArray("tauMemRequestedSeconds").get(i).getAsDouble(), 1e-12);
      assertEquals(0.01, lif.getAsJsonArray("tauMemRealizedSeconds").get(i).getAsDouble(), 2e-4);
      assertEquals(thReq[i], lif.getAsJsonArray("thresholdRequested").get(i).getAsDouble(), 1e-12);
      // The third neuron's threshold is realised relative to its v_reset offset and read back in model units.
      assertEquals(thReq[i], lif.getAsJsonArray("thresholdRealized").get(i).getAsDouble(), 1e-4);
      assertEquals(i, lif.getAsJsonArray("thresholdProfile").get(i).getAsInt(), "three thresholds, three rows");
      assertEquals(0, lif.getAsJsonArray("decayProfile").get(i).getAsInt());
      assertEquals("0.0", lif.getAsJsonArray("core").get(i).getAsString());
      assertTrue(lif.getAsJsonArray("tauSynRealizedSeconds").get(i).isJsonNull(), "LIF has no synaptic filter");
    }
  }

  @Test
  void possibleOverflowAndManyZeroedWeightsAreWarnings() throws Exception {
    InProcessRun o = InProcessRun.of("compile", braille().toString(), "-o", dir.resolve("b.qimg").toString(),
        "--discretize", "euler");
    assertEquals(0, o.code(), o.err());
    assertFalse(o.out().contains("0 warning(s)"), o.out());
    assertTrue(o.out().contains("(negative: may overflow, see warnings)"), o.out());
    assertTrue(o.out().matches("(?s).*projection 'lif1.lif->lif1.lif': \\d+ of 1444 weights \\(\\d+ %\\).*became 0.*"),
        o.out());
    InProcessRun report = InProcessRun.of("compile", braille().toString(), "-o", dir.resolve("c.qimg").toString(),
        "--discretize", "euler", "--report", dir.resolve("c.json").toString());
    JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("c.json"))).getAsJsonObject();
    assertTrue(json.getAsJsonArray("warnings").toString().contains("v may saturate"), json.get("warnings").toString());
    assertEquals(0, report.code());
  }

  @Test
  void inspectDecodesProfileTablesIntoSecondsAndModelUnits() throws Exception {
    Path image = dir.resolve("t.qimg");
    assertEquals(0, InProcessRun.of("compile", tiny().toString(), "-o", image.toString()).code());
    InProcessRun o = InProcessRun.of("inspect", image.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("Profiles (realized at dt 1.0E-4 s, exact discretization)"), o.out());
    // One decay row for the three neurons: tau_mem 10 ms realised as 9.94 ms, no synaptic filter.
    assertTrue(o.out().matches("(?s).*\\(0,0\\)\\s+0\\s+4095\\s+\\d+\\s+none\\s+0\\.0099\\d+ s\\s+0\\s+to zero\\s+lif 3\\n.*"),
        o.out());
    // Three threshold rows, each read back in model units, one neuron each (the third through its v_reset offset).
    for (String th : new String[] {"lif 1.000 ", "lif 0.8000 ", "lif 1.200 "}) {
      assertTrue(o.out().contains(th), th + " in " + o.out());
    }
  }

  @Test
  void compileAndInspectCountRoutesTheSameWay() throws Exception {
    Path image = dir.resolve("b.qimg");
    InProcessRun compiled = InProcessRun.of("compile", braille().toString(), "-o", image.toString());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("routes: (\\d+),").matcher(compiled.out());
    assertTrue(m.find(), compiled.out());
    InProcessRun inspected = InProcessRun.of("inspect", image.toString());
    assertTrue(inspected.out().contains(m.group(1) + " routes (source neuron -> destination core"),
        m.group(1) + " routes in " + inspected.out());
  }
}
