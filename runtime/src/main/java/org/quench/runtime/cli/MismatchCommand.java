package org.quench.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.quench.compiler.frontend.Frontends;
import org.quench.hal.ChipImages;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.campaign.CampaignCsv;
import org.quench.runtime.campaign.CampaignInputs;
import org.quench.runtime.campaign.CampaignMetric;
import org.quench.runtime.campaign.CampaignPlots;
import org.quench.runtime.campaign.CampaignReport;
import org.quench.runtime.campaign.ChipResult;
import org.quench.runtime.campaign.ChipRun;
import org.quench.runtime.campaign.CompensatedImages;
import org.quench.runtime.campaign.MismatchCampaign;
import org.quench.runtime.campaign.Serials;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.model.ModelCompilation;
import org.quench.runtime.model.ModelOptions;
import org.quench.runtime.work.WorkReport;
import org.quench.runtime.work.WorkRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quench mismatch}: a Monte-Carlo campaign over emulated chip instances. Runs the image on
 * chips 1..N of a variability level (in parallel), compares each with the nominal chip and
 * reports the distribution of the metrics, the yield and the worst chips with the command that
 * reproduces each; writes the per-chip CSV, a JSON summary and PNG plots. Campaign parts run
 * elsewhere ({@code --serials}) merge with {@code --merge}. See docs/mismatch-campaigns.md.
 */
@Command(
    name = "mismatch",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = {
        "Run a network on a batch of imperfect emulated chips and report how it fares.",
        "Chip S of level V is the device emu:CHIP?serial=S&variability=V; every chip runs every"
            + " input sample from its loaded state and is compared with the nominal (ideal) chip:"
            + " spike-count correlation, output argmax agreement, output rate error; accuracy with"
            + " --labels, NRMSE of a readout's v with --readout. Each chip's result is a pure"
            + " function of (image, variability, serial, inputs): same numbers on any thread count.",
        "Inputs: --input [TARGET=]FILE, --encode and --seed as for quench run (repeated --input"
            + " files make one input); a .npy with a leading sample axis, (samples, steps, width),"
            + " holds several samples. Without --input: seeded random spikes (--random-samples,"
            + " --random-rate, --steps, --seed). --seed seeds the input only, never the chips.",
        "Writes to --out: chips.csv (one row per chip), summary.json, histogram.png"
            + " (with --compensate: without and with compensation overlaid) and, for"
            + " --sweep-variability, sweep.png."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench mismatch braille.qimg --chips 1000 --variability analog --input braille-input.npy",
        "  quench mismatch braille.nir --discretize euler --chips 200 --variability analog --compensate",
        "  quench mismatch m.qimg --chips 500 --variability mild --input samples.npy --labels labels.npy"
            + "   (samples.npy: (samples, steps, width))",
        "  quench mismatch m.qimg --sweep-variability digital,mild,analog --chips 300 --metric agreement",
        "  quench mismatch m.qimg --variability analog --serials 1-500 --out part1     (one machine)",
        "  quench mismatch m.qimg --variability analog --serials 501-1000 --out part2  (another)",
        "  quench mismatch --merge part1/chips.csv part2/chips.csv --out all",
        "  quench mismatch m.qimg --variability analog --chips 5000 --cluster 10.0.0.5,10.0.0.6"
            + "   (on the workers of a cluster, docs/cluster.md)"})
final class MismatchCommand implements Callable<Integer> {
  /** Options that select chips or say where and how fast to run: not part of a chip's identity. */
  private static final Set<String> SELECTION_WITH_VALUE = Set.of("--chips", "--serials",
      "--variability", "--sweep-variability", "--out", "--threads", "--worst", "--yield-at",
      "--cluster", "--cluster-name", "--join-timeout");
  private static final Set<String> SELECTION_FLAGS = Set.of("--compensate", "-q", "--quiet", "--debug");
  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./=:,@%+-]+");

  @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE|MODEL",
      description = "A compiled image (.qimg or JSON), or a NIR/netx model compiled here first.")
  Path source;

  @Option(names = "--chips", paramLabel = "N", description = "Chips 1..N (default: ${DEFAULT-VALUE}).")
  long chips = 100;

  @Option(names = "--serials", paramLabel = "LIST",
      description = "Run exactly these serials instead, e.g. 1-500 or 7,12,40-49 (a campaign part).")
  String serials;

  @Option(names = "--variability", paramLabel = "PRESET|FILE",
      description = "Variability level: ideal, digital, mild, analog, or a model file.")
  String variability;

  @Option(names = "--sweep-variability", paramLabel = "A,B,...", split = ",",
      description = "Several levels (each with the same serials); adds sweep.png.")
  List<String> sweep = new ArrayList<>();

  @Option(names = "--compensate",
      description = "Also run each chip with its image compensated for the chip's own profile"
          + " (calibration-aware compiling, as compile --profile does).")
  boolean compensate;

  /**
   * --input, --encode and --seed exactly as quench run reads them; several samples come from a
   * leading sample axis in .npy files (docs/mismatch-campaigns.md#inputs).
   */
  @Mixin
  InputOptions input;

  @Option(names = "--steps", paramLabel = "N",
      description = "Steps per sample (default: each input's length; 200 for random input).")
  Integer steps;

  @Option(names = "--random-samples", paramLabel = "N", defaultValue = "1",
      description = "Without --input: this many samples of random input spikes, sample k seeded"
          + " with --seed + k (default: ${DEFAULT-VALUE}).")
  int randomSamples;

  @Option(names = "--random-rate", paramLabel = "P", defaultValue = "0.2",
      description = "Without --input: the random input's spike probability per channel and step"
          + " (default: ${DEFAULT-VALUE}).")
  double randomRate;

  @Option(names = "--labels", paramLabel = "L,L,...|FILE.npy",
      description = "The class of each sample: adds accuracy.")
  String labels;

  @Option(names = "--readout", paramLabel = "POPULATION",
      description = "A population whose v is the output: adds NRMSE vs nominal, and decodes the"
          + " class from it (largest summed v).")
  String readout;

  @Option(names = "--metric", paramLabel = "NAME",
      description = "Headline metric (first) and others to report: correlation (default),"
          + " agreement, accuracy, rate-error, nrmse.")
  List<String> metrics = new ArrayList<>();

  @Option(names = "--yield-at", paramLabel = "X",
      description = "Yield threshold of the headline metric (default: 0.9 for correlation,"
          + " agreement and accuracy; 0.1 for rate-error and nrmse).")
  Double yieldAt;

  @Option(names = "--worst", paramLabel = "K", defaultValue = "5",
      description = "Worst chips listed per group (default: ${DEFAULT-VALUE}).")
  int worst;

  @Option(names = "--threads", paramLabel = "T",
      description = "Chips run in parallel (default: available processors, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "quench-out/mismatch",
      description = "Output directory (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--merge", paramLabel = "CSV", arity = "1..*",
      description = "Instead of running: merge campaign parts (their chips.csv) and report.")
  List<Path> merge = new ArrayList<>();

  @Mixin
  ModelOptions modelOptions;

  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    List<CampaignMetric> chosen = new ArrayList<>();
    for (String m : metrics) {
      CampaignMetric metric = CampaignMetric.parse(m);
      if (!chosen.contains(metric)) {
        chosen.add(metric);
      }
    }
    if (chosen.isEmpty()) {
      chosen.add(CampaignMetric.CORRELATION);
    }
    if (worst < 0) {
      throw new QuenchException("--worst " + worst + " must not be negative");
    }
    if (!merge.isEmpty()) {
      return mergeParts(chosen);
    }
    if (source == null) {
      throw new QuenchException("give the IMAGE or MODEL to run (or --merge CSV... to merge parts)");
    }
    List<String> levels = levels();
    List<Long> chipSerials = serials != null ? Serials.parse(serials) : Serials.first(chips);
    Prepared prepared = prepare();
    MismatchCampaign campaign = MismatchCampaign.prepare(prepared.image, modelOptions.spec(), levels,
        prepared.samples, labels == null ? null : CampaignInputs.labels(labels), readout,
        prepared.compiler);
    checkMetrics(chosen, campaign);
    List<ChipRun> runs = campaign.runs(chipSerials, levels, compensate);
    long start = System.nanoTime();
    List<ChipResult> results;
    String where;
    WorkReport work;
    try (WorkRunner runner = cluster.runner(threads, spec);
        Progress bar = Progress.start("chips", runs.size(), CommandSupport.quiet(spec))) {
      where = runner.where();
      results = campaign.run(runner, runs, bar::stepTo);
      work = runner.lastReport();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("fingerprint", campaign.fingerprint());
    facts.put("source", source.toString());
    facts.put("chip", modelOptions.chip());
    facts.put("samples", prepared.description);
    facts.put("command", baseCommand());
    facts.put("nominal", csvRow(campaign.nominal()));
    Map<String, String> shown = new LinkedHashMap<>();
    shown.put("campaign", String.format(Locale.ROOT, "%d chip runs (%s; serials %s%s) on %s"
        + " in %.1f s = %.1f chips/s%s", runs.size(), String.join(", ", levels),
        serials != null ? serials : "1-" + chips, compensate ? "; each also compensated" : "",
        cluster.enabled() ? where : Math.min(threads, Math.max(1, runs.size())) + " threads",
        seconds, runs.size() / seconds, work.resumed() > 0
            ? String.format(Locale.ROOT, " (%d resumed from the cluster)", work.resumed()) : ""));
    shown.put("source", source + " on emu:" + modelOptions.chip());
    shown.put("inputs", prepared.description);
    shown.put("fingerprint", campaign.fingerprint().substring(0, 16));
    return report(chosen, results, campaign.nominal(), facts, shown, levels.size() > 1);
  }

  private int mergeParts(List<CampaignMetric> chosen) {
    CampaignCsv.Table table = CampaignCsv.merge(merge);
    Map<String, String> facts = table.facts();
    if (!facts.containsKey("nominal") || !facts.containsKey("command")) {
      throw new QuenchException(merge.get(0) + " lacks the '# nominal=' or '# command=' line that"
          + " quench mismatch writes; merge files written by quench mismatch");
    }
    ChipResult nominal = parseRow(facts.get("nominal"));
    List<String> levels = new ArrayList<>();
    for (ChipResult r : table.results()) {
      if (!levels.contains(r.variability())) {
        levels.add(r.variability());
      }
    }
    Map<String, String> shown = new LinkedHashMap<>();
    shown.put("campaign", table.results().size() + " chip runs merged from " + merge.size() + " part(s)");
    shown.put("source", facts.getOrDefault("source", "?") + " on emu:" + facts.getOrDefault("chip", "?"));
    shown.put("inputs", facts.getOrDefault("samples", "?"));
    shown.put("fingerprint", table.fingerprint().substring(0, Math.min(16, table.fingerprint().length())));
    return report(chosen, table.results(), nominal, facts, shown, levels.size() > 1);
  }

  private int report(List<CampaignMetric> chosen, List<ChipResult> results, ChipResult nominal,
      Map<String, String> facts, Map<String, String> shown, boolean sweepPlot) {
    CampaignMetric headline = chosen.get(0);
    double threshold = yieldAt != null ? yieldAt : headline.defaultYieldThreshold();
    String base = facts.get("command");
    CampaignReport report = new CampaignReport(results, chosen, threshold, worst, nominal,
        key -> reproduce(base, key), shown);
    Path csv = out.resolve("chips.csv");
    Path json = out.resolve("summary.json");
    Path histogram = out.resolve("histogram.png");
    CampaignCsv.write(csv, facts, results);
    try {
      Files.writeString(json, report.toJsonText() + System.lineSeparator(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new QuenchException("cannot write " + json + ": " + e.getMessage(), e);
    }
    CampaignPlots.histogram(report, histogram);
    PrintWriter w = spec.commandLine().getOut();
    w.print(report.toText());
    w.println();
    w.println("wrote " + csv + ", " + json + ", " + histogram);
    if (sweepPlot) {
      Path sweepPng = out.resolve("sweep.png");
      CampaignPlots.sweep(report, sweepPng);
      w.println("wrote " + sweepPng);
    }
    w.flush();
    return 0;
  }

  private List<String> levels() {
    List<String> levels = new ArrayList<>();
    if (variability != null) {
      levels.add(variability);
    }
    for (String s : sweep) {
      String level = s.strip();
      if (level.isEmpty()) {
        throw new QuenchException("--sweep-variability has an empty level; write e.g. mild,analog");
      }
      if (!levels.contains(level)) {
        levels.add(level);
      }
    }
    if (levels.isEmpty()) {
      throw new QuenchException("say which chips to draw: --variability PRESET|FILE (ideal, digital,"
          + " mild, analog) or --sweep-variability A,B,...");
    }
    return levels;
  }

  private static void checkMetrics(List<CampaignMetric> chosen, MismatchCampaign campaign) {
    if (chosen.contains(CampaignMetric.ACCURACY) && !campaign.hasLabels()) {
      throw new QuenchException("--metric accuracy needs --labels (the class of each sample)");
    }
    if (chosen.contains(CampaignMetric.NRMSE) && !campaign.hasReadout()) {
      throw new QuenchException("--metric nrmse needs --readout POPULATION (whose v is the output)");
    }
  }

  /** The image, samples and compensation of this command line. */
  private record Prepared(ChipImage image, List<Stimulus> samples, String description,
      MismatchCampaign.ChipCompiler compiler) {}

  /**
   * A compiled image is run as it is: an option that only shapes a compile (--dt, --discretize,
   * --max-tau-error, ...) would be silently ignored, so it is refused. --chip stays (the chips of
   * the campaign are of that spec); --profile has its own message above.
   */
  private void refuseCompileOptions() {
    for (picocli.CommandLine.Model.OptionSpec o : spec.mixins().get("modelOptions").options()) {
      String name = o.longestName();
      if (!name.equals("--chip") && spec.commandLine().getParseResult().hasMatchedOption(name)) {
        throw new QuenchException(name + " shapes how a model is compiled; " + source.getFileName()
            + " is already a compiled image (drop the option, or give the model to compile it here)");
      }
    }
  }

  private Prepared prepare() {
    if (!Files.exists(source)) {
      throw new QuenchException("file " + source + " does not exist: give a chip image (.qimg) or a"
          + " model (.nir, .net)");
    }
    if (modelOptions.profile() != null) {
      throw new QuenchException("--profile compensates for one measured chip; a campaign compensates"
          + " every chip for its own profile with --compensate");
    }
    ChipImage image;
    if (isModel(source)) {
      image = ModelCompilation.compile(source, modelOptions, (stage, i, n) -> { }).result().image();
    } else {
      refuseCompileOptions();
      image = ChipImages.read(source);
    }
    MismatchCampaign.ChipCompiler compiler = new CompensatedImages(image, modelOptions.spec());
    List<Stimulus> list = new ArrayList<>();
    String description;
    List<SpikeTrains> read = input.readSamples(image);
    if (read.isEmpty()) {
      int n = steps == null ? 200 : steps;
      if (n < 1) {
        throw new QuenchException("--steps " + n + " must be at least 1");
      }
      if (!(randomRate >= 0 && randomRate <= 1)) {
        throw new QuenchException("--random-rate " + randomRate + " must be a probability between 0"
            + " and 1");
      }
      list.addAll(CampaignInputs.poisson(image, n, randomRate, input.seed, randomSamples));
      description = String.format(Locale.ROOT, "%d sample(s) of %d steps of random input spikes,"
          + " p=%s per channel and step, input seed %d", randomSamples, n, randomRate, input.seed);
    } else {
      for (int k = 0; k < read.size(); k++) {
        long n = CommandSupport.steps(steps == null ? null : (long) steps, read.get(k));
        if (n < 1 || n > Integer.MAX_VALUE) {
          throw new QuenchException("--input " + input.describe() + ": sample " + k + " needs 1 to "
              + Integer.MAX_VALUE + " steps, got " + n);
        }
        list.add(read.get(k).chunk(0, (int) n));
      }
      description = list.size() + " sample(s) from " + input.describe()
          + (steps != null ? ", " + steps + " steps each" : "");
    }
    return new Prepared(image, list, description, compiler);
  }

  private static boolean isModel(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".qimg") || name.endsWith(".json")) {
      return false;
    }
    if (name.endsWith(".nir") || name.endsWith(".net")) {
      return true;
    }
    try {
      Frontends.detect(file);
      return true;
    } catch (QuenchException e) {
      return false;
    }
  }

  /**
   * This command line without its chip selection, output and speed options: what every chip of
   * the campaign shares. {@link #reproduce} adds one chip's selection back.
   */
  private String baseCommand() {
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    List<String> kept = new ArrayList<>();
    kept.add("quench");
    kept.add("mismatch");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
      if (SELECTION_WITH_VALUE.contains(name)) {
        if (!a.contains("=")) {
          i++;
        }
        continue;
      }
      if (SELECTION_FLAGS.contains(a) || a.equals("mismatch")) {
        continue;
      }
      kept.add(shellQuote(a));
    }
    return String.join(" ", kept);
  }

  private String reproduce(String base, ChipResult.ChipKey key) {
    StringBuilder s = new StringBuilder(base);
    s.append(" --variability ").append(shellQuote(key.variability()));
    s.append(" --serials ").append(key.serial());
    if (key.compensated()) {
      s.append(" --compensate");
    }
    s.append(" --out ").append(shellQuote(out.resolve("chip-" + key.serial()).toString()));
    return s.toString();
  }

  static String shellQuote(String arg) {
    if (SHELL_SAFE.matcher(arg).matches()) {
      return arg;
    }
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  private static String csvRow(ChipResult r) {
    return CampaignCsv.row(r);
  }

  private static ChipResult parseRow(String row) {
    return CampaignCsv.parseRow(row, "the '# nominal=' line of " + "the first --merge file");
  }
}
