package org.quench.runtime.campaign;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.quench.hal.QuenchException;
import org.quench.runtime.plot.SpikePlots;

/**
 * PNG plots of a campaign (XChart, headless): the histogram of the headline metric over chips,
 * every group overlaid (so with compensation, the chips without and with it side by side), and,
 * when several variability levels were run, the metric's median and 5-95 % band against the level.
 */
public final class CampaignPlots {
  static final int WIDTH = 900;
  static final int HEIGHT = 520;
  static final int BINS = 30;
  private static final Color[] COLORS = {new Color(40, 70, 160, 170), new Color(220, 110, 20, 170),
      new Color(40, 150, 70, 170), new Color(170, 40, 60, 170), new Color(110, 60, 170, 170),
      new Color(90, 90, 90, 170)};

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private CampaignPlots() {}

  /** The headline metric's histogram, one overlaid series per group. */
  public static void histogram(CampaignReport report, Path png) {
    save(histogramChart(report), png);
  }

  /** Median and 5th/95th percentiles of the headline metric per variability level. */
  public static void sweep(CampaignReport report, Path png) {
    save(sweepChart(report), png);
  }

  static CategoryChart histogramChart(CampaignReport report) {
    CampaignMetric m = report.headline();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (CampaignReport.Group g : report.groups()) {
      for (ChipResult r : g.results()) {
        double v = m.of(r);
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      throw new QuenchException("no chip has a value of " + m.key() + " to plot");
    }
    if (hi - lo < 1e-9) {
      double pad = Math.max(Math.abs(lo) * 0.01, 1e-3);
      lo -= pad;
      hi += pad;
    }
    double width = (hi - lo) / BINS;
    List<String> labels = new ArrayList<>();
    for (int b = 0; b < BINS; b++) {
      labels.add(String.format(Locale.ROOT, "%.3g", lo + (b + 0.5) * width));
    }
    StringBuilder title = new StringBuilder(m.key() + " over chips");
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("").xAxisTitle(m.key() + " (vs nominal chip" + (m == CampaignMetric.ACCURACY ? ", vs labels" : "")
            + ")").yAxisTitle("chips").build();
    chart.getStyler().setOverlapped(true);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setAvailableSpaceFill(0.95);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    int k = 0;
    for (CampaignReport.Group g : report.groups()) {
      int[] hist = new int[BINS];
      for (ChipResult r : g.results()) {
        double v = m.of(r);
        if (Double.isFinite(v)) {
          hist[Math.max(0, Math.min(BINS - 1, (int) ((v - lo) / width)))]++;
        }
      }
      List<Integer> heights = new ArrayList<>();
      for (int h : hist) {
        heights.add(h);
      }
      MetricDistribution d = g.headline();
      String name = String.format(Locale.ROOT, "%s: %d chips, median %s, yield %.1f%% %s %s", g.label(),
          g.results().size(), CampaignReport.fmt(d.median()), 100 * d.yield(),
          m.higherIsBetter() ? ">=" : "<=", CampaignReport.fmt(d.threshold()));
      CategorySeries s = chart.addSeries(name, labels, heights);
      s.setFillColor(COLORS[k % COLORS.length]);
      k++;
    }
    chart.setTitle(title.toString());
    return chart;
  }

  static CategoryChart sweepChart(CampaignReport report) {
    CampaignMetric m = report.headline();
    List<String> levels = new ArrayList<>();
    for (CampaignReport.Group g : report.groups()) {
      if (!levels.contains(g.variability())) {
        levels.add(g.variability());
      }
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title(m.key() + " vs variability level").xAxisTitle("variability")
        .yAxisTitle(m.key()).build();
    chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    int k = 0;
    for (boolean compensated : new boolean[] {false, true}) {
      List<Double> median = new ArrayList<>();
      List<Double> p5 = new ArrayList<>();
      List<Double> p95 = new ArrayList<>();
      boolean any = false;
      for (String level : levels) {
        MetricDistribution d = null;
        for (CampaignReport.Group g : report.groups()) {
          if (g.variability().equals(level) && g.compensated() == compensated) {
            d = g.headline();
          }
        }
        any |= d != null;
        median.add(d == null ? null : d.median());
        p5.add(d == null ? null : d.p5());
        p95.add(d == null ? null : d.p95());
      }
      if (!any) {
        continue;
      }
      String suffix = compensated ? " (compensated)" : "";
      Color c = COLORS[k++ % COLORS.length];
      Color solid = new Color(c.getRed(), c.getGreen(), c.getBlue());
      CategorySeries mid = chart.addSeries("median" + suffix, levels, median);
      mid.setLineColor(solid);
      mid.setMarkerColor(solid);
      CategorySeries low = chart.addSeries("p5" + suffix, levels, p5);
      low.setLineColor(solid.brighter());
      low.setMarkerColor(solid.brighter());
      low.setLineStyle(new java.awt.BasicStroke(1f, java.awt.BasicStroke.CAP_BUTT,
          java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
      CategorySeries high = chart.addSeries("p95" + suffix, levels, p95);
      high.setLineColor(solid.brighter());
      high.setMarkerColor(solid.brighter());
      high.setLineStyle(low.getLineStyle());
    }
    return chart;
  }

  private static void save(Chart<?, ?> chart, Path png) {
    SpikePlots.save(chart, png);
  }
}
