package org.quench.runtime.plot;

import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.quench.runtime.model.PrecisionSweep;

/**
 * The precision / cores trade-off as a PNG: tau error (p50, p95, max) and the worst projection's
 * RMS weight error, in percent, against cores used, one point per compile of a
 * {@link PrecisionSweep}. The error axis is logarithmic.
 */
public final class PrecisionPlot {
  private PrecisionPlot() {}

  /** Writes the chart of {@code points} (at least one) to {@code png}. */
  public static void write(List<PrecisionSweep.Point> points, String title, Path png) {
    SpikePlots.save(chart(points, title, SpikePlots.WIDTH, SpikePlots.HEIGHT), png);
  }

  static XYChart chart(List<PrecisionSweep.Point> points, String title, int width, int height) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
        .xAxisTitle("cores used").yAxisTitle("relative error (%)").build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
    int n = points.size();
    double[] cores = new double[n];
    double[][] ys = new double[4][n];
    for (int k = 0; k < n; k++) {
      PrecisionSweep.Point p = points.get(k);
      cores[k] = p.cores();
      // A log axis cannot show 0: errors below 0.001 % are drawn at 0.001 %.
      ys[0][k] = Math.max(1e-3, 100 * p.tauP50());
      ys[1][k] = Math.max(1e-3, 100 * p.tauP95());
      ys[2][k] = Math.max(1e-3, 100 * p.tauMax());
      ys[3][k] = Math.max(1e-3, 100 * p.weightRms());
    }
    String[] names = {"tau p50", "tau p95", "tau max", "weight RMS (worst projection)"};
    for (int s = 0; s < names.length; s++) {
      chart.addSeries(names[s], cores, ys[s]).setMarker(SeriesMarkers.CIRCLE);
    }
    return chart;
  }
}
