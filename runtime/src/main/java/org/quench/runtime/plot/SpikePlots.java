package org.quench.runtime.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.quench.hal.QuenchException;

/**
 * PNG plots of a run with XChart, drawn headless (no display needed): a spike raster, membrane
 * (or any state) traces, and a histogram of firing rates. Sizes are in pixels; steps are the
 * 0-based rows of the recorded matrices.
 */
public final class SpikePlots {
  /** Default image size in pixels. */
  public static final int WIDTH = 800;
  public static final int HEIGHT = 500;

  /** Population colours, in order: blue, red, green, purple, amber. */
  static final Color[] PALETTE = {new Color(30, 90, 200), new Color(210, 60, 30), new Color(0, 140, 80),
      new Color(140, 60, 170), new Color(200, 140, 0)};

  static {
    // Charts are drawn into images; AWT must not look for a display.
    System.setProperty("java.awt.headless", "true");
  }

  private SpikePlots() {}

  /**
   * A spike raster: a dark square at (step, neuron) for every non-zero entry of
   * {@code spikes[step][neuron]}.
   */
  public static void raster(int[][] spikes, String title, Path png) {
    save(rasterChart(spikes, title, WIDTH, HEIGHT), png);
  }

  /**
   * The spikes of several populations in one raster, each in its own band and colour, bands
   * separated by a line and named in the legend with their neuron range ({@code spikes} maps a
   * population to its {@code [step][neuron]} matrix, in drawing order from the bottom).
   */
  public static void populationRaster(java.util.Map<String, int[][]> spikes, String title, Path png) {
    save(populationChart(spikes, title, WIDTH, HEIGHT), png);
  }

  static XYChart populationChart(java.util.Map<String, int[][]> spikes, String title, int width, int height) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
        .xAxisTitle("step").yAxisTitle("neuron (populations stacked)").build();
    style(chart);
    chart.getStyler().setLegendVisible(true);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    int offset = 0;
    int steps = 0;
    int k = 0;
    List<Integer> boundaries = new ArrayList<>();
    for (java.util.Map.Entry<String, int[][]> e : spikes.entrySet()) {
      int[][] m = e.getValue();
      int n = m.length == 0 ? 0 : m[0].length;
      steps = Math.max(steps, m.length);
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int t = 0; t < m.length; t++) {
        for (int i = 0; i < n; i++) {
          if (m[t][i] != 0) {
            xs.add((double) t);
            ys.add((double) (offset + i));
          }
        }
      }
      if (xs.isEmpty()) {
        xs.add(-1.0);
        ys.add(-1.0);
      }
      XYSeries series = chart.addSeries(e.getKey() + " (" + n + " neurons, rows " + offset + ".."
          + (offset + n - 1) + ")", xs, ys);
      series.setMarker(SeriesMarkers.SQUARE);
      series.setMarkerColor(PALETTE[k++ % PALETTE.length]);
      offset += n;
      boundaries.add(offset);
    }
    int total = offset;
    chart.getStyler().setMarkerSize(Math.max(3, Math.min(8, (height - 140) / Math.max(total, 1))));
    for (int b = 0; b + 1 < boundaries.size(); b++) {
      double y = boundaries.get(b) - 0.5;
      XYSeries line = chart.addSeries("separator " + b, new double[] {-0.5, Math.max(steps, 1) - 0.5},
          new double[] {y, y});
      line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      line.setMarker(SeriesMarkers.NONE);
      line.setLineColor(Color.GRAY);
      line.setShowInLegend(false);
    }
    chart.getStyler().setXAxisMin(-0.5).setXAxisMax(Math.max(steps, 1) - 0.5);
    chart.getStyler().setYAxisMin(-0.5).setYAxisMax(Math.max(total, 1) - 0.5);
    return chart;
  }

  /** Traces of the given neurons (columns of {@code values[step][neuron]}), one line each. */
  public static void traces(int[][] values, int[] neurons, String title, String yLabel, Path png) {
    save(tracesChart(values, neurons, title, yLabel, WIDTH, HEIGHT), png);
  }

  /**
   * A histogram of firing rates across neurons: rate = spikes / steps (spikes per step), in
   * {@code bins} equal bins from 0 to the highest rate.
   */
  public static void rateHistogram(int[] spikeCounts, int steps, int bins, String title, Path png) {
    save(rateChart(spikeCounts, steps, bins, title, WIDTH, HEIGHT), png);
  }

  static XYChart rasterChart(int[][] spikes, String title, int width, int height) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
        .xAxisTitle("step").yAxisTitle("neuron").build();
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    int neurons = 0;
    for (int t = 0; t < spikes.length; t++) {
      neurons = Math.max(neurons, spikes[t].length);
      for (int i = 0; i < spikes[t].length; i++) {
        if (spikes[t][i] != 0) {
          xs.add((double) t);
          ys.add((double) i);
        }
      }
    }
    style(chart);
    chart.getStyler().setXAxisMin(-0.5).setXAxisMax(Math.max(spikes.length, 1) - 0.5);
    chart.getStyler().setYAxisMin(-0.5).setYAxisMax(Math.max(neurons, 1) - 0.5);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(Math.max(3, Math.min(8, (height - 100) / Math.max(neurons, 1))));
    if (xs.isEmpty()) {
      // XChart refuses an empty series; an invisible point keeps the axes.
      xs.add(-1.0);
      ys.add(-1.0);
    }
    XYSeries series = chart.addSeries("spikes", xs, ys);
    series.setMarker(SeriesMarkers.SQUARE);
    series.setMarkerColor(Color.BLACK);
    return chart;
  }

  static XYChart tracesChart(int[][] values, int[] neurons, String title, String yLabel,
      int width, int height) {
    if (values.length == 0) {
      throw new QuenchException("nothing to plot: the trace has no steps");
    }
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
        .xAxisTitle("step").yAxisTitle(yLabel).build();
    style(chart);
    chart.getStyler().setLegendVisible(neurons.length <= 10);
    double[] x = new double[values.length];
    for (int t = 0; t < x.length; t++) {
      x[t] = t;
    }
    for (int n : neurons) {
      if (n < 0 || n >= values[0].length) {
        throw new QuenchException("cannot plot neuron " + n + ": the trace has " + values[0].length);
      }
      double[] y = new double[values.length];
      for (int t = 0; t < y.length; t++) {
        y[t] = values[t][n];
      }
      XYSeries s = chart.addSeries("neuron " + n, x, y);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineStyle(new BasicStroke(1.2f));
    }
    return chart;
  }

  static CategoryChart rateChart(int[] counts, int steps, int bins, String title, int width,
      int height) {
    if (steps <= 0 || bins <= 0) {
      throw new QuenchException("a rate histogram needs steps > 0 and bins > 0");
    }
    double max = 0;
    for (int c : counts) {
      max = Math.max(max, (double) c / steps);
    }
    double binWidth = max > 0 ? max / bins : 1.0 / bins;
    int[] hist = new int[bins];
    for (int c : counts) {
      hist[Math.min(bins - 1, (int) ((double) c / steps / binWidth))]++;
    }
    List<String> labels = new ArrayList<>();
    List<Integer> heights = new ArrayList<>();
    for (int b = 0; b < bins; b++) {
      labels.add(String.format("%.3f", (b + 0.5) * binWidth));
      heights.add(hist[b]);
    }
    CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title)
        .xAxisTitle("rate (spikes/step)").yAxisTitle("neurons").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.addSeries("neurons", labels, heights).setFillColor(new Color(40, 70, 160));
    return chart;
  }

  static void style(XYChart chart) {
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(false);
  }

  /** Writes {@code chart} as a PNG file, creating its directory. */
  public static void save(Chart<?, ?> chart, Path png) {
    writePng(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
  }

  /** Draws a PNG's bytes into a stream. */
  interface PngDrawing {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes the PNG {@code drawing} makes to {@code png}, creating its directory; one line on failure. */
  static void writePng(Path png, PngDrawing drawing) {
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out = Files.newOutputStream(png)) {
        drawing.writeTo(out);
      }
    } catch (IOException e) {
      throw new QuenchException("cannot write plot " + png + ": " + e.getMessage(), e);
    }
  }
}
