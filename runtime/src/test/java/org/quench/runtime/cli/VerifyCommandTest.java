package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.verify.VerificationPlot;
import picocli.CommandLine;

class VerifyCommandTest {
  /** Output, error text and exit code of one invocation, with the CLI's one-line error policy. */
  private record Outcome(int exit, String out, String err) {}

  private static Outcome verify(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new VerifyCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.setExecutionExceptionHandler((ex, line, parsed) -> {
      line.getErr().println("error: " + ex.getMessage());
      line.getErr().flush();
      return 1;
    });
    int exit = cli.execute(args);
    return new Outcome(exit, out.toString(), err.toString());
  }

  private static String resource(String path) {
    try {
      return Path.of(VerifyCommandTest.class.getResource(path).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String BRAILLE = "/nir/braille_noDelay_bias_zero.nir";
  private static final String NETX = "/golden/netx-random-1001/";

  @Test
  void brailleWithRandomInputPrintsTheAgreementTable() {
    Outcome o = verify(resource(BRAILLE), "--steps", "60", "--seed", "3", "--discretize", "euler");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("lif1.lif") && o.out().contains("lif2"), o.out());
    assertTrue(o.out().contains("60 steps"), o.out());
    assertTrue(o.out().contains("output lif2: argmax"), o.out());
    assertTrue(o.out().contains("note: input: seeded random spikes on port 'input'")
        && o.out().contains("(seed 3)"), o.out());
  }

  @Test
  void jsonReportHasOneEntryPerPopulation() {
    Outcome o = verify(resource(BRAILLE), "--steps", "40", "--json", "--discretize", "euler");
    assertEquals(0, o.exit(), o.err());
    JsonObject json = JsonParser.parseString(o.out()).getAsJsonObject();
    assertEquals(40, json.get("steps").getAsInt());
    assertEquals("emu:loihi", json.get("device").getAsString());
    assertEquals(2, json.getAsJsonArray("populations").size());
  }

  @Test
  void spikeInputFromNpySetsTheStepsAndEvents(@TempDir Path dir) {
    int[] spikes = new int[20 * 12];
    for (int k = 0; k < 20; k++) {
      spikes[k * 12 + (k % 12)] = 1;
    }
    Path file = dir.resolve("in.npy");
    NpyArray.ofInts(NpyArray.DType.U1, new int[] {20, 12}, spikes).write(file);
    Outcome o = verify(resource(BRAILLE), "--input", file.toString(), "--discretize", "euler");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("20 steps, 20 input events"), o.out());
  }

  @Test
  void netxNetworkTakesItsBiasFromNpy() {
    Outcome o = verify(resource(NETX + "random.net"), "--input", resource(NETX + "input_bias.npy"),
        "--steps", "300");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("layer3") && o.out().contains("300 steps"), o.out());
  }

  @Test
  void netxNetworkWithoutInputGetsSeededRandomSpikes() {
    Outcome o = verify(resource(NETX + "random.net"), "--steps", "50", "--seed", "5");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("layer0"), o.out());
  }

  @Test
  void errorsAreOneLineAndExitOne(@TempDir Path dir) {
    Outcome missing = verify(dir.resolve("nope.nir").toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nope.nir"),
        missing.err());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());

    Outcome badDisc = verify(resource(BRAILLE), "--discretize", "rk4");
    assertEquals(1, badDisc.exit());
    assertTrue(badDisc.err().contains("rk4"), badDisc.err());

    Outcome badReset = verify(resource(BRAILLE), "--reset", "halfway");
    assertEquals(1, badReset.exit());
    assertTrue(badReset.err().contains("halfway"), badReset.err());

    Outcome badSteps = verify(resource(BRAILLE), "--steps", "0");
    assertEquals(1, badSteps.exit());
    assertTrue(badSteps.err().contains("--steps"), badSteps.err());

    Path wide = dir.resolve("wide.npy");
    NpyArray.ofInts(NpyArray.DType.U1, new int[] {5, 13}, new int[65]).write(wide);
    Outcome badWidth = verify(resource(BRAILLE), "--input", wide.toString());
    assertEquals(1, badWidth.exit());
    assertTrue(badWidth.err().contains("13 columns") && badWidth.err().contains("12"),
        badWidth.err());

    Outcome transposed = verify(resource(BRAILLE), "--input", transposedInput(dir).toString());
    assertEquals(1, transposed.exit());
    assertTrue(transposed.err().contains("shape (12, 40)") && transposed.err().contains("transposed"),
        transposed.err());
  }

  private static Path transposedInput(Path dir) {
    Path file = dir.resolve("t.npy");
    NpyArray.ofInts(NpyArray.DType.U1, new int[] {12, 40}, new int[480]).write(file);
    return file;
  }

  private static Path spikes(Path dir, int steps) {
    int[] spikes = new int[steps * 12];
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
    for (int i = 0; i < spikes.length; i++) {
      spikes[i] = rnd.nextDouble() < 0.3 ? 1 : 0;
    }
    Path file = dir.resolve("in" + steps + ".npy");
    NpyArray.ofInts(NpyArray.DType.U1, new int[] {steps, 12}, spikes).write(file);
    return file;
  }

  @Test
  void aBoundThatIsNotMetExitsThreeNamingItAndAMetOneExitsZero(@TempDir Path dir) {
    Path in = spikes(dir, 80);
    Outcome strictGate = verify(resource(BRAILLE), "--discretize", "euler", "--input", in.toString(),
        "--min-agreement", "100%", "--min-correlation", "1.0");
    assertEquals(VerifyCommand.EXIT_NOT_MET, strictGate.exit(), strictGate.err() + strictGate.out());
    assertTrue(strictGate.err().contains("quench: verify: 'lif2' agreement")
        && strictGate.err().contains("below --min-agreement 100.00 %"), strictGate.err());
    assertTrue(strictGate.out().contains("lif2"), "the report is printed before the verdict");
    Outcome loose = verify(resource(BRAILLE), "--discretize", "euler", "--input", in.toString(),
        "--min-agreement", "0.5", "--tolerance", "2");
    assertEquals(0, loose.exit(), loose.err());
    assertTrue(loose.out().contains("+-2 step") && loose.out().contains("every bound met"), loose.out());
  }

  @Test
  void aWrongDtIsShownAndWarnedAboutAndStrictFails(@TempDir Path dir) {
    Outcome o = verify(resource("/nir/tiny.nir"), "--dt", "1", "--steps", "20");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("dt 1.0 s per step: 20 steps = 20000.0 ms of model time"), o.out());
    assertTrue(o.out().contains("note: compile warning: population 'lif': dt 1.0 s is not well below"), o.out());
    Outcome strict = verify(resource("/nir/tiny.nir"), "--dt", "1", "--steps", "20", "--strict");
    assertEquals(1, strict.exit());
    assertTrue(strict.err().contains("--strict"), strict.err());
  }

  @Test
  void anImageIsVerifiedAgainstTheModelItWasCompiledFromAndNoOther(@TempDir Path dir) throws Exception {
    Path image = dir.resolve("b.qimg");
    org.quench.hal.ChipImages.write(org.quench.runtime.model.ModelCompilation.compile(Path.of(resource(BRAILLE)),
        org.quench.hal.ChipSpec.loihi(), org.quench.compiler.frontend.nir.NirImportOptions.defaults()
            .withDiscretization(org.quench.compiler.quant.Discretization.Convention.FORWARD_EULER),
        org.quench.compiler.CompileOptions.none().with("dt", "1.0E-4").with("discretize", "euler"))
        .result().image(), image);
    Path in = spikes(dir, 50);
    Outcome o = verify(image.toString(), "--model", resource(BRAILLE), "--input", in.toString(), "--json");
    assertEquals(0, o.exit(), o.err());
    JsonObject json = JsonParser.parseString(o.out()).getAsJsonObject();
    assertEquals(1e-4, json.get("dtSeconds").getAsDouble());
    assertEquals(2, json.getAsJsonArray("populations").size());
    // The same image and input as compiling in place with the same options: the same agreement.
    Outcome compiledHere = verify(resource(BRAILLE), "--discretize", "euler", "--input", in.toString(), "--json");
    assertEquals(json.getAsJsonArray("populations").toString(),
        JsonParser.parseString(compiledHere.out()).getAsJsonObject().getAsJsonArray("populations").toString());
    Outcome noModel = verify(image.toString(), "--input", in.toString());
    assertEquals(1, noModel.exit());
    assertTrue(noModel.err().contains("--model"), noModel.err());
    Outcome wrong = verify(image.toString(), "--model", resource("/nir/tiny.nir"), "--input", in.toString());
    assertEquals(1, wrong.exit());
    assertTrue(wrong.err().contains("is not the model") && wrong.err().contains("sha256"), wrong.err());
  }

  @Test
  void recordAndPlotShowBothSidesWithTimeInMilliseconds(@TempDir Path dir) throws Exception {
    Path h5 = dir.resolve("both.h5");
    Path png = dir.resolve("both.png");
    Outcome o = verify(resource(BRAILLE), "--discretize", "euler", "--input", spikes(dir, 60).toString(),
        "--record", h5.toString(), "--plot", png.toString());
    assertEquals(0, o.exit(), o.err());
    try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(h5)) {
      double[][] refV = (double[][]) f.getDatasetByPath("/reference/lif2/v").getData();
      int[][] devV = (int[][]) f.getDatasetByPath("/device/lif2/v").getData();
      double scale = ((double[]) f.getDatasetByPath("/device/lif2/scale").getData())[0];
      assertEquals(60, refV.length);
      assertEquals(60, devV.length);
      assertEquals(7, refV[0].length);
      assertEquals(1e-4, ((double[]) f.getDatasetByPath("/meta/dt").getData())[0]);
      // Device v in model units follows the reference's v (same model, quantized): compare the ranges.
      double refMax = 0;
      double devMax = 0;
      for (int k = 0; k < 60; k++) {
        for (int i = 0; i < 7; i++) {
          refMax = Math.max(refMax, Math.abs(refV[k][i]));
          devMax = Math.max(devMax, Math.abs(devV[k][i] / scale));
        }
      }
      assertTrue(refMax > 0 && devMax > 0.3 * refMax && devMax < 3 * refMax, refMax + " vs " + devMax);
      assertEquals(((int[][]) f.getDatasetByPath("/reference/lif1.lif/spikes").getData()).length, 60);
    }
    java.awt.image.BufferedImage plot = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(3 * VerificationPlot.HEIGHT, plot.getHeight(), "three panels: rates, rasters, v");
  }

  @Test
  void severalInputsAnEncodedSignalAndPaddingPastTheInputAreAnnounced(@TempDir Path dir) throws Exception {
    Path signal = dir.resolve("signal.npy");
    double[] x = new double[30 * 12];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 12) / 11.0;
    }
    NpyArray.ofDoubles(NpyArray.DType.F8, new int[] {30, 12}, x).write(signal);
    Outcome unencoded = verify(resource(BRAILLE), "--input", signal.toString());
    assertEquals(1, unencoded.exit());
    assertTrue(unencoded.err().contains("--encode"), unencoded.err());
    Outcome encoded = verify(resource(BRAILLE), "--discretize", "euler", "--input", signal.toString(),
        "--encode", "rate:0.5", "--steps", "40");
    assertEquals(0, encoded.exit(), encoded.err());
    assertTrue(encoded.out().contains("(encoded rate:0.5)"), encoded.out());
    assertTrue(encoded.out().contains("the input has 30 steps; steps 30..39 run without input"), encoded.out());
    Outcome twice = verify(resource(BRAILLE), "--input", spikes(dir, 20).toString(), "--input",
        "input=" + spikes(dir, 20));
    assertEquals(1, twice.exit());
    assertTrue(twice.err().contains("given twice"), twice.err());
  }
}
