package org.quench.runtime.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.Symbol;
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
 *
 * <p>Every spike is drawn once: a spikes probe or output port whose chip neurons are all among
 * another's (an output port that is a probed population, a probed part of a population probed
 * whole or sent to a port) is left out, and {@link #write} says where its spikes are. Of two with
 * the same neurons the probe stays. Two that share only some neurons are both drawn, and
 * {@link #write} says how many are drawn twice. So is every traced neuron: of the neurons a v or u probe
 * would trace, those an earlier probe of the same kind already traces (a population probed whole
 * and in part) are left out of it, and {@link #write} says which and where they are. See
 * docs/cli-commands.md.
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

  private final ChipImage image;
  private final long totalSteps;
  private final double dtSeconds;
  private final int window;
  private final long binSteps;
  private final int bins;
  private final Map<String, SpikeSource> spikes = new LinkedHashMap<>();
  private final Map<String, TraceSource> traces = new LinkedHashMap<>();
  /** Spike sources left out because another shows all their neurons: name to where they are. */
  private final Map<String, String> shownWithin = new LinkedHashMap<>();
  /**
   * Drawn spike sources that share chip neurons with an earlier drawn one without either holding
   * all of the other's (spikes:p[0:4] and spikes:p[2:6]): what they share is drawn in both.
   */
  private final List<String> sharedWith = new ArrayList<>();
  /**
   * Traced neurons left out of a v/u probe because an earlier probe of the same kind traces them:
   * probe (as spelled on the command line) to, per probe that traces them, their population indices.
   */
  private final Map<String, Map<String, List<Integer>>> tracedWithin = new LinkedHashMap<>();
  private boolean sourcesChosen;
  private long seen;

  /**
   * Plots of a run of {@code image} for {@code totalSteps} steps of {@code dtSeconds} each (NaN
   * when unknown); raster and traces show the first {@code windowSteps} steps. The image says
   * which chip neurons each probe and output port shows, so none is drawn twice.
   */
  public RunPlots(ChipImage image, long totalSteps, double dtSeconds, int windowSteps) {
    if (totalSteps <= 0) {
      throw new QuenchException("--plot: a run of " + totalSteps + " steps has nothing to plot");
    }
    this.image = image;
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
    if (!sourcesChosen) {
      chooseSpikeSources(chunk);
      chooseTraceSources(chunk);
    }
    int n = chunk.steps();
    for (Map.Entry<Probe, RunResult.Trace> e : chunk.traces().entrySet()) {
      Probe p = e.getKey();
      RunResult.Trace t = e.getValue();
      String name = p.population() + range(p);
      if (p.kind() == ProbeKind.SPIKES) {
        SpikeSource s = spikes.get(name);
        for (int step = 0; s != null && step < n; step++) {
          for (int i = 0; i < t.width(); i++) {
            if (t.values()[step * t.width() + i] != 0) {
              spike(s, step, i);
            }
          }
        }
      } else {
        TraceSource s = traces.get(name + " " + p.kind().name().toLowerCase(Locale.ROOT));
        for (int step = 0; s != null && step < n && seen + step < window; step++) {
          for (int j = 0; j < s.neurons.length; j++) {
            s.window[(int) (seen + step)][j] = t.values()[step * t.width() + s.neurons[j]];
          }
        }
      }
    }
    for (Map.Entry<String, RunResult.SpikeEvents> e : chunk.outputs().entrySet()) {
      RunResult.SpikeEvents ev = e.getValue();
      SpikeSource s = spikes.get("output " + e.getKey());
      for (int k = 0; s != null && k < ev.count(); k++) {
        if (ev.values()[k] != 0) {
          spike(s, ev.steps()[k], ev.indices()[k]);
        }
      }
    }
    seen += n;
  }

  /**
   * Decides, from the first chunk's spikes probes and output ports, which are drawn: in that
   * order, each unless all its chip neurons are among those of another (of two with the same
   * neurons, the first).
   */
  private void chooseSpikeSources(RunResult chunk) {
    sourcesChosen = true;
    Map<String, Set<Long>> neurons = new LinkedHashMap<>();
    Map<String, Integer> widths = new LinkedHashMap<>();
    Map<String, String> spelled = new LinkedHashMap<>();
    chunk.traces().forEach((p, t) -> {
      if (p.kind() == ProbeKind.SPIKES) {
        String name = p.population() + range(p);
        neurons.put(name, probedNeurons(p, t.width()));
        widths.put(name, t.width());
        spelled.put(name, "spikes:" + name);
      }
    });
    chunk.outputs().forEach((port, ev) -> {
      String name = "output " + port;
      neurons.put(name, portNeurons(port));
      widths.put(name, ev.width());
      spelled.put(name, "output port " + port);
    });
    List<String> names = List.copyOf(neurons.keySet());
    List<String> hidden = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Set<Long> mine = neurons.get(names.get(i));
      for (int j = 0; j < names.size() && mine != null; j++) {
        Set<Long> other = neurons.get(names.get(j));
        if (j != i && other != null && other.containsAll(mine) && (other.size() > mine.size() || j < i)) {
          hidden.add(names.get(i));
          break;
        }
      }
    }
    for (String name : names) {
      if (!hidden.contains(name)) {
        spikes.put(name, new SpikeSource(widths.get(name), window, bins));
      }
    }
    // Containment is transitive, so a drawn source holds every neuron of each one left out.
    for (String name : hidden) {
      shownWithin.put(spelled.get(name), spikes.keySet().stream()
          .filter(d -> neurons.get(d) != null && neurons.get(d).containsAll(neurons.get(name)))
          .findFirst().map(spelled::get).orElseThrow());
    }
    // A part overlap leaves both drawn (each band is a probe or port as asked), so write says it.
    List<String> drawn = List.copyOf(spikes.keySet());
    for (int i = 1; i < drawn.size(); i++) {
      Set<Long> mine = neurons.get(drawn.get(i));
      for (int j = 0; j < i && mine != null; j++) {
        Set<Long> other = neurons.get(drawn.get(j));
        long shared = other == null ? 0 : mine.stream().filter(other::contains).count();
        if (shared > 0) {
          sharedWith.add(shared + " neuron(s) of " + spelled.get(drawn.get(i)) + " also in "
              + spelled.get(drawn.get(j)));
        }
      }
    }
  }

  /**
   * Decides, from the first chunk's v and u probes, which neurons each traces: up to {@value
   * #TRACED} spread over the probe, less those an earlier probe of the same kind already traces
   * (a neuron of a population is the same neuron in every probe of it).
   */
  private void chooseTraceSources(RunResult chunk) {
    // "v hidden #3" to the probe that traces it.
    Map<String, String> tracedBy = new LinkedHashMap<>();
    chunk.traces().forEach((p, t) -> {
      if (p.kind() == ProbeKind.SPIKES) {
        return;
      }
      String kind = p.kind().name().toLowerCase(Locale.ROOT);
      String name = p.population() + range(p);
      String spelled = kind + ":" + name;
      List<Integer> kept = new ArrayList<>();
      for (int i : spread(t.width())) {
        String neuron = kind + " " + p.population() + " #" + (p.first() + i);
        String holder = tracedBy.putIfAbsent(neuron, spelled);
        if (holder == null) {
          kept.add(i);
        } else {
          tracedWithin.computeIfAbsent(spelled, k -> new LinkedHashMap<>())
              .computeIfAbsent(holder, k -> new ArrayList<>()).add(p.first() + i);
        }
      }
      if (!kept.isEmpty()) {
        traces.put(name + " " + kind, new TraceSource(kind, p.first(),
            kept.stream().mapToInt(Integer::intValue).toArray(), window));
      }
    });
  }

  /** The chip neurons (chip, core, neuron) a spikes probe reads, or null when the image does not say. */
  private Set<Long> probedNeurons(Probe p, int width) {
    for (Symbol symbol : image.getSymbolsList()) {
      if (symbol.getPopulation().equals(p.population())) {
        return chipNeurons(symbol.getRangesList(), p.first(), width);
      }
    }
    return null;
  }

  private Set<Long> portNeurons(String port) {
    for (OutputPort o : image.getOutputsList()) {
      if (o.getName().equals(port)) {
        return chipNeurons(o.getSourcesList(), 0, o.getWidth());
      }
    }
    return null;
  }

  /** Elements {@code [first, first + count)} of a population or port laid out as {@code ranges}. */
  private static Set<Long> chipNeurons(List<NeuronRange> ranges, int first, int count) {
    Set<Long> chip = new HashSet<>();
    for (NeuronRange r : ranges) {
      for (int i = 0; i < r.getCount(); i++) {
        long index = r.getOffset() + (long) i;
        if (index >= first && index < first + (long) count) {
          chip.add((long) r.getCore().getChip() << 40 | (long) r.getCore().getCore() << 20 | (r.getNeuronFirst() + i));
        }
      }
    }
    return chip;
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
    String shown = switch (kind) {
      case RASTER -> "spike raster of the first " + window + " steps";
      case TRACES -> "traces of the first " + window + " steps";
      case RATES -> "firing-rate histogram and rate over time, " + steps + " steps";
      case ALL -> traces.isEmpty()
          ? "raster (first " + window + " steps), rate histogram and rate over time (" + steps
              + " steps) in a 2 x 2 grid; no traces panel: no v or u probe"
          : "raster and traces (first " + window + " steps), rate histogram and rate over time ("
              + steps + " steps) in a 2 x 2 grid";
    };
    List<String> within = new ArrayList<>();
    if (kind != Kind.TRACES) {
      shownWithin.forEach((left, holder) -> within.add(left + " within " + holder));
    }
    if (kind == Kind.TRACES || kind == Kind.ALL && !traces.isEmpty()) {
      tracedWithin.forEach((left, holders) -> holders.forEach((holder, neurons) -> within.add(left + " "
          + String.join(", ", neurons.stream().map(i -> "#" + i).toList()) + " within " + holder)));
    }
    String said = within.isEmpty() ? shown : shown + "; drawn once: " + String.join(", ", within);
    return kind == Kind.TRACES || sharedWith.isEmpty() ? said
        : said + "; drawn twice: " + String.join(", ", sharedWith);
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
    SpikePlots.writePng(png, out -> ImageIO.write(image, "png", out));
  }
}
