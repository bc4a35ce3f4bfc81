package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.decode.Outputs;
import org.quench.runtime.encode.InputFiles;
import org.quench.runtime.io.NpyArray;
import picocli.CommandLine;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;

/** {@code quench run} end to end, in process: exit codes, printed summary, files written. */
class RunCommandTest {
  private static final ChipImage IMAGE = TestNetworks.small(0);

  @TempDir
  Path dir;
  Path image;
  Path input;

  record Outcome(int code, String out, String err) {
    void assertOneLineError(String... fragments) {
      assertEquals(1, code, "exit code; stderr: " + err);
      assertOneLine(fragments);
    }

    void assertOneLine(String... fragments) {
      String[] lines = err.strip().split("\\R");
      assertEquals(1, lines.length, "one line on stderr, got: " + err);
      assertTrue(lines[0].startsWith("quench: "), lines[0]);
      assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
      for (String f : fragments) {
        assertTrue(lines[0].contains(f), "'" + f + "' in: " + lines[0]);
      }
    }
  }

  static Outcome execute(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  private static Outcome run(String... args) {
    return execute(RunCommand.standalone(), args);
  }

  @BeforeEach
  void files() {
    image = dir.resolve("small.qimg");
    ChipImages.write(IMAGE, image);
    input = dir.resolve("spikes.npy");
    int steps = 40;
    int[] v = new int[steps * 4];
    for (int t = 0; t < steps; t++) {
      v[t * 4 + (t % 4)] = 1;
      v[t * 4 + 3] = t % 2;
    }
    NpyArray.ofInts(NpyArray.DType.BOOL, new int[] {steps, 4}, v).write(input);
  }

  /** The output spike count of an independent in-process run of the same image and input. */
  private long expectedSpikes(int steps) {
    try (Session s = Session.open("emu:loihi")) {
      s.load(IMAGE);
      Outputs o = new Outputs();
      s.run(steps, InputFiles.read(input, IMAGE), o);
      return o.spikeEvents("out").size();
    }
  }

  @Test
  void runsWithAnInputAndPrintsStepsSpikesAndSpeed() {
    Outcome o = run(image.toString(), "--input", input.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("ran 40 steps on emu:loihi"), o.out());
    assertTrue(o.out().contains("steps/s"), o.out());
    long spikes = expectedSpikes(40);
    assertTrue(spikes > 0);
    assertTrue(o.out().contains("output out: " + spikes + " spikes over 3 neurons"), o.out());
    assertEquals("", o.err());
  }

  @Test
  void anImperfectChipIsComparedWithTheNominalOne() {
    Outcome ideal = run(image.toString(), "--input", input.toString());
    assertEquals(0, ideal.code(), ideal.err());
    assertFalse(ideal.out().contains("against the nominal chip"), ideal.out());
    Outcome o = run(image.toString(), "--input", input.toString(), "--device",
        "emu:loihi?serial=3&variability=analog");
    assertEquals(0, o.code(), o.err());
    long nominal = expectedSpikes(40);
    assertTrue(o.out().contains("against the nominal chip (emu:loihi"), o.out());
    assertTrue(o.out().contains("chip 3 of variability model 'analog'"), o.out());
    // The nominal side of the comparison is the ideal chip's own total.
    assertTrue(o.out().matches("(?s).*output out: \\d+ vs " + nominal + " spikes, per-neuron count correlation .*"),
        o.out());
  }

  @Test
  void recordsProbesAndPlotsARaster() throws IOException {
    Path rec = dir.resolve("rec");
    Path png = dir.resolve("plots/raster.png");
    Outcome o = run(image.toString(), "--input", input.toString(), "--steps", "60", "--probe",
        "v:hidden", "--probe", "spikes:out", "--record", rec.toString(), "--plot", png.toString(),
        "--chunk", "7");
    assertEquals(0, o.code(), o.err());
    NpyArray v = NpyArray.read(rec.resolve("hidden.v.npy"));
    assertEquals(60, v.shape()[0]);
    assertEquals(8, v.shape()[1]);
    assertTrue(Files.exists(rec.resolve("out.spikes.npy")));
    assertTrue(Files.exists(rec.resolve("out.out.npy")));
    assertEquals(800, ImageIO.read(png.toFile()).getWidth());
    assertTrue(o.out().contains("recorded hidden.v, out.spikes, out.out to " + rec), o.out());
    assertTrue(o.out().contains("plot: " + png), o.out());
  }

  @Test
  void plotsAllFourPanelsInOnePng() throws IOException {
    Path png = dir.resolve("all.png");
    Outcome o = run(image.toString(), "--input", input.toString(), "--steps", "300", "--probe", "v:hidden",
        "--probe", "spikes:hidden", "--plot", png.toString(), "--plot-kind", "all", "--plot-steps", "40");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("plot: " + png + " (raster and traces (first 40 steps), rate histogram and rate"
        + " over time (300 steps) in a 2 x 2 grid)"), o.out());
    java.awt.image.BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1600, img.getWidth());
    assertEquals(1000, img.getHeight());
  }

  @Test
  void recordsToHdf5AndCsvAndDrivesABiasTarget() throws IOException {
    Path bias = dir.resolve("b.csv");
    Files.writeString(bias, "500,500,500,500,500,500,500,500\n");
    Path h5 = dir.resolve("r.h5");
    Outcome o = run(image.toString(), "--input", "bias:hidden=" + bias, "--steps", "20",
        "--probe", "v:hidden", "--record", h5.toString());
    assertEquals(0, o.code(), o.err());
    int[][] v;
    try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(h5)) {
      v = (int[][]) f.getDatasetByPath("/hidden/v").getData();
    }
    assertEquals(20, v.length);
    // No input spikes, so u stays 0 and the bias alone drives v (docs/chip-semantics.md):
    // v[t] = v[t-1] - v[t-1] * dv / 4096 + bias, with dv = 512: 500, then 500 - 62.5 -> 437 + 500.
    for (int i = 0; i < 8; i++) {
      assertEquals(500, v[0][i], "neuron " + i + " at step 0");
      assertEquals(937, v[1][i], "neuron " + i + " at step 1");
      assertEquals(1319, v[2][i], "neuron " + i + " at step 2");
    }
    Path idle = dir.resolve("idle.h5");
    assertEquals(0, run(image.toString(), "--steps", "20", "--probe", "v:hidden", "--record",
        idle.toString()).code());
    try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(idle)) {
      for (int[] row : (int[][]) f.getDatasetByPath("/hidden/v").getData()) {
        assertArrayEquals(new int[8], row, "without the bias v stays 0");
      }
    }
    Path csv = dir.resolve("r.csv");
    assertEquals(0, run(image.toString(), "--steps", "5", "--record", csv.toString()).code());
    assertEquals(6, Files.readAllLines(csv).size());
  }

  @Test
  void spikesAndABiasFromSeparateFilesAndPaddingPastTheInputIsAnnounced() throws IOException {
    Path bias = dir.resolve("b.csv");
    Files.writeString(bias, "500,500,500,500,500,500,500,500\n");
    Outcome o = run(image.toString(), "--input", input.toString(), "--input", "bias:hidden=" + bias,
        "--steps", "60");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("the input has 40 steps; steps 40..59 run without input"), o.out());
    assertTrue(o.out().contains("dt: not recorded in the image") || o.out().contains("ms of model time"), o.out());
    Outcome twice = run(image.toString(), "--input", input.toString(), "--input", "in=" + input);
    twice.assertOneLineError("'in' is given twice");
    Path signal = dir.resolve("signal.npy");
    NpyArray.ofDoubles(NpyArray.DType.F8, new int[] {30, 4}, new double[120]).write(signal);
    run(image.toString(), "--input", signal.toString()).assertOneLineError("--encode");
    Outcome encoded = run(image.toString(), "--input", signal.toString(), "--encode", "latency:5");
    assertEquals(0, encoded.code(), encoded.err());
  }

  @Test
  void quietAndDebugWorkWhenStandalone() {
    Outcome o = execute(RunCommand.standalone(), image.toString(), "--steps", "10", "--quiet");
    assertEquals(0, o.code(), o.err());
    Outcome debug = execute(RunCommand.standalone(), dir.resolve("nope.qimg").toString(), "--steps",
        "10", "--debug");
    assertEquals(1, debug.code());
    assertTrue(debug.err().contains("\tat "), "--debug shows the trace");
  }

  /** Registered under the quench command, --quiet and --debug are the inherited global ones. */
  @Test
  void worksAsASubcommandOfQuenchWithItsInheritedOptions() {
    CommandLine quench = QuenchCli.commandLine(new PrintWriter(System.err, true)); // as quench builds it
    Outcome o = execute(quench, "run", image.toString(), "--steps", "12", "--quiet");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("ran 12 steps"), o.out());
    Outcome debug = execute(quench, "--debug", "run", dir.resolve("nope.qimg").toString(),
        "--steps", "1");
    assertEquals(1, debug.code());
    assertTrue(debug.err().startsWith("quench: image file") && debug.err().contains("\tat "),
        debug.err());
  }

  @Test
  void missingOrMalformedImageIsOneLine() throws IOException {
    run(dir.resolve("nope.qimg").toString(), "--steps", "5")
        .assertOneLineError("nope.qimg", "does not exist");
    Path junk = dir.resolve("junk.qimg");
    Files.writeString(junk, "hello, not an image");
    run(junk.toString(), "--steps", "5").assertOneLineError("junk.qimg", "not a Quench image");
  }

  @Test
  void missingOrMalformedInputIsOneLine() throws IOException {
    run(image.toString(), "--input", dir.resolve("none.csv").toString())
        .assertOneLineError("none.csv", "does not exist");
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "1,0,0,0\n0,0,zz,0\n");
    run(image.toString(), "--input", bad.toString())
        .assertOneLineError("bad.csv", "line 2", "column 3");
    run(image.toString(), "--input", "nope=" + input).assertOneLineError("no input port 'nope'");
  }

  @Test
  void badRunRequestsAreOneLine() {
    run(image.toString()).assertOneLineError("--steps");
    run(image.toString(), "--steps", "5", "--probe", "v:ghost").assertOneLineError("'ghost'");
    run(image.toString(), "--steps", "5", "--probe", "w:hidden").assertOneLineError("probe kind");
    run(image.toString(), "--steps", "5", "--plot", dir.resolve("p.jpg").toString())
        .assertOneLineError("PNG");
    run(image.toString(), "--steps", "5", "--plot", dir.resolve("p.png").toString(), "--plot-kind", "pie")
        .assertOneLineError("--plot-kind pie", "raster, traces, rates or all");
    run(image.toString(), "--steps", "5", "--probe", "spikes:out", "--plot", dir.resolve("p.png").toString(),
        "--plot-kind", "traces").assertOneLineError("--probe v:POPULATION");
    run(image.toString(), "--steps", "5", "--record", dir.resolve("r.txt").toString())
        .assertOneLineError("r.txt");
    run(image.toString(), "--steps", "5", "--device", "nosuch:dev")
        .assertOneLineError("no device provider");
  }

  @Test
  void malformedCommandLinesExitWithUsageCode() {
    Outcome noImage = run();
    assertEquals(2, noImage.code());
    assertTrue(noImage.err().contains("IMAGE"), noImage.err());
    Outcome badSteps = execute(RunCommand.standalone(), image.toString(), "--steps", "abc");
    assertEquals(2, badSteps.code());
    badSteps.assertOneLine("--steps", "abc");
    Outcome unknown = execute(RunCommand.standalone(), image.toString(), "--frobnicate");
    assertEquals(2, unknown.code());
    unknown.assertOneLine("--frobnicate");
  }

  @Test
  void helpListsOptionsAndExamples() {
    Outcome o = run("--help");
    assertEquals(0, o.code());
    for (String option : new String[] {"--device", "--input", "--steps", "--probe", "--record",
        "--plot", "Examples"}) {
      assertTrue(o.out().contains(option), option);
    }
  }
}
