package org.quench.runtime.verify;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.proto.Symbol;

/**
 * One PNG that lays the device over the float reference for one population (the first output,
 * else the first compared): the firing rate of every neuron (spikes per second, both sides), the
 * two spike rasters on one time axis (reference as open circles, device as crosses), and v of a
 * few neurons in model units (reference solid, device dashed). Time is in milliseconds when the
 * dt is known, else in steps.
 */
public final class VerificationPlot {
  /** Width of each panel, pixels. */
  public static final int WIDTH = 900;
  /** Height of each panel, pixels (the PNG stacks up to three). */
  public static final int HEIGHT = 330;
  private static final Color REFERENCE = new Color(30, 90, 200);
  private static final Color DEVICE = new Color(210, 60, 30);

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private VerificationPlot() {}

  /** The population the plot shows. */
  static String shown(VerificationRun run) {
    for (VerificationReport.PopulationAgreement p : run.report().populations()) {
      if (p.output()) {
        return p.population();
      }
    }
    return run.compared().get(0);
  }

  /** Writes the three panels, stacked, to {@code png}. */
  public static void write(VerificationRun run, Path png) {
    String pop = shown(run);
    int steps = run.report().steps();
    double dt = run.dtSeconds();
    boolean ms = !Double.isNaN(dt);
    double[] time = new double[steps];
    for (int k = 0; k < steps; k++) {
      time[k] = ms ? (k + 1) * dt * 1e3 : k + 1;
    }
    String timeAxis = ms ? "time (ms)" : "step";
    int[][] ref = run.reference().spikes(pop);
    int[][] dev = rows(run.device().trace(Probe.of(ProbeKind.SPIKES, pop)));
    List<XYChart> charts = new ArrayList<>();
    charts.add(rates(pop, ref, dev, ms ? steps * dt : steps, ms));
    charts.add(rasters(pop, ref, dev, time, timeAxis));
    if (run.traced().contains(pop)) {
      charts.add(voltages(run, pop, time, timeAxis));
    }
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out = Files.newOutputStream(png)) {
        BitmapEncoder.saveBitmap(charts, charts.size(), 1, out, BitmapEncoder.BitmapFormat.PNG);
      }
    } catch (IOException e) {
      throw new QuenchException("cannot write plot " + png + ": " + e.getMessage(), e);
    }
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x)
        .yAxisTitle(y).build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotBackgroundColor(Color.WHITE);
    c.getStyler().setPlotGridLinesVisible(false);
    c.getStyler().setLegendVisible(true);
    return c;
  }

  private static XYChart rates(String pop, int[][] ref, int[][] dev, double duration, boolean seconds) {
    int n = ref.length == 0 ? 0 : ref[0].length;
    XYChart c = chart("'" + pop + "': firing rate per neuron", "neuron",
        seconds ? "rate (spikes/s)" : "rate (spikes/step)");
    double[] x = new double[Math.max(n, 1)];
    double[] r = new double[x.length];
    double[] d = new double[x.length];
    for (int i = 0; i < n; i++) {
      x[i] = i;
      for (int k = 0; k < ref.length; k++) {
        r[i] += ref[k][i] != 0 ? 1 : 0;
        d[i] += dev[k][i] != 0 ? 1 : 0;
      }
      r[i] /= duration;
      d[i] /= duration;
    }
    line(c.addSeries("reference", x, r), REFERENCE, false).setMarker(SeriesMarkers.CIRCLE);
    line(c.addSeries("device", x, d), DEVICE, true).setMarker(SeriesMarkers.CROSS);
    return c;
  }

  private static XYChart rasters(String pop, int[][] ref, int[][] dev, double[] time, String timeAxis) {
    XYChart c = chart("'" + pop + "': spikes, reference and device", timeAxis, "neuron");
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    c.getStyler().setMarkerSize(6);
    addRaster(c, "reference", ref, time, SeriesMarkers.CIRCLE, REFERENCE);
    addRaster(c, "device", dev, time, SeriesMarkers.CROSS, DEVICE);
    return c;
  }

  private static void addRaster(XYChart c, String name, int[][] spikes, double[] time,
      org.knowm.xchart.style.markers.Marker marker, Color color) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int k = 0; k < spikes.length; k++) {
      for (int i = 0; i < spikes[k].length; i++) {
        if (spikes[k][i] != 0) {
          xs.add(time[k]);
          ys.add((double) i);
        }
      }
    }
    if (xs.isEmpty()) {
      // XChart refuses an empty series; a point left of the axis keeps the legend entry.
      xs.add(-1.0);
      ys.add(-1.0);
    }
    XYSeries s = c.addSeries(name, xs, ys);
    s.setMarker(marker);
    s.setMarkerColor(color);
  }

  private static XYChart voltages(VerificationRun run, String pop, double[] time, String timeAxis) {
    XYChart c = chart("'" + pop + "': v of the first neurons (model units)", timeAxis, "v (model units)");
    double[] ref = run.reference().v(pop);
    RunResult.Trace trace = run.device().trace(Probe.of(ProbeKind.V, pop));
    int n = trace.width();
    Symbol symbol = run.image().getSymbolsList().stream().filter(s -> s.getPopulation().equals(pop))
        .findFirst().orElseThrow();
    double scale = symbol.getModelScale() > 0 ? symbol.getModelScale() : 1;
    int shown = Math.min(3, n);
    Color[] shades = {new Color(0, 0, 0), new Color(0, 150, 90), new Color(150, 0, 160)};
    for (int i = 0; i < shown; i++) {
      double offset = symbol.getVOffsetCount() == 0 ? 0
          : symbol.getVOffset(symbol.getVOffsetCount() == 1 ? 0 : i);
      double[] r = new double[time.length];
      double[] d = new double[time.length];
      for (int k = 0; k < time.length; k++) {
        r[k] = ref[k * n + i];
        d[k] = trace.values()[k * n + i] / scale + offset;
      }
      line(c.addSeries("reference " + i, time, r), shades[i], false);
      line(c.addSeries("device " + i, time, d), shades[i], true);
    }
    return c;
  }

  private static XYSeries line(XYSeries s, Color color, boolean dashed) {
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    s.setMarkerColor(color);
    s.setLineStyle(dashed ? new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {5f, 4f}, 0f) : new BasicStroke(1.2f));
    return s;
  }

  private static int[][] rows(RunResult.Trace t) {
    int n = t.width();
    int steps = n == 0 ? 0 : t.values().length / n;
    int[][] m = new int[steps][n];
    for (int k = 0; k < steps; k++) {
      System.arraycopy(t.values(), k * n, m[k], 0, n);
    }
    return m;
  }
}
