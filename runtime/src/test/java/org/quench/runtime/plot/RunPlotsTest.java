package org.quench.runtime.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.runtime.decode.Outputs;
import org.quench.runtime.session.InputSource;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;

/**
 * The run plots of {@code quench run --plot-kind}: real PNGs decoded and checked for size, panels
 * and population colours, and the rates they draw checked against spikes counted independently.
 */
class RunPlotsTest {
  private static final int STEPS = 3000;
  private static final Probe HIDDEN_SPIKES = Probe.of(ProbeKind.SPIKES, "hidden");
  private static final Probe HIDDEN_V = Probe.of(ProbeKind.V, "hidden");
  private static final Probe OUT_V = Probe.of(ProbeKind.V, "out");

  @TempDir
  Path dir;
  RunPlots plots;
  Outputs all;

  /** Channel c spikes every (c + 2)-th step, and not at all in the second half of the run. */
  private static InputSource input() {
    return (first, steps) -> {
      Stimulus.Builder b = Stimulus.builder(steps);
      for (int s = 0; s < steps; s++) {
        long t = first + s;
        for (int c = 0; c < 4; c++) {
          if (t < STEPS / 2 && t % (c + 2) == 0) {
            b.spike(s, "in", c);
          }
        }
      }
      return b.build();
    };
  }

  @BeforeEach
  void run() {
    plots = new RunPlots(TestNetworks.small(0), STEPS, 1e-3, 400);
    all = new Outputs();
    try (Session s = Session.open("emu:loihi")) {
      s.load(TestNetworks.small(0)).probe(HIDDEN_SPIKES).probe(HIDDEN_V).probe(OUT_V).chunkSteps(250);
      s.run(STEPS, input(), plots.and(all));
    }
  }

  private static BufferedImage png(Path file) throws IOException {
    byte[] head = Arrays.copyOf(Files.readAllBytes(file), 4);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head, "PNG signature");
    return ImageIO.read(file.toFile());
  }

  /** Pixels in the rectangle within {@code tolerance} (per channel) of {@code colour}. */
  private static int pixelsNear(BufferedImage img, Color colour, int tolerance, int x0, int y0, int w, int h) {
    int n = 0;
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        Color c = new Color(img.getRGB(x, y));
        if (Math.abs(c.getRed() - colour.getRed()) <= tolerance && Math.abs(c.getGreen() - colour.getGreen()) <= tolerance
            && Math.abs(c.getBlue() - colour.getBlue()) <= tolerance) {
          n++;
        }
      }
    }
    return n;
  }

  private static final Color BLUE = SpikePlots.PALETTE[0];
  private static final Color RED = SpikePlots.PALETTE[1];

  @Test
  void allDrawsFourPanelsEachWithBothPopulationColours() throws IOException {
    Path file = dir.resolve("all.png");
    String said = plots.write(RunPlots.Kind.ALL, file);
    assertTrue(said.contains("2 x 2"), said);
    BufferedImage img = png(file);
    int w = RunPlots.PANEL_WIDTH;
    int h = RunPlots.PANEL_HEIGHT;
    assertEquals(2 * w, img.getWidth());
    assertEquals(2 * h, img.getHeight());
    // Raster (top left), traces (top right), histogram (bottom left), rate over time (bottom right):
    // every panel draws the first population in blue and the second in red (traces in shades).
    XYChart traces = plots.traces(w, h);
    assertEquals(6 + 3, traces.getSeriesMap().size(), "6 of hidden's 8 neurons, all 3 of out");
    assertTrue(traces.getSeriesMap().containsKey("hidden v #7"), traces.getSeriesMap().keySet().toString());
    assertTrue(traces.getSeriesMap().containsKey("out v #2"), traces.getSeriesMap().keySet().toString());
    int[][] corners = {{0, 0}, {w, 0}, {0, h}, {w, h}};
    for (int[] c : corners) {
      int tolerance = c[0] == w && c[1] == 0 ? 60 : 25;
      assertTrue(pixelsNear(img, BLUE, tolerance, c[0], c[1], w, h) > 20, "blue in the panel at " + Arrays.toString(c));
      assertTrue(pixelsNear(img, RED, tolerance, c[0], c[1], w, h) > 20, "red in the panel at " + Arrays.toString(c));
    }
  }

  @Test
  void rasterAndRatesHaveTheirOwnSizesAndLegends() throws IOException {
    Path raster = dir.resolve("raster.png");
    plots.write(RunPlots.Kind.RASTER, raster);
    BufferedImage r = png(raster);
    assertEquals(RunPlots.PANEL_WIDTH, r.getWidth());
    assertEquals(RunPlots.PANEL_HEIGHT, r.getHeight());
    assertTrue(pixelsNear(r, BLUE, 10, 0, 0, r.getWidth(), r.getHeight()) > 20);
    assertTrue(pixelsNear(r, RED, 10, 0, 0, r.getWidth(), r.getHeight()) > 20);
    Path rates = dir.resolve("rates.png");
    plots.write(RunPlots.Kind.RATES, rates);
    BufferedImage q = png(rates);
    assertEquals(2 * RunPlots.PANEL_WIDTH, q.getWidth());
    assertEquals(RunPlots.PANEL_HEIGHT, q.getHeight());
    CategoryChart histogram = plots.rateHistogram(RunPlots.PANEL_WIDTH, RunPlots.PANEL_HEIGHT);
    assertEquals(List.of("hidden (8 neurons)", "output out (3 neurons)"), List.copyOf(histogram.getSeriesMap().keySet()));
    assertTrue(histogram.getStyler().isLegendVisible());
    // Every neuron of a population is in exactly one bin.
    assertEquals(8, histogram.getSeriesMap().get("hidden (8 neurons)").getYData().stream()
        .mapToInt(Number::intValue).sum());
  }

  @Test
  void rateOverTimeMatchesSpikesCountedIndependently() {
    XYChart chart = plots.rateOverTime(RunPlots.PANEL_WIDTH, RunPlots.PANEL_HEIGHT);
    double[] y = chart.getSeriesMap().get("output out").getYData();
    assertEquals(RunPlots.TIME_BINS, y.length); // 3000 steps in 200 bins of 15
    long binSteps = STEPS / RunPlots.TIME_BINS;
    long[] perBin = new long[y.length];
    for (int[] e : all.spikeEvents("out")) {
      perBin[(int) (e[0] / binSteps)]++;
    }
    for (int b = 0; b < y.length; b++) {
      // Hz: spikes / (steps in the bin x neurons x dt)
      assertEquals(perBin[b] / (binSteps * 3 * 1e-3), y[b], 1e-9, "bin " + b);
    }
    assertTrue(Arrays.stream(y).limit(90).sum() > 0, "the output fires while driven");
    assertEquals(0.0, Arrays.stream(y).skip(120).sum(), 1e-12, "and stops without input");
    double[] x = chart.getSeriesMap().get("output out").getXData();
    assertEquals(7.5, x[0], 1e-9); // bin centre in ms: 15 steps of 1 ms
  }

  @Test
  void tracesNeedAVOrUProbeAndSaySoInOneLine() {
    RunPlots spikesOnly = new RunPlots(TestNetworks.small(0), 100, Double.NaN, 50);
    try (Session s = Session.open("emu:loihi")) {
      s.load(TestNetworks.small(0)).probe(HIDDEN_SPIKES);
      s.run(100, input(), spikesOnly);
    }
    QuenchException e = assertThrows(QuenchException.class,
        () -> spikesOnly.write(RunPlots.Kind.TRACES, dir.resolve("t.png")));
    assertTrue(e.getMessage().contains("--probe v:POPULATION"), e.getMessage());
    String said = spikesOnly.write(RunPlots.Kind.ALL, dir.resolve("a.png"));
    assertTrue(said.contains("no traces panel"), said);
    assertThrows(QuenchException.class, () -> RunPlots.kind("violin"));
    assertEquals(RunPlots.Kind.RATES, RunPlots.kind("rates"));
  }

  @Test
  void everySpikeIsDrawnOnceWhenProbesAndPortsShowTheSameNeurons() throws IOException {
    // spikes:out[0:3] is all of output port out under another name; hidden[2:5] is part of hidden.
    RunPlots once = new RunPlots(TestNetworks.small(0), STEPS, 1e-3, 400);
    try (Session s = Session.open("emu:loihi")) {
      s.load(TestNetworks.small(0)).probe(HIDDEN_SPIKES).probe(Probe.parse("spikes:out[0:3]"))
          .probe(Probe.parse("spikes:hidden[2:5]")).chunkSteps(250);
      s.run(STEPS, input(), once);
    }
    int w = RunPlots.PANEL_WIDTH;
    int h = RunPlots.PANEL_HEIGHT;
    XYChart raster = once.raster(w, h);
    List<String> bands = raster.getSeriesMap().keySet().stream().filter(k -> !k.startsWith("separator")).toList();
    assertEquals(List.of("hidden (8 neurons, rows 0..7)", "out[0:3] (3 neurons, rows 8..10)"), bands);
    assertEquals(10.5, raster.getStyler().getYAxisMax(), 1e-9, "11 rows: 8 hidden and 3 out, once each");
    Path rasterPng = dir.resolve("once-raster.png");
    String said = once.write(RunPlots.Kind.RASTER, rasterPng);
    assertTrue(said.endsWith("; drawn once: spikes:hidden[2:5] within spikes:hidden, output port out within"
        + " spikes:out[0:3]"), said);
    BufferedImage r = png(rasterPng);
    assertEquals(w, r.getWidth());
    assertEquals(h, r.getHeight());
    assertTrue(pixelsNear(r, BLUE, 10, 0, 0, w, h) > 20, "hidden's band");
    assertTrue(pixelsNear(r, RED, 10, 0, 0, w, h) > 20, "out's band");
    // A third or fourth band would be drawn in the palette's next colours.
    assertEquals(0, pixelsNear(r, SpikePlots.PALETTE[2], 10, 0, 0, w, h), "no third band");
    assertEquals(0, pixelsNear(r, SpikePlots.PALETTE[3], 10, 0, 0, w, h), "no fourth band");
    // The rates count each neuron once too: two populations, 8 + 3 neurons in the histogram.
    CategoryChart histogram = once.rateHistogram(w, h);
    assertEquals(List.of("hidden (8 neurons)", "out[0:3] (3 neurons)"), List.copyOf(histogram.getSeriesMap().keySet()));
    Path allPng = dir.resolve("once-all.png");
    once.write(RunPlots.Kind.ALL, allPng);
    BufferedImage a = png(allPng);
    assertEquals(2 * w, a.getWidth());
    assertEquals(2 * h, a.getHeight());
    // Three panels (no v or u probe, no traces): the bottom-right quarter stays blank.
    assertEquals(w * h, pixelsNear(a, Color.WHITE, 0, w, h, w, h));
    for (int[] c : new int[][] {{0, 0}, {w, 0}, {0, h}}) {
      assertTrue(pixelsNear(a, RED, 25, c[0], c[1], w, h) > 20, "a panel at " + Arrays.toString(c));
      assertEquals(0, pixelsNear(a, SpikePlots.PALETTE[2], 10, c[0], c[1], w, h), "no third population");
    }
  }

  @Test
  void everyTracedNeuronIsDrawnOnceWhenVProbesOverlap() throws IOException {
    // v:hidden traces neurons 0, 1, 3, 4, 6, 7 (six spread over eight); v:hidden[2:6] would trace
    // 2..5, of which 3 and 4 are traced already; u:hidden is another quantity of the same neurons.
    RunPlots once = new RunPlots(TestNetworks.small(0), 200, 1e-3, 100);
    try (Session s = Session.open("emu:loihi")) {
      s.load(TestNetworks.small(0)).probe(HIDDEN_SPIKES).probe(HIDDEN_V).probe(Probe.parse("v:hidden[2:6]"))
          .probe(Probe.parse("u:hidden")).chunkSteps(50);
      s.run(200, input(), once);
    }
    XYChart traces = once.traces(RunPlots.PANEL_WIDTH, RunPlots.PANEL_HEIGHT);
    List<String> series = List.copyOf(traces.getSeriesMap().keySet());
    assertEquals(List.of("hidden v #0", "hidden v #1", "hidden v #3", "hidden v #4", "hidden v #6", "hidden v #7",
        "hidden[2:6] v #2", "hidden[2:6] v #5",
        "hidden u #0", "hidden u #1", "hidden u #3", "hidden u #4", "hidden u #6", "hidden u #7"), series);
    // The part's own neurons carry their own trace: neuron 2's v is not neuron 3's.
    double[] v2 = traces.getSeriesMap().get("hidden[2:6] v #2").getYData();
    double[] v3 = traces.getSeriesMap().get("hidden v #3").getYData();
    assertEquals(100, v2.length);
    assertTrue(!Arrays.equals(v2, v3), "neurons 2 and 3 differ");
    assertTrue(Arrays.stream(v3).anyMatch(v -> v != 0), "neuron 3 integrates its input");
    Path png = dir.resolve("once-traces.png");
    String said = once.write(RunPlots.Kind.TRACES, png);
    assertTrue(said.endsWith("; drawn once: v:hidden[2:6] #3, #4 within v:hidden"), said);
    assertEquals(RunPlots.PANEL_WIDTH, png(png).getWidth());
    // The raster has nothing drawn twice, so it says nothing about traces; all says both.
    assertTrue(!once.write(RunPlots.Kind.RASTER, dir.resolve("r.png")).contains("drawn once"));
    assertTrue(once.write(RunPlots.Kind.ALL, dir.resolve("a.png")).endsWith("; drawn once: v:hidden[2:6] #3, #4 within"
        + " v:hidden"));
  }

  @Test
  void spikesProbesThatOverlapInPartAreBothDrawnAndTheLineSaysSo() throws IOException {
    // spikes:hidden[0:4] and spikes:hidden[2:6] share neurons 2 and 3: neither holds all of the
    // other, so both get a band, and the line must not let "drawn once" pass for the whole truth.
    RunPlots overlap = new RunPlots(TestNetworks.small(0), 200, 1e-3, 100);
    try (Session s = Session.open("emu:loihi")) {
      s.load(TestNetworks.small(0)).probe(Probe.parse("spikes:hidden[0:4]")).probe(Probe.parse("spikes:hidden[2:6]"))
          .chunkSteps(50);
      s.run(200, input(), overlap);
    }
    List<String> bands = overlap.raster(RunPlots.PANEL_WIDTH, RunPlots.PANEL_HEIGHT).getSeriesMap().keySet().stream()
        .filter(k -> !k.startsWith("separator")).toList();
    assertEquals(List.of("hidden[0:4] (4 neurons, rows 0..3)", "hidden[2:6] (4 neurons, rows 4..7)",
        "output out (3 neurons, rows 8..10)"), bands);
    String twice = "drawn twice: 2 neuron(s) of spikes:hidden[2:6] also in spikes:hidden[0:4]";
    for (RunPlots.Kind kind : List.of(RunPlots.Kind.RASTER, RunPlots.Kind.RATES, RunPlots.Kind.ALL)) {
      String said = overlap.write(kind, dir.resolve(kind + ".png"));
      assertTrue(said.endsWith("; " + twice) && !said.contains("drawn once"), said);
    }
    // Probes that share no neuron say nothing of the kind.
    assertTrue(!plots.write(RunPlots.Kind.RASTER, dir.resolve("plain.png")).contains("drawn"));
  }
}
