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
import org.quench.runtime.cli.QuenchCliTest.Outcome;

class CompileCommandTest {
  @TempDir
  Path dir;

  private static Path braille() throws URISyntaxException {
    return Path.of(CompileCommandTest.class.getResource("/nir/braille_noDelay_bias_zero.nir").toURI());
  }

  private static void assertOneLineError(Outcome o, int code, String... mentions) {
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
    Outcome o = QuenchCliTest.quench("compile", braille().toString(), "-o", image.toString(),
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
    assertEquals(0, QuenchCliTest.quench("compile", braille().toString(), "-o", a.toString()).code());
    assertEquals(0, QuenchCliTest.quench("compile", braille().toString(), "-o", b.toString()).code());
    assertTrue(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
  }

  @Test
  void jsonOutputNameWritesTheCanonicalJsonForm() throws Exception {
    Path out = dir.resolve("braille.json");
    assertEquals(0, QuenchCliTest.quench("compile", braille().toString(), "-o", out.toString()).code());
    assertTrue(Files.readString(out).startsWith("{"));
    assertEquals(ChipImages.toJson(ChipImages.read(out)), Files.readString(out));
  }

  @Test
  void aTauBoundTighterThanTheRealizedErrorFailsNamingTheOption() throws Exception {
    Outcome o = QuenchCliTest.quench("compile", braille().toString(), "-o", dir.resolve("x.qimg").toString(),
        "--max-tau-error", "1e-9");
    assertOneLineError(o, 1, "--max-tau-error", "cannot reach");
    assertFalse(Files.exists(dir.resolve("x.qimg")), "no image is written when compilation fails");
  }

  @Test
  void precisionSweepDrawsTheTradeOffAsAPng() throws Exception {
    Path png = dir.resolve("sweep.png");
    Outcome o = QuenchCliTest.quench("compile", braille().toString(), "-o", dir.resolve("b.qimg").toString(),
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
    Outcome o = QuenchCliTest.quench("compile", braille().toString(), "-o", dir.resolve("b.qimg").toString(),
        "--discretize", "euler", "--calibrate-input", npy.toString(), "--report", report.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(Files.readString(report).contains("calibrated on 200 step(s)"), Files.readString(report));
    assertOneLineError(QuenchCliTest.quench("compile", braille().toString(), "-o", dir.resolve("c.qimg").toString(),
        "--calibrate-input", dir.resolve("none.npy").toString()), 1, "--calibrate-input", "none.npy");
  }

  @Test
  void missingModelFileIsOneLine() {
    assertOneLineError(QuenchCliTest.quench("compile", dir.resolve("nope.nir").toString(), "-o",
        dir.resolve("x.qimg").toString()), 1, "nope.nir", "does not exist");
  }

  @Test
  void garbageModelFileIsOneLine() throws Exception {
    Path junk = dir.resolve("junk.nir");
    Files.writeString(junk, "this is not HDF5");
    assertOneLineError(QuenchCliTest.quench("compile", junk.toString(), "-o", dir.resolve("x.qimg").toString()),
        1, "junk.nir");
  }

  @Test
  void badOptionValuesAreOneLineErrors() throws Exception {
    String model = braille().toString();
    String out = dir.resolve("x.qimg").toString();
    assertOneLineError(QuenchCliTest.quench("compile", model, "-o", out, "--discretize", "rk4"), 1, "--discretize");
    assertOneLineError(QuenchCliTest.quench("compile", model, "-o", out, "--dt", "-1"), 1, "--dt");
    assertOneLineError(QuenchCliTest.quench("compile", model, "-o", out, "--chip", "tpu"), 1, "tpu");
    assertOneLineError(QuenchCliTest.quench("compile", model, "-o", dir.resolve("no/such/dir/x.qimg").toString()),
        1, "does not exist");
    assertOneLineError(QuenchCliTest.quench("compile", model), 2, "--output");
    assertOneLineError(QuenchCliTest.quench("compile", model, "-o", out, "--max-cores", "0"), 1, "--max-cores");
    assertOneLineError(QuenchCliTest.quench("compile", model, "-o", out, "--max-weight-error", "-1"), 1,
        "--max-weight-error");
  }
}
