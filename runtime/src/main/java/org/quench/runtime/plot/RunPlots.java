package org.quench.runtime.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.runtime.session.RunSink;

/**
 * The plots of a run ({@code quench run --plot FILE.png --plot-kind KIND}), gathered chunk by
 * chunk in memory that does not grow with the run's length:
 * <ul>
 *   <li>{@code raster}: spikes of every spikes probe and output port, one colour per population,
 *       over the first steps of the run ({@code windowSteps});</li>
 *   <li>{@code traces}: v (or u) of up to {@value #TRACED} neurons of every v/u probe over the
 *       same first steps, coloured by population;</li>
 *   <li>{@code rates}: two panels side by side, a histogram of per-neuron firing rates per
 *       population over the whole run, and each population's mean rate over time (the whole run in
 *       up to {@value #TIME_BINS} bins);</li>
 *   <li>{@code all}: one PNG with the four panels in a 2 x 2 grid (raster, traces; rate
 *       histogram, rate over time).</li>
 * </ul>
 * Rates are in Hz when the image gives the step's duration, else in spikes per step.
 * See docs/cli-commands.md.
 */
public final class RunPlots implements RunSink {
  /** What {@code --plot-kind} asks for. */
  public enum Kind { RASTER, TRACES, RATES, ALL }

  static final int TRACED = 6;
  static final int TIME_BINS = 200;
  static final int RASTER_VALUES = 2_000_000;
  static final int PANEL_WIDTH = SpikePlots.WIDTH;
  static final int PANEL_HEIGHT = SpikePlots.HEIGHT;

  /** Spikes of one population (a spikes probe or an output port). */
  private static final class SpikeSource {
    final long[] counts;
    final long[] perBin;
    final int[][] window;

    SpikeSource(int width, int windowSteps, int bins) {
      counts = new long[width];
      perBin = new long[bins];
      // A wide population gets a shorter raster window, so the window stays a few MiB.
      window = new int[(int) Math.min(windowSteps, Math.max(1, RASTER_VALUES / Math.max(1, width)))][width];
    }
  }

  /** The first steps of a few neurons of a v or u probe. */
  private static final class TraceSource {
    final String kind;
    final int first;
    final int[] neurons;
    final int[][] window;

    TraceSource(String kind, int first, int[] neurons, int windowSteps) {
      this.kind = kind;
      this.first = first;
      this.neurons = neurons;
      window = new int[windowSteps][neurons.length];
    }
  }

  private final long totalSteps;
  private final double dtSeconds;
  private final int window;
  private final long binSteps;
  private final int bins;
  private final Map<String, SpikeSource> spikes = new LinkedHashMap<>();
  private final Map<String, TraceSource> traces = new LinkedHashMap<>();
  private long seen;

  /**
   * Plots of a run of {@code totalSteps} steps of {@code dtSeconds} each (NaN when unknown);
   * raster and traces show the first {@code windowSteps} steps.
   */
  public RunPlots(long totalSteps, double dtSeconds, int windowSteps) {
    if (totalSteps <= 0) {
      throw new QuenchException("--plot: a run of " + totalSteps + " steps has nothing to plot");
    }
    this.totalSteps = totalSteps;
    this.dtSeconds = dtSeconds;
    this.window = (int) Math.min(windowSteps, totalSteps);
    this.binSteps = Math.max(1, (totalSteps + TIME_BINS - 1) / TIME_BINS);
    this.bins = (int) ((totalSteps + binSteps - 1) / binSteps);
  }

  /** The kind named on the command line (raster, traces, rates, all), or one line saying what is known. */
  public static Kind kind(String name) {
    try {
      return Kind.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new QuenchException("--plot-kind " + name + ": unknown; use raster, traces, rates or all");
    }
  }

  @Override
  public void accept(RunResult chunk) {
    int n = chunk.steps();
    for (Map.Entry<Probe, RunResult.Trace> e : chunk.traces().entrySet()) {
      Probe p = e.getKey();
      RunResult.Trace t = e.getValue();
      String name = p.population() + range(p);
      if (p.kind() == ProbeKind.SPIKES) {
        SpikeSource s = spikes.computeIfAbsent(name, k -> new SpikeSource(t.width(), window, bins));
        for (int step = 0; step < n; step++) {
          for (int i = 0; i < t.width(); i++) {
            if (t.values()[step * t.width() + i] != 0) {
              spike(s, step, i);
            }
          }
        }
      } else {
        TraceSource s = traces.computeIfAbsent(name + " " + p.kind().name().toLowerCase(Locale.ROOT),
            k -> new TraceSource(p.kind().name().toLowerCase(Locale.ROOT), p.first(), spread(t.width()), window));
        for (int step = 0; step < n && seen + step < window; step++) {
          for (int j = 0; j < s.neurons.length; j++) {
            s.window[(int) (seen + step)][j] = t.values()[step * t.width() + s.neurons[j]];
          }
        }
      }
    }
    for (Map.Entry<String, RunResult.SpikeEvents> e : chunk.outputs().entrySet()) {
      RunResult.SpikeEvents ev = e.getValue();
      if (spikes.containsKey(e.getKey())) {
        continue; // the port's population is probed already
      }
      SpikeSource s = spikes.computeIfAbsent("output " + e.getKey(), k -> new SpikeSource(ev.width(), window, bins));
      for (int k = 0; k < ev.count(); k++) {
        if (ev.values()[k] != 0) {
          spike(s, ev.steps()[k], ev.indices()[k]);
        }
      }
    }
    seen += n;
  }

  private void spike(SpikeSource s, int stepInChunk, int neuron) {
    long step = seen + stepInChunk;
    s.counts[neuron]++;
    if (step < totalSteps) {
      s.perBin[(int) (step / binSteps)]++;
    }
    if (step < s.window.length) {
      s.window[(int) step][neuron] = 1;
    }
  }

  private static String range(Probe p) {
    return p.first() == 0 && p.count() < 0 ? ""
        : "[" + p.first() + ":" + (p.count() < 0 ? "" : String.valueOf(p.first() + p.count())) + "]";
  }

  /** Up to {@value #TRACED} neurons spread evenly over {@code width}. */
  private static int[] spread(int width) {
    int n = Math.min(TRACED, width);
    int[] picked = new int[n];
    for (int j = 0; j < n; j++) {
      picked[j] = n == 1 ? 0 : (int) Math.round((double) j * (width - 1) / (n - 1));
    }
    return picked;
  }

  /** Writes the plot of {@code kind} to {@code png}; returns what it shows, in one line. */
  public String write(Kind kind, Path png) {
    long steps = Math.min(seen, totalSteps);
    switch (kind) {
      case RASTER -> SpikePlots.save(raster(PANEL_WIDTH, PANEL_HEIGHT), png);
      case TRACES -> SpikePlots.save(traces(PANEL_WIDTH, PANEL_HEIGHT), png);
      case RATES -> panels(png, 2, List.of(rateHistogram(PANEL_WIDTH, PANEL_HEIGHT),
          rateOverTime(PANEL_WIDTH, PANEL_HEIGHT)));
      case ALL -> {
        List<Chart<?, ?>> charts = new ArrayList<>();
        charts.add(raster(PANEL_WIDTH, PANEL_HEIGHT));
        if (!traces.isEmpty()) {
          charts.add(traces(PANEL_WIDTH, PANEL_HEIGHT));
        }
        charts.add(rateHistogram(PANEL_WIDTH, PANEL_HEIGHT));
        charts.add(rateOverTime(PANEL_WIDTH, PANEL_HEIGHT));
        panels(png, 2, charts);
      }
      default -> throw new IllegalStateException();
    }
    return switch (kind) {
      case RASTER -> "spike raster of the first " + window + " steps";
      case TRACES -> "traces of the first " + window + " steps";
      case RATES -> "firing-rate histogram and rate over time, " + steps + " steps";
      case ALL -> traces.isEmpty()
          ? "raster (first " + window + " steps), rate histogram and rate over time (" + steps
              + " steps) in a 2 x 2 grid; no traces panel: no v or u probe"
          : "raster and traces (first " + window + " steps), rate histogram and rate over time ("
              + steps + " steps) in a 2 x 2 grid";
    };
  }

  private Map<String, SpikeSource> spikeSources() {
    if (spikes.isEmpty()) {
      throw new QuenchException("--plot: no spikes to plot; the image has no output port and no spikes "
          + "probe was given (add --probe spikes:POPULATION)");
    }
    return spikes;
  }

  XYChart raster(int width, int height) {
    Map<String, int[][]> windows = new LinkedHashMap<>();
    spikeSources().forEach((name, s) -> windows.put(name, s.window));
    return SpikePlots.populationChart(windows, "spikes, steps 0.." + (window - 1), width, height);
  }

  XYChart traces(int width, int height) {
    if (traces.isEmpty()) {
      throw new QuenchException("--plot: no traces to plot; give a v or u probe (--probe v:POPULATION)");
    }
    String kinds = String.join(" / ", traces.values().stream().map(t -> t.kind).distinct().toList());
    XYChart chart = new XYChartBuilder().width(width).height(height)
        .title(kinds + " of up to " + TRACED + " neurons per probe, steps 0.." + (window - 1))
        .xAxisTitle("step").yAxisTitle(kinds + " (chip units)").build();
    SpikePlots.style(chart);
    chart.getStyler().setLegendVisible(true);
    double[] x = new double[window];
    for (int t = 0; t < window; t++) {
      x[t] = t;
    }
    int k = 0;
    for (Map.Entry<String, TraceSource> e : traces.entrySet()) {
      Color base = SpikePlots.PALETTE[k++ % SpikePlots.PALETTE.length];
      TraceSource s = e.getValue();
      for (int j = 0; j < s.neurons.length; j++) {
        double[] y = new double[window];
        for (int t = 0; t < window; t++) {
          y[t] = s.window[t][j];
        }
        // Named by the neuron's index in its population, also for a probed range.
        XYSeries series = chart.addSeries(e.getKey() + " #" + (s.first + s.neurons[j]), x, y);
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(shade(base, j, s.neurons.length));
        series.setLineStyle(new BasicStroke(1.2f));
      }
    }
    return chart;
  }

  /** Colour {@code j} of {@code n} of one population: its palette colour, darker to lighter. */
  private static Color shade(Color base, int j, int n) {
    double f = n <= 1 ? 0 : 0.55 * j / (n - 1) - 0.2;
    if (f < 0) {
      return new Color((int) (base.getRed() * (1 + f)), (int) (base.getGreen() * (1 + f)), (int) (base.getBlue() * (1 + f)));
    }
    return new Color((int) (base.getRed() + (255 - base.getRed()) * f),
        (int) (base.getGreen() + (255 - base.getGreen()) * f), (int) (base.getBlue() + (255 - base.getBlue()) * f));
  }

  private boolean inHertz() {
    return Double.isFinite(dtSeconds) && dtSeconds > 0;
  }

  /** Spikes per step as the unit shown: Hz when dt is known. */
  private double rate(double spikesPerStep) {
    return inHertz() ? spikesPerStep / dtSeconds : spikesPerStep;
  }

  private String rateUnit() {
    return inHertz() ? "Hz" : "spikes/step";
  }

  CategoryChart rateHistogram(int width, int height) {
    long steps = Math.max(1, Math.min(seen, totalSteps));
    int histogramBins = 20;
    double max = 0;
    for (SpikeSource s : spikeSources().values()) {
      for (long c : s.counts) {
        max = Math.max(max, rate((double) c / steps));
      }
    }
    double binWidth = max > 0 ? max / histogramBins : 1.0 / histogramBins;
    CategoryChart chart = new CategoryChartBuilder().width(width).height(height)
        .title("firing rate per neuron, " + steps + " steps").xAxisTitle("rate (" + rateUnit() + ")")
        .yAxisTitle("neurons").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(false);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setLegendVisible(true);
    List<String> labels = new ArrayList<>();
    for (int b = 0; b < histogramBins; b++) {
      labels.add(String.format(Locale.ROOT, max >= 10 ? "%.0f" : "%.3g", (b + 0.5) * binWidth));
    }
    int k = 0;
    for (Map.Entry<String, SpikeSource> e : spikes.entrySet()) {
      List<Integer> heights = new ArrayList<>();
      for (int b = 0; b < histogramBins; b++) {
        heights.add(0);
      }
      for (long c : e.getValue().counts) {
        int b = Math.min(histogramBins - 1, (int) (rate((double) c / steps) / binWidth));
        heights.set(b, heights.get(b) + 1);
      }
      chart.addSeries(e.getKey() + " (" + e.getValue().counts.length + " neurons)", labels, heights)
          .setFillColor(SpikePlots.PALETTE[k++ % SpikePlots.PALETTE.length]);
    }
    return chart;
  }

  XYChart rateOverTime(int width, int height) {
    long steps = Math.min(seen, totalSteps);
    int used = (int) Math.max(1, (steps + binSteps - 1) / binSteps);
    boolean ms = inHertz();
    XYChart chart = new XYChartBuilder().width(width).height(height)
        .title("mean rate per population, bins of " + binSteps + " step" + (binSteps == 1 ? "" : "s"))
        .xAxisTitle(ms ? "time (ms)" : "step").yAxisTitle("rate (" + rateUnit() + ")").build();
    SpikePlots.style(chart);
    chart.getStyler().setLegendVisible(true);
    double[] x = new double[used];
    for (int b = 0; b < used; b++) {
      double centre = b * binSteps + Math.min(binSteps, steps - b * binSteps) / 2.0;
      x[b] = ms ? centre * dtSeconds * 1e3 : centre;
    }
    int k = 0;
    for (Map.Entry<String, SpikeSource> e : spikeSources().entrySet()) {
      SpikeSource s = e.getValue();
      double[] y = new double[used];
      for (int b = 0; b < used; b++) {
        long inBin = Math.min(binSteps, steps - b * binSteps);
        y[b] = rate((double) s.perBin[b] / (inBin * (double) Math.max(1, s.counts.length)));
      }
      XYSeries series = chart.addSeries(e.getKey(), x, y);
      series.setMarker(SeriesMarkers.NONE);
      series.setLineColor(SpikePlots.PALETTE[k++ % SpikePlots.PALETTE.length]);
      series.setLineStyle(new BasicStroke(1.6f));
    }
    return chart;
  }

  /** Draws {@code charts} into one PNG, {@code columns} per row, each panel at its own size. */
  static void panels(Path png, int columns, List<Chart<?, ?>> charts) {
    int rows = (charts.size() + columns - 1) / columns;
    BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    for (int i = 0; i < charts.size(); i++) {
      Graphics2D panel = (Graphics2D) g.create((i % columns) * PANEL_WIDTH, (i / columns) * PANEL_HEIGHT,
          PANEL_WIDTH, PANEL_HEIGHT);
      charts.get(i).paint(panel, PANEL_WIDTH, PANEL_HEIGHT);
      panel.dispose();
    }
    g.dispose();
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ImageIO.write(image, "png", png.toFile());
    } catch (IOException e) {
      throw new QuenchException("cannot write plot " + png + ": " + e.getMessage(), e);
    }
  }
}
