package org.quench.examples.heterogeneity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The five claims of issue 11, each judged from the study's rows by paired comparisons across
 * tasks ({@link StudyResults#compare}); docs/heterogeneity-study.md states the exact rule for each
 * verdict. A claim whose rows are missing is "not measured", never "holds".
 */
final class Claims {
  /** One line of the claims table. */
  record Verdict(int number, String claim, String measured, String verdict, String effect,
      String improved, String test) {}

  /** A named comparison, kept for the detail table. */
  record Named(String name, StudyResults.Comparison comparison) {}

  private final StudyPlan plan;
  private final StudyResults results;
  private final List<Named> details = new ArrayList<>();

  Claims(StudyPlan plan, StudyResults results) {
    this.plan = plan;
    this.results = results;
  }

  /** Every comparison the verdicts used, in the order made. */
  List<Named> details() {
    return details;
  }

  List<Verdict> verdicts() {
    List<Verdict> v = new ArrayList<>();
    v.add(claim1());
    v.add(claim2());
    v.add(claim3());
    v.add(claim4());
    v.add(claim5());
    return v;
  }

  private StudyResults.Comparison named(String name, StudyResults.Comparison c) {
    details.add(new Named(name, c));
    return c;
  }

  private StudyResults.Comparison named(String name, ReservoirConfig a, ReservoirConfig b) {
    return named(name, results.compare(a, b));
  }

  private Verdict claim1() {
    int n = plan.claimSize();
    StudyResults.Comparison rate = named("rate N=" + n + ": lognormal cv " + plan.hetCv() + " vs homogeneous",
        plan.rate(n, TauShape.LOGNORMAL, plan.hetCv()), plan.rate(n, TauShape.HOMOGENEOUS, 0));
    List<StudyResults.Comparison> spiking = new ArrayList<>();
    for (int s : plan.spikingSizes()) {
      for (String device : List.of(ReservoirConfig.REFERENCE, StudyPlan.CHIP)) {
        spiking.add(named("spiking N=" + s + " on " + device + ": lognormal vs homogeneous",
            plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), device),
            plan.spiking(s, TauShape.HOMOGENEOUS, 0, device)));
      }
    }
    List<StudyResults.Comparison> all = new ArrayList<>(spiking);
    all.add(0, rate);
    List<String> labels = new ArrayList<>(List.of("rate"));
    for (int s : plan.spikingSizes()) {
      labels.add("spiking " + s + " float");
      labels.add("spiking " + s + " chip");
    }
    String verdict = verdict(all.stream().allMatch(StudyResults.Comparison::available),
        all.stream().allMatch(StudyResults.Comparison::better));
    return new Verdict(1, "Fixed heterogeneity improves performance across hundreds of tasks, rate and spiking",
        "lognormal (cv " + plan.hetCv() + ") vs homogeneous tau at equal mean: rate N=" + n
            + ", spiking N=" + plan.spikingSizes() + " on the float reference and the chip",
        verdict, gains(all, labels), fractions(all, labels), tests(all, labels));
  }

  private Verdict claim2() {
    List<StudyResults.Comparison> size = new ArrayList<>();
    List<Integer> sizes = plan.sizes();
    for (int i = 0; i + 1 < sizes.size(); i++) {
      int small = sizes.get(i);
      int large = sizes.get(i + 1);
      size.add(named("rate: lognormal N=" + small + " vs homogeneous N=" + large,
          plan.rate(small, TauShape.LOGNORMAL, plan.hetCv()), plan.rate(large, TauShape.HOMOGENEOUS, 0)));
    }
    List<StudyResults.Comparison> data = new ArrayList<>();
    List<Integer> lengths = plan.trainLengths();
    for (int i = 0; i + 1 < lengths.size(); i++) {
      data.add(named("rate N=" + plan.baseSize() + ": lognormal trained on " + lengths.get(i)
              + " vs homogeneous on " + lengths.get(i + 1) + " samples",
          plan.rate(plan.baseSize(), TauShape.LOGNORMAL, plan.hetCv()).withTrain(lengths.get(i)),
          plan.rate(plan.baseSize(), TauShape.HOMOGENEOUS, 0).withTrain(lengths.get(i + 1))));
    }
    List<StudyResults.Comparison> all = new ArrayList<>(size);
    all.addAll(data);
    List<String> labels = new ArrayList<>();
    for (int i = 0; i + 1 < sizes.size(); i++) {
      labels.add("N " + sizes.get(i) + " vs " + sizes.get(i + 1));
    }
    for (int i = 0; i + 1 < lengths.size(); i++) {
      labels.add("train " + lengths.get(i) + " vs " + lengths.get(i + 1));
    }
    long sizeWins = size.stream().filter(StudyResults.Comparison::better).count();
    long dataWins = data.stream().filter(StudyResults.Comparison::better).count();
    boolean available = all.stream().allMatch(StudyResults.Comparison::available);
    String verdict = !available ? "not measured"
        : sizeWins == size.size() && dataWins == data.size() ? "holds"
        : sizeWins + dataWins == 0 ? "does not hold"
        : "partly (" + sizeWins + "/" + size.size() + " size pairs, " + dataWins + "/" + data.size()
            + " data pairs)";
    return new Verdict(2, "Smaller heterogeneous networks beat larger homogeneous ones, with less training data",
        "rate: lognormal N vs homogeneous 2N for N in " + sizes.subList(0, sizes.size() - 1)
            + "; lognormal with half the training samples of homogeneous (N=" + plan.baseSize() + ")",
        verdict, gains(all, labels), fractions(all, labels), tests(all, labels));
  }

  private Verdict claim3() {
    int n = plan.baseSize();
    double cv = plan.shapeCv();
    Map<String, Map<Long, Double>> skewed = average(
        results.rows(plan.rate(n, TauShape.LOGNORMAL, cv)), results.rows(plan.rate(n, TauShape.GAMMA, cv)));
    Map<String, Map<Long, Double>> symmetric = average(
        results.rows(plan.rate(n, TauShape.UNIFORM, cv)), results.rows(plan.rate(n, TauShape.NORMAL, cv)));
    Map<String, Map<Long, Double>> hom = results.rows(plan.rate(n, TauShape.HOMOGENEOUS, 0));
    StudyResults.Comparison sk = named("rate N=" + n + ": skewed (lognormal, gamma) vs symmetric (uniform, normal), cv " + cv,
        StudyResults.compare(skewed, symmetric));
    StudyResults.Comparison skHom = named("rate N=" + n + ": skewed vs homogeneous", StudyResults.compare(skewed, hom));
    StudyResults.Comparison symHom = named("rate N=" + n + ": symmetric vs homogeneous", StudyResults.compare(symmetric, hom));
    for (TauShape s : List.of(TauShape.LOGNORMAL, TauShape.GAMMA, TauShape.UNIFORM, TauShape.NORMAL)) {
      named("rate N=" + n + ": " + s.id() + " cv " + cv + " vs homogeneous",
          plan.rate(n, s, cv), plan.rate(n, TauShape.HOMOGENEOUS, 0));
    }
    List<StudyResults.Comparison> all = List.of(sk, skHom, symHom);
    List<String> labels = List.of("skewed vs symmetric", "skewed vs hom.", "symmetric vs hom.");
    boolean available = all.stream().allMatch(StudyResults.Comparison::available);
    String verdict;
    if (!available) {
      verdict = "not measured";
    } else if (sk.better() && !symHom.better()) {
      verdict = "holds";
    } else if (sk.better()) {
      verdict = "partly: skewed beat symmetric, but symmetric also beat homogeneous";
    } else if (symHom.better() && skHom.better()) {
      verdict = "does not hold: both skewed and symmetric beat homogeneous, skewed not better than symmetric";
    } else {
      verdict = "does not hold";
    }
    return new Verdict(3, "Only skewed tau distributions give the gain, not symmetric ones of the same variance",
        "rate N=" + n + ", equal mean and cv " + cv + ": skewed vs symmetric, skewed vs homogeneous,"
            + " symmetric vs homogeneous",
        verdict, gains(all, labels), fractions(all, labels), tests(all, labels));
  }

  private Verdict claim4() {
    int n = plan.baseSize();
    Map<String, Map<Long, Double>> hetSens = sensitivity(TauShape.LOGNORMAL, plan.hetCv());
    Map<String, Map<Long, Double>> homSens = sensitivity(TauShape.HOMOGENEOUS, 0);
    StudyResults.Comparison robust = named("rate N=" + n + ": spread of NRMSE over g " + plan.gains()
        + " (max - min), lognormal vs homogeneous", StudyResults.compare(hetSens, homSens));
    ReservoirConfig het = plan.rate(n, TauShape.LOGNORMAL, plan.hetCv());
    StudyResults.Comparison noRec = named("rate N=" + n + ": lognormal without recurrence (g=0) vs g="
        + StudyPlan.BASE_GAIN, het.withGain(0), het.withGain(StudyPlan.BASE_GAIN));
    named("rate N=" + n + ": homogeneous without recurrence (g=0) vs g=" + StudyPlan.BASE_GAIN,
        plan.rate(n, TauShape.HOMOGENEOUS, 0).withGain(0),
        plan.rate(n, TauShape.HOMOGENEOUS, 0).withGain(StudyPlan.BASE_GAIN));
    List<StudyResults.Comparison> all = List.of(robust, noRec);
    List<String> labels = List.of("spread over g", "g=0 vs g=" + StudyPlan.BASE_GAIN);
    boolean available = all.stream().allMatch(StudyResults.Comparison::available);
    String verdict = !available ? "not measured"
        : robust.better() && !noRec.worse() ? "holds"
        : robust.better() ? "partly: less sensitive to g, but removing recurrence hurts"
        : !noRec.worse() ? "partly: removing recurrence does not hurt, but not less sensitive to g"
        : "does not hold";
    return new Verdict(4, "Heterogeneous networks are robust to large changes of the recurrent weights; removing recurrence does not hurt",
        "rate N=" + n + ": per-task spread of NRMSE over g in " + plan.gains()
            + " (lognormal vs homogeneous); lognormal at g=0 vs g=" + StudyPlan.BASE_GAIN,
        verdict, gains(all, labels), fractions(all, labels), tests(all, labels));
  }

  private Verdict claim5() {
    List<StudyResults.Comparison> deploy = new ArrayList<>();
    List<StudyResults.Comparison> reference = new ArrayList<>();
    List<StudyResults.Comparison> mismatch = new ArrayList<>();
    for (int s : plan.spikingSizes()) {
      deploy.add(results.compare(plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), StudyPlan.CHIP),
          plan.spiking(s, TauShape.HOMOGENEOUS, 0, StudyPlan.CHIP)));
      reference.add(results.compare(plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), ReservoirConfig.REFERENCE),
          plan.spiking(s, TauShape.HOMOGENEOUS, 0, ReservoirConfig.REFERENCE)));
      named("spiking N=" + s + ": chip vs float reference, homogeneous",
          plan.spiking(s, TauShape.HOMOGENEOUS, 0, StudyPlan.CHIP),
          plan.spiking(s, TauShape.HOMOGENEOUS, 0, ReservoirConfig.REFERENCE));
      named("spiking N=" + s + ": chip vs float reference, lognormal",
          plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), StudyPlan.CHIP),
          plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), ReservoirConfig.REFERENCE));
      ReservoirConfig.InputMode bias = ReservoirConfig.InputMode.BIAS;
      named("spiking N=" + s + " on the chip, input as bias: lognormal vs homogeneous",
          plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), StudyPlan.CHIP).withInputMode(bias),
          plan.spiking(s, TauShape.HOMOGENEOUS, 0, StudyPlan.CHIP).withInputMode(bias));
      named("spiking N=" + s + " on the chip, lognormal: input as bias vs graded input",
          plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), StudyPlan.CHIP).withInputMode(bias),
          plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), StudyPlan.CHIP));
      for (String preset : plan.variabilities()) {
        mismatch.add(named("spiking N=" + s + ": homogeneous on chips with '" + preset
            + "' variability vs nominal chip", varied(s, TauShape.HOMOGENEOUS, 0, preset),
            rowsOf(plan.spiking(s, TauShape.HOMOGENEOUS, 0, StudyPlan.CHIP))));
        named("spiking N=" + s + ": lognormal on chips with '" + preset + "' variability vs nominal chip",
            varied(s, TauShape.LOGNORMAL, plan.hetCv(), preset),
            rowsOf(plan.spiking(s, TauShape.LOGNORMAL, plan.hetCv(), StudyPlan.CHIP)));
      }
    }
    boolean available = deploy.stream().allMatch(StudyResults.Comparison::available)
        && reference.stream().allMatch(StudyResults.Comparison::available);
    boolean keeps = true;
    for (int i = 0; i < deploy.size(); i++) {
      keeps &= deploy.get(i).better()
          && deploy.get(i).medianGain() >= 0.5 * reference.get(i).medianGain();
    }
    boolean mismatchMeasured = !mismatch.isEmpty() && mismatch.stream().allMatch(StudyResults.Comparison::available);
    boolean mismatchHelps = mismatchMeasured && mismatch.stream().allMatch(StudyResults.Comparison::better);
    String verdict = !available ? "not measured"
        : (keeps ? "deployment keeps the gain" : "deployment does not keep the gain")
            + "; mismatch as heterogeneity: " + (!mismatchMeasured ? "not measured (no variability presets in this build)"
            : mismatchHelps ? "holds" : "does not hold");
    List<StudyResults.Comparison> all = new ArrayList<>(deploy);
    all.addAll(mismatch);
    List<String> labels = new ArrayList<>();
    for (int s : plan.spikingSizes()) {
      labels.add("chip N=" + s);
    }
    for (int s : plan.spikingSizes()) {
      for (String preset : plan.variabilities()) {
        labels.add(preset + " vs nominal N=" + s);
      }
    }
    return new Verdict(5, "(Quench) Device mismatch on a homogeneous design acts as free heterogeneity; deployment keeps the gain",
        "spiking N=" + plan.spikingSizes() + ": lognormal vs homogeneous on the chip (quantized, Loihi profile"
            + " budget) against the same on the float reference"
            + (plan.variabilities().isEmpty() ? "" : "; homogeneous on varied chips " + plan.variabilities()
            + " vs nominal"),
        verdict, gains(all, labels), fractions(all, labels), tests(all, labels));
  }

  private Map<String, Map<Long, Double>> rowsOf(ReservoirConfig c) {
    return results.rows(c);
  }

  /** Rows of chips with a variability preset; each seed ran on the chip whose serial is the seed. */
  private Map<String, Map<Long, Double>> varied(int n, TauShape shape, double cv, String preset) {
    Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
    for (long seed : plan.spikingSeeds()) {
      results.rows(plan.spiking(n, shape, cv, StudyPlan.variedChip(preset, seed))).forEach((task, seeds) -> {
        Double v = seeds.get(seed);
        if (v != null) {
          out.computeIfAbsent(task, t -> new TreeMap<>()).put(seed, v);
        }
      });
    }
    return out;
  }

  private StudyResults.Comparison named(String name, Map<String, Map<Long, Double>> a,
      Map<String, Map<Long, Double>> b) {
    return named(name, StudyResults.compare(a, b));
  }

  /**
   * Per task and seed, max - min of NRMSE over the gain sweep (absolute: NRMSE is already
   * normalised, and a ratio would explode on tasks solved almost exactly).
   */
  private Map<String, Map<Long, Double>> sensitivity(TauShape shape, double cv) {
    Map<String, Map<Long, Double>> lo = new LinkedHashMap<>();
    Map<String, Map<Long, Double>> hi = new LinkedHashMap<>();
    Map<String, Map<Long, Integer>> count = new LinkedHashMap<>();
    for (double g : plan.gains()) {
      results.rows(plan.rate(plan.baseSize(), shape, cv).withGain(g)).forEach((task, seeds) ->
          seeds.forEach((s, v) -> {
            lo.computeIfAbsent(task, t -> new TreeMap<>()).merge(s, v, Math::min);
            hi.computeIfAbsent(task, t -> new TreeMap<>()).merge(s, v, Math::max);
            count.computeIfAbsent(task, t -> new TreeMap<>()).merge(s, 1, Integer::sum);
          }));
    }
    Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
    lo.forEach((task, seeds) -> seeds.forEach((s, min) -> {
      if (count.get(task).get(s) == plan.gains().size()) {
        out.computeIfAbsent(task, t -> new TreeMap<>()).put(s, hi.get(task).get(s) - min);
      }
    }));
    return out;
  }

  private static Map<String, Map<Long, Double>> average(Map<String, Map<Long, Double>> a,
      Map<String, Map<Long, Double>> b) {
    Map<String, Map<Long, Double>> out = new LinkedHashMap<>();
    a.forEach((task, seeds) -> seeds.forEach((s, v) -> {
      Double w = b.getOrDefault(task, Map.of()).get(s);
      if (w != null) {
        out.computeIfAbsent(task, t -> new TreeMap<>()).put(s, 0.5 * (v + w));
      }
    }));
    return out;
  }

  private static String verdict(boolean available, boolean holds) {
    return !available ? "not measured" : holds ? "holds" : "does not hold";
  }

  private static String gains(List<StudyResults.Comparison> cs, List<String> labels) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < cs.size(); i++) {
      StudyResults.Comparison c = cs.get(i);
      parts.add(labels.get(i) + ": " + (c.available() ? String.format("%+.1f%% (seeds %+.1f ± %.1f%%)", 100 * c.medianGain(),
          100 * c.gainMeanOverSeeds(), 100 * c.gainSdOverSeeds()) : "n/a"));
    }
    return String.join("<br>", parts);
  }

  private static String fractions(List<StudyResults.Comparison> cs, List<String> labels) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < cs.size(); i++) {
      StudyResults.Comparison c = cs.get(i);
      parts.add(labels.get(i) + ": " + (c.available()
          ? String.format("%d/%d", Math.round(c.fractionImproved() * c.tasks()), c.tasks()) : "n/a"));
    }
    return String.join("<br>", parts);
  }

  private static String tests(List<StudyResults.Comparison> cs, List<String> labels) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < cs.size(); i++) {
      StudyResults.Comparison c = cs.get(i);
      parts.add(labels.get(i) + ": " + (c.available() ? "p=" + StudySummary.p(c.wilcoxonP()) : "n/a"));
    }
    return String.join("<br>", parts);
  }
}
