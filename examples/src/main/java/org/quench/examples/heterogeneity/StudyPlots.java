package org.quench.examples.heterogeneity;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The study's PNG plots (XChart, headless). Mean NRMSE is the mean over tasks of each task's mean
 * over seeds; error bars are the standard deviation over seeds of the per-seed means over tasks.
 */
final class StudyPlots {
  private static final int W = 800;
  private static final int H = 500;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private StudyPlots() {}

  /** Writes every plot the rows allow into {@code dir}; returns the files written. */
  static List<Path> write(StudyPlan plan, StudyResults r, Path dir) {
    List<Path> out = new ArrayList<>();
    ReservoirConfig hom = plan.rate(plan.baseSize(), TauShape.HOMOGENEOUS, 0);
    ReservoirConfig het = plan.rate(plan.baseSize(), TauShape.LOGNORMAL, plan.hetCv());

    XYChart size = xy("Rate reservoirs: NRMSE vs size", "neurons N", "mean NRMSE over tasks");
    size.getStyler().setXAxisLogarithmic(true);
    line(size, "homogeneous", r, plan.sizes().stream().map(n -> (double) n).toList(),
        plan.sizes().stream().map(n -> plan.rate(n, TauShape.HOMOGENEOUS, 0)).toList());
    line(size, "lognormal cv " + plan.hetCv(), r, plan.sizes().stream().map(n -> (double) n).toList(),
        plan.sizes().stream().map(n -> plan.rate(n, TauShape.LOGNORMAL, plan.hetCv())).toList());
    save(size, dir.resolve("nrmse-vs-n.png"), out);

    CategoryChart win = new CategoryChartBuilder().width(W).height(H)
        .title("Win rate: fraction of tasks where heterogeneous beats homogeneous")
        .xAxisTitle("comparison").yAxisTitle("fraction of tasks improved").build();
    win.getStyler().setLegendVisible(false);
    win.getStyler().setXAxisLabelRotation(30);
    win.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    List<String> labels = new ArrayList<>();
    List<Double> fractions = new ArrayList<>();
    for (int n : plan.sizes()) {
      addWin(labels, fractions, "rate N=" + n, r.compare(plan.rate(n, TauShape.LOGNORMAL, plan.hetCv()),
          plan.rate(n, TauShape.HOMOGENEOUS, 0)));
    }
    for (TauShape s : List.of(TauShape.LOGNORMAL, TauShape.GAMMA, TauShape.UNIFORM, TauShape.NORMAL)) {
      addWin(labels, fractions, s.id() + " " + plan.shapeCv() + " N=" + plan.baseSize(),
          r.compare(plan.rate(plan.baseSize(), s, plan.shapeCv()), hom));
    }
    for (int n : plan.spikingSizes()) {
      for (String device : List.of(ReservoirConfig.REFERENCE, StudyPlan.CHIP)) {
        addWin(labels, fractions, "spiking " + n + " " + (device.equals(StudyPlan.CHIP) ? "chip" : "float"),
            r.compare(plan.spiking(n, TauShape.LOGNORMAL, plan.hetCv(), device),
                plan.spiking(n, TauShape.HOMOGENEOUS, 0, device)));
      }
    }
    if (!labels.isEmpty()) {
      win.addSeries("fraction improved", labels, fractions);
      save(win, dir.resolve("win-rate.png"), out);
    }

    XYChart gain = xy("Rate reservoirs (N=" + plan.baseSize() + "): NRMSE vs recurrent gain g", "g",
        "mean NRMSE over tasks");
    line(gain, "homogeneous", r, plan.gains(), plan.gains().stream().map(hom::withGain).toList());
    line(gain, "lognormal cv " + plan.hetCv(), r, plan.gains(), plan.gains().stream().map(het::withGain).toList());
    save(gain, dir.resolve("nrmse-vs-g.png"), out);

    CategoryChart shapes = new CategoryChartBuilder().width(W).height(H)
        .title("Equal mean and variance (cv " + plan.shapeCv() + "), N=" + plan.baseSize())
        .xAxisTitle("time-constant distribution").yAxisTitle("mean NRMSE over tasks").build();
    shapes.getStyler().setLegendVisible(false);
    shapes.getStyler().setXAxisLabelRotation(15);
    List<String> names = new ArrayList<>();
    List<Double> means = new ArrayList<>();
    List<Double> errors = new ArrayList<>();
    for (TauShape s : TauShape.values()) {
      ReservoirConfig c = plan.rate(plan.baseSize(), s, s == TauShape.HOMOGENEOUS ? 0 : plan.shapeCv());
      if (r.has(c)) {
        names.add(s.id() + (s.skewed() ? " (skewed)" : ""));
        means.add(r.meanNrmse(c));
        errors.add(StudyResults.sd(r.meanNrmsePerSeed(c)));
      }
    }
    if (!names.isEmpty()) {
      shapes.addSeries("mean NRMSE", names, means, errors);
      double lo = means.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      shapes.getStyler().setYAxisMin(Math.max(0, lo - 0.05));
      save(shapes, dir.resolve("skewed-vs-symmetric.png"), out);
    }

    XYChart spread = xy("Rate reservoirs (N=" + plan.baseSize() + "): NRMSE vs spread of lognormal tau",
        "coefficient of variation", "mean NRMSE over tasks");
    List<Double> cvs = new ArrayList<>();
    cvs.add(0.0);
    cvs.addAll(plan.spreads());
    List<ReservoirConfig> spreadConfigs = new ArrayList<>();
    for (double cv : cvs) {
      spreadConfigs.add(cv == 0 ? hom : plan.rate(plan.baseSize(), TauShape.LOGNORMAL, cv));
    }
    line(spread, "lognormal", r, cvs, spreadConfigs);
    save(spread, dir.resolve("nrmse-vs-spread.png"), out);

    XYChart train = xy("Rate reservoirs (N=" + plan.baseSize() + "): NRMSE vs training length",
        "training samples", "mean NRMSE over tasks");
    train.getStyler().setXAxisLogarithmic(true);
    List<Double> lengths = plan.trainLengths().stream().map(l -> (double) l).toList();
    line(train, "homogeneous", r, lengths, plan.trainLengths().stream().map(hom::withTrain).toList());
    line(train, "lognormal cv " + plan.hetCv(), r, lengths, plan.trainLengths().stream().map(het::withTrain).toList());
    save(train, dir.resolve("nrmse-vs-train.png"), out);

    XYChart chip = xy("Spiking reservoirs: emulated chip vs float reference, per task and seed",
        "NRMSE on the float reference", "NRMSE on the chip (emu:loihi)");
    chip.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    double max = 0;
    for (int n : plan.spikingSizes()) {
      for (TauShape s : List.of(TauShape.HOMOGENEOUS, TauShape.LOGNORMAL)) {
        double cv = s == TauShape.HOMOGENEOUS ? 0 : plan.hetCv();
        Map<String, Map<Long, Double>> ref = r.rows(plan.spiking(n, s, cv, ReservoirConfig.REFERENCE));
        Map<String, Map<Long, Double>> emu = r.rows(plan.spiking(n, s, cv, StudyPlan.CHIP));
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        ref.forEach((task, seeds) -> seeds.forEach((seed, v) -> {
          Double w = emu.getOrDefault(task, Map.of()).get(seed);
          if (w != null) {
            x.add(v);
            y.add(w);
          }
        }));
        if (!x.isEmpty()) {
          chip.addSeries(s.id() + " N=" + n, x, y).setMarker(SeriesMarkers.CIRCLE);
          max = Math.max(max, Math.max(x.stream().mapToDouble(d -> d).max().orElse(0),
              y.stream().mapToDouble(d -> d).max().orElse(0)));
        }
      }
    }
    if (!chip.getSeriesMap().isEmpty()) {
      XYSeries diag = chip.addSeries("chip = float", new double[] {0, max}, new double[] {0, max});
      diag.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE)
          .setLineColor(Color.GRAY);
      save(chip, dir.resolve("float-vs-chip.png"), out);
    }

    if (!plan.variabilities().isEmpty()) {
      CategoryChart mm = new CategoryChartBuilder().width(W).height(H)
          .title("Device mismatch as heterogeneity (spiking, chip)").xAxisTitle("chip")
          .yAxisTitle("mean NRMSE over tasks").build();
      for (int n : plan.spikingSizes()) {
        for (TauShape s : List.of(TauShape.HOMOGENEOUS, TauShape.LOGNORMAL)) {
          double cv = s == TauShape.HOMOGENEOUS ? 0 : plan.hetCv();
          List<String> chips = new ArrayList<>();
          List<Double> vals = new ArrayList<>();
          chips.add("nominal");
          vals.add(r.meanNrmse(plan.spiking(n, s, cv, StudyPlan.CHIP)));
          for (String preset : plan.variabilities()) {
            double sum = 0;
            int count = 0;
            for (long seed : plan.spikingSeeds()) {
              double m = r.meanNrmse(plan.spiking(n, s, cv, StudyPlan.variedChip(preset, seed)));
              if (!Double.isNaN(m)) {
                sum += m;
                count++;
              }
            }
            chips.add(preset);
            vals.add(count == 0 ? Double.NaN : sum / count);
          }
          if (vals.stream().noneMatch(v -> Double.isNaN(v))) {
            mm.addSeries(s.id() + " N=" + n, chips, vals);
          }
        }
      }
      if (!mm.getSeriesMap().isEmpty()) {
        save(mm, dir.resolve("mismatch.png"), out);
      }
    }
    return out;
  }

  private static void addWin(List<String> labels, List<Double> fractions, String label,
      StudyResults.Comparison c) {
    if (c.available()) {
      labels.add(label);
      fractions.add(c.fractionImproved());
    }
  }

  private static XYChart xy(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(x).yAxisTitle(y).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    return c;
  }

  private static void line(XYChart chart, String name, StudyResults r, List<Double> xs,
      List<ReservoirConfig> configs) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    List<Double> e = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      ReservoirConfig c = configs.get(i);
      if (r.has(c)) {
        x.add(xs.get(i));
        y.add(r.meanNrmse(c));
        e.add(StudyResults.sd(r.meanNrmsePerSeed(c)));
      }
    }
    if (!x.isEmpty()) {
      chart.addSeries(name, x, y, e).setMarker(SeriesMarkers.CIRCLE);
    }
  }

  private static void save(Chart<?, ?> chart, Path png, List<Path> out) {
    if (chart instanceof XYChart xy && xy.getSeriesMap().isEmpty()) {
      return;
    }
    try {
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
      out.add(png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
