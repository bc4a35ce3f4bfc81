package org.quench.runtime.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.quench.hal.QuenchException;

class SpikePlotsTest {
  @TempDir
  Path dir;

  private static BufferedImage readPng(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(bytes, 4),
        "PNG signature");
    try (InputStream in = Files.newInputStream(file)) {
      return ImageIO.read(in);
    }
  }

  private static boolean dark(BufferedImage img, double x, double y) {
    int rgb = img.getRGB((int) Math.round(x), (int) Math.round(y));
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    return r + g + b < 3 * 80;
  }

  @Test
  void rasterHasDarkPixelsExactlyWhereSpikesAre() throws IOException {
    int[][] spikes = new int[100][10];
    spikes[10][2] = 1;
    spikes[50][7] = 1;
    spikes[90][0] = 1;
    spikes[30][9] = -1;
    Path png = dir.resolve("raster.png");
    XYChart chart = SpikePlots.rasterChart(spikes, "known", 640, 400);
    SpikePlots.save(chart, png);
    BufferedImage img = readPng(png);
    assertEquals(640, img.getWidth());
    assertEquals(400, img.getHeight());
    int[][] at = {{10, 2}, {50, 7}, {90, 0}, {30, 9}};
    for (int[] s : at) {
      double x = chart.getScreenXFromChart(s[0]);
      double y = chart.getScreenYFromChart(s[1]);
      assertTrue(dark(img, x, y), "spike at step " + s[0] + ", neuron " + s[1] + " -> (" + x + ","
          + y + ")");
    }
    int[][] empty = {{10, 7}, {50, 2}, {70, 5}, {20, 0}};
    for (int[] s : empty) {
      double x = chart.getScreenXFromChart(s[0]);
      double y = chart.getScreenYFromChart(s[1]);
      assertTrue(!dark(img, x, y), "no spike at step " + s[0] + ", neuron " + s[1]);
    }
  }

  @Test
  void populationsGetTheirOwnColouredBandAndANamedLegendEntry() throws IOException {
    int[][] hidden = new int[40][5];
    int[][] out = new int[40][2];
    hidden[10][4] = 1;
    out[20][1] = 1;
    java.util.Map<String, int[][]> pops = new java.util.LinkedHashMap<>();
    pops.put("hidden", hidden);
    pops.put("out", out);
    XYChart chart = SpikePlots.populationChart(pops, "two", 640, 400);
    assertTrue(chart.getSeriesMap().containsKey("hidden (5 neurons, rows 0..4)"), chart.getSeriesMap().keySet().toString());
    assertTrue(chart.getSeriesMap().containsKey("out (2 neurons, rows 5..6)"), chart.getSeriesMap().keySet().toString());
    Path png = dir.resolve("pops.png");
    SpikePlots.save(chart, png);
    BufferedImage img = readPng(png);
    // out's neuron 1 is drawn in band row 6, in out's colour (red), hidden's neuron 4 in blue.
    int outPixel = img.getRGB((int) Math.round(chart.getScreenXFromChart(20)), (int) Math.round(chart.getScreenYFromChart(6)));
    int hiddenPixel = img.getRGB((int) Math.round(chart.getScreenXFromChart(10)), (int) Math.round(chart.getScreenYFromChart(4)));
    assertTrue(((outPixel >> 16) & 0xff) > 150 && (outPixel & 0xff) < 100, Integer.toHexString(outPixel));
    assertTrue((hiddenPixel & 0xff) > 150 && ((hiddenPixel >> 16) & 0xff) < 100, Integer.toHexString(hiddenPixel));
  }

  @Test
  void publicRasterWritesADefaultSizedPngEvenWithoutSpikes() throws IOException {
    Path png = dir.resolve("nested/empty.png");
    SpikePlots.raster(new int[20][3], "silence", png);
    BufferedImage img = readPng(png);
    assertEquals(SpikePlots.WIDTH, img.getWidth());
    assertEquals(SpikePlots.HEIGHT, img.getHeight());
  }

  @Test
  void tracesAndRateHistogramAreRealPngs() throws IOException {
    int[][] v = new int[50][3];
    for (int t = 0; t < 50; t++) {
      v[t][0] = t * 10;
      v[t][2] = (t % 10) * 100;
    }
    Path traces = dir.resolve("v.png");
    SpikePlots.traces(v, new int[] {0, 2}, "membrane", "v", traces);
    assertEquals(SpikePlots.WIDTH, readPng(traces).getWidth());
    Path hist = dir.resolve("rates.png");
    SpikePlots.rateHistogram(new int[] {0, 5, 5, 10, 40}, 100, 8, "rates", hist);
    BufferedImage img = readPng(hist);
    assertEquals(SpikePlots.HEIGHT, img.getHeight());
    assertThrows(QuenchException.class,
        () -> SpikePlots.traces(v, new int[] {3}, "membrane", "v", dir.resolve("bad.png")));
  }

  @Test
  void anUnwritablePathIsAQuenchException() throws IOException {
    Path file = dir.resolve("file");
    Files.writeString(file, "x");
    QuenchException e = assertThrows(QuenchException.class,
        () -> SpikePlots.raster(new int[2][2], "t", file.resolve("under-a-file.png")));
    assertTrue(e.getMessage().contains("under-a-file.png"), e.getMessage());
  }
}
