package org.quench.runtime.campaign;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a campaign: per group of chips (a variability level, without or with
 * compensation) the distribution of every measured metric, the yield of the headline metric at
 * its threshold, and the worst chips with the command that reproduces each. Printed as text and
 * as one JSON object.
 */
public final class CampaignReport {
  /**
   * Chips of one variability level, compensated or not.
   *
   * @param variability the level
   * @param compensated whether compiled against each chip's profile
   * @param results the chips, by serial
   * @param distributions per measured metric, headline first
   * @param worst the worst chips by the headline metric, worst first
   */
  public record Group(String variability, boolean compensated, List<ChipResult> results,
      List<MetricDistribution> distributions, List<ChipResult> worst) {
    /** The headline metric's distribution. */
    public MetricDistribution headline() {
      return distributions.get(0);
    }

    /** A label for plots and tables: the level, with "+ compensation" when compensated. */
    public String label() {
      return compensated ? variability + " + compensation" : variability;
    }
  }

  /** Builds the command line that reproduces one chip's result. */
  public interface Reproducer {
    /** The exact {@code quench ...} command that recomputes chip {@code key} alone. */
    String command(ChipResult.ChipKey key);
  }

  private final CampaignMetric headline;
  private final List<CampaignMetric> metrics;
  private final ChipResult nominal;
  private final List<Group> groups;
  private final Reproducer reproducer;
  private final Map<String, String> facts;

  /**
   * Summarizes {@code results}.
   *
   * @param results chip results in any order
   * @param metrics metrics to report, headline first (others that were measured follow)
   * @param threshold yield threshold of the headline metric
   * @param worstCount how many worst chips to list per group
   * @param nominal the nominal chip's result
   * @param reproducer the command that reproduces a chip
   * @param facts campaign facts to print and store (image, inputs, timing...), in order
   */
  public CampaignReport(List<ChipResult> results, List<CampaignMetric> metrics, double threshold,
      int worstCount, ChipResult nominal, Reproducer reproducer, Map<String, String> facts) {
    this.headline = metrics.get(0);
    this.nominal = nominal;
    this.reproducer = reproducer;
    this.facts = new LinkedHashMap<>(facts);
    List<CampaignMetric> shown = new ArrayList<>(metrics);
    for (CampaignMetric m : CampaignMetric.values()) {
      if (!shown.contains(m) && !Double.isNaN(m.of(nominal))) {
        shown.add(m);
      }
    }
    this.metrics = List.copyOf(shown);
    Map<ChipResult.ChipKey, List<ChipResult>> byGroup = new LinkedHashMap<>();
    for (ChipResult r : results) {
      byGroup.computeIfAbsent(new ChipResult.ChipKey(0, r.variability(), r.compensated()),
          k -> new ArrayList<>()).add(r);
    }
    List<Group> list = new ArrayList<>();
    for (Map.Entry<ChipResult.ChipKey, List<ChipResult>> e : byGroup.entrySet()) {
      List<ChipResult> chips = new ArrayList<>(e.getValue());
      chips.sort(Comparator.comparingLong(ChipResult::serial));
      List<MetricDistribution> dists = new ArrayList<>();
      for (CampaignMetric m : this.metrics) {
        double[] values = chips.stream().mapToDouble(m::of).toArray();
        dists.add(MetricDistribution.of(m, values,
            m == headline ? threshold : m.defaultYieldThreshold()));
      }
      List<ChipResult> worst = new ArrayList<>(chips);
      worst.sort((a, b) -> {
        int c = headline.compareWorstFirst(headline.of(a), headline.of(b));
        return c != 0 ? c : Long.compare(a.serial(), b.serial());
      });
      worst = List.copyOf(worst.subList(0, Math.min(worstCount, worst.size())));
      list.add(new Group(e.getKey().variability(), e.getKey().compensated(), List.copyOf(chips),
          List.copyOf(dists), worst));
    }
    // Levels in the order met; within a level, uncompensated first.
    List<Group> ordered = new ArrayList<>();
    for (Group g : list) {
      if (!g.compensated()) {
        ordered.add(g);
        for (Group h : list) {
          if (h.compensated() && h.variability().equals(g.variability())) {
            ordered.add(h);
          }
        }
      }
    }
    for (Group g : list) {
      if (!ordered.contains(g)) {
        ordered.add(g);
      }
    }
    this.groups = List.copyOf(ordered);
  }

  public CampaignMetric headline() {
    return headline;
  }

  /** Reported metrics, headline first. */
  public List<CampaignMetric> metrics() {
    return metrics;
  }

  public List<Group> groups() {
    return groups;
  }

  public ChipResult nominal() {
    return nominal;
  }

  /** The reproduce command of one chip. */
  public String reproduce(ChipResult r) {
    return reproducer.command(r.key());
  }

  /** The report as a person reads it. */
  public String toText() {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, String> f : facts.entrySet()) {
      s.append(String.format(Locale.ROOT, "%-12s%s%n", f.getKey(), f.getValue()));
    }
    s.append(String.format(Locale.ROOT, "%-12s", "nominal"));
    List<String> parts = new ArrayList<>();
    for (CampaignMetric m : metrics) {
      parts.add(m.key() + " " + fmt(m.of(nominal)));
    }
    parts.add(String.format(Locale.ROOT, "output rate %.4f spikes/neuron/step", nominal.rate()));
    s.append(String.join(", ", parts)).append(System.lineSeparator());
    for (Group g : groups) {
      s.append(System.lineSeparator()).append(g.label()).append(String.format(Locale.ROOT,
          " (%d chips)%n", g.results().size()));
      s.append(String.format(Locale.ROOT, "  %-12s %8s %8s %8s %8s %8s %8s %8s  %s%n", "metric",
          "mean", "sd", "min", "p5", "median", "p95", "max", "yield"));
      for (MetricDistribution d : g.distributions()) {
        String yield = String.format(Locale.ROOT, "%5.1f%% %s %s", 100 * d.yield(),
            d.metric().higherIsBetter() ? ">=" : "<=", fmt(d.threshold()));
        if (d.undefined() > 0) {
          yield += " (" + d.undefined() + " undefined)";
        }
        s.append(String.format(Locale.ROOT, "  %-12s %8s %8s %8s %8s %8s %8s %8s  %s%n",
            d.metric().key(), fmt(d.mean()), fmt(d.sd()), fmt(d.min()), fmt(d.p5()), fmt(d.median()),
            fmt(d.p95()), fmt(d.max()), yield));
      }
      s.append("  worst by ").append(headline.key()).append(':').append(System.lineSeparator());
      for (ChipResult r : g.worst()) {
        s.append(String.format(Locale.ROOT, "    chip %-6d %8s   %s%n", r.serial(),
            fmt(headline.of(r)), reproduce(r)));
      }
    }
    return s.toString();
  }

  /** The report as one JSON object (NaN written as null). */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    JsonObject f = new JsonObject();
    facts.forEach(f::addProperty);
    o.add("campaign", f);
    o.addProperty("headline", headline.key());
    o.add("nominal", json(nominal));
    JsonArray gs = new JsonArray();
    for (Group g : groups) {
      JsonObject go = new JsonObject();
      go.addProperty("variability", g.variability());
      go.addProperty("compensated", g.compensated());
      go.addProperty("chips", g.results().size());
      JsonObject ms = new JsonObject();
      for (MetricDistribution d : g.distributions()) {
        JsonObject m = new JsonObject();
        number(m, "mean", d.mean());
        number(m, "sd", d.sd());
        number(m, "min", d.min());
        number(m, "p5", d.p5());
        number(m, "p25", d.p25());
        number(m, "median", d.median());
        number(m, "p75", d.p75());
        number(m, "p95", d.p95());
        number(m, "max", d.max());
        m.addProperty("undefined", d.undefined());
        number(m, "threshold", d.threshold());
        m.addProperty("thresholdIsMinimum", d.metric().higherIsBetter());
        number(m, "yield", d.yield());
        ms.add(d.metric().key(), m);
      }
      go.add("metrics", ms);
      JsonArray worst = new JsonArray();
      for (ChipResult r : g.worst()) {
        JsonObject w = json(r);
        w.addProperty("reproduce", reproduce(r));
        worst.add(w);
      }
      go.add("worst", worst);
      gs.add(go);
    }
    o.add("groups", gs);
    return o;
  }

  /** {@link #toJson()} pretty-printed. */
  public String toJsonText() {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJson());
  }

  private static JsonObject json(ChipResult r) {
    JsonObject o = new JsonObject();
    o.addProperty("serial", r.serial());
    o.addProperty("variability", r.variability());
    o.addProperty("compensated", r.compensated());
    number(o, CampaignMetric.CORRELATION.key(), r.correlation());
    number(o, CampaignMetric.AGREEMENT.key(), r.agreement());
    number(o, CampaignMetric.ACCURACY.key(), r.accuracy());
    number(o, "rate", r.rate());
    number(o, CampaignMetric.RATE_ERROR.key(), r.rateError());
    number(o, CampaignMetric.NRMSE.key(), r.nrmse());
    o.addProperty("outputSpikes", r.outputSpikes());
    return o;
  }

  private static void number(JsonObject o, String name, double v) {
    if (Double.isFinite(v)) {
      o.addProperty(name, v);
    } else {
      o.add(name, com.google.gson.JsonNull.INSTANCE);
    }
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    String text = String.format(Locale.ROOT, "%.4g", v);
    if (text.contains(".") && !text.contains("e")) {
      text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return text;
  }
}
