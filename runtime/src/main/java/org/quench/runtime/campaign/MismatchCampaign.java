package org.quench.runtime.campaign;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.quench.emulator.EmulatorDevice;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.DeviceProfile;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.OutputPort;
import org.quench.runtime.work.WorkListener;
import org.quench.runtime.work.WorkRunner;

/**
 * The shared, immutable set-up of a mismatch campaign: the nominal image, the chip spec and the
 * variability levels (each resolved once, files read here), the samples every chip runs, optional
 * labels and readout, and the nominal chip's outputs that the metrics compare against. Built once
 * ({@link #prepare}); every {@link ChipRun} reads it and nothing writes it, so any number of
 * threads (or processes that build the same set-up) share it.
 *
 * <p>Chip S of level V is the emulated device {@code emu:CHIP?serial=S&variability=V&threads=1}
 * (one emulator thread per chip, the campaign's parallelism being across chips), built here from
 * the resolved spec and model rather than by reopening their files for every chip. The nominal
 * chip is the ideal device ({@code variability=ideal}, serial 0).
 */
public final class MismatchCampaign {
  /** The variability level of an ideal chip (no deviation at all). */
  public static final String IDEAL = "ideal";

  private final ChipImage image;
  private final ChipSpec spec;
  private final Map<String, VariabilityLevel> levels;
  private final Map<String, VariabilityLevel> levelsById;
  private final List<Stimulus> samples;
  private final int[] labels;
  private final String readout;
  private final ChipCompiler compiler;
  private final List<String> ports;
  private final int[] widths;
  private final String fingerprint;
  private ChipOutputs nominal;
  private ChipWorkspace.WorkTiming timing = ChipWorkspace.WorkTiming.none();

  /**
   * Compiles an image against one chip's deviations (calibration-aware compiling). Must be a pure
   * function of its arguments, like everything else a chip run does.
   */
  public interface ChipCompiler {
    /** The image compiled for the chip instance {@code chip} (its generated profile). */
    ChipImage compileFor(DeviceProfile chip);
  }

  private MismatchCampaign(ChipImage image, ChipSpec spec, List<VariabilityLevel> levels,
      List<Stimulus> samples, int[] labels, String readout, ChipCompiler compiler) {
    this.image = Objects.requireNonNull(image, "image");
    this.spec = Objects.requireNonNull(spec, "spec");
    Map<String, VariabilityLevel> byName = new LinkedHashMap<>();
    Map<String, VariabilityLevel> byId = new LinkedHashMap<>();
    for (VariabilityLevel level : levels) {
      byName.putIfAbsent(level.name(), level);
      VariabilityLevel same = byId.putIfAbsent(level.id(), level);
      if (same != null && !same.name().equals(level.name())) {
        throw new QuenchException("variability levels " + same.name() + " and " + level.name()
            + " hold the same model; give it once");
      }
    }
    this.levels = Collections.unmodifiableMap(byName);
    this.levelsById = Collections.unmodifiableMap(byId);
    this.samples = Collections.unmodifiableList(new ArrayList<>(samples));
    this.labels = labels == null ? null : labels.clone();
    this.readout = readout;
    this.compiler = compiler;
    if (samples.isEmpty()) {
      throw new QuenchException("a campaign needs at least one input sample");
    }
    if (labels != null && labels.length != samples.size()) {
      throw new QuenchException("--labels gives " + labels.length + " labels for " + samples.size()
          + " input samples; give one label per sample");
    }
    List<String> names = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (OutputPort p : image.getOutputsList()) {
      names.add(p.getName());
      sizes.add(p.getWidth());
    }
    if (names.isEmpty() && readout == null) {
      throw new QuenchException("the image has no output port to compare chips on; give --readout"
          + " POPULATION (a population whose v is the network's output)");
    }
    this.ports = List.copyOf(names);
    this.widths = sizes.stream().mapToInt(Integer::intValue).toArray();
    this.fingerprint = fingerprint(image, samples, labels, readout);
  }

  /**
   * Sets up a campaign and runs the nominal chip once.
   *
   * @param image the nominal image (validated by the nominal device's load)
   * @param spec the emulated chip's spec
   * @param variabilities the levels chips may be drawn from: presets ({@code analog}) or variability
   *     model files, each read once here ({@link MismatchCampaign#IDEAL} is always available)
   * @param samples inputs; every chip runs each from its loaded state
   * @param labels one class per sample, or null
   * @param readout population whose v is the output (for NRMSE and as the decoded class), or null
   * @param compiler compiles the model against a chip's profile for {@code --compensate}, or null
   */
  public static MismatchCampaign prepare(ChipImage image, ChipSpec spec, List<String> variabilities,
      List<Stimulus> samples, int[] labels, String readout, ChipCompiler compiler) {
    List<VariabilityLevel> resolved = new ArrayList<>();
    for (String v : variabilities) {
      resolved.add(VariabilityLevel.resolve(v));
    }
    return prepared(image, spec, resolved, samples, labels, readout, compiler);
  }

  /** {@link #prepare} with levels already resolved (a cluster member's, from the context). */
  static MismatchCampaign prepared(ChipImage image, ChipSpec spec, List<VariabilityLevel> levels,
      List<Stimulus> samples, int[] labels, String readout, ChipCompiler compiler) {
    List<VariabilityLevel> all = new ArrayList<>(levels);
    if (all.stream().noneMatch(l -> l.name().equals(IDEAL))) {
      all.add(VariabilityLevel.resolve(IDEAL));
    }
    MismatchCampaign c = new MismatchCampaign(image, spec, all, samples, labels, readout, compiler);
    try (Device device = c.open(c.chip(0, IDEAL))) {
      device.load(image);
      c.nominal = ChipOutputs.measure(device, c.samples, c.ports, c.widths, readout);
    }
    return c;
  }

  /** Chip {@code serial} of level {@code variability}: its generated deviations. */
  DeviceProfile chip(long serial, String variability) {
    return DeviceProfile.generated(level(variability).model(), Long.toString(serial));
  }

  /** The emulated chip {@code profile} describes, with one emulator thread. */
  Device open(DeviceProfile profile) {
    return new EmulatorDevice(spec, profile, 1);
  }

  /** The level named {@code variability}; one line naming the campaign's levels when unknown. */
  VariabilityLevel level(String variability) {
    VariabilityLevel level = levels.get(variability);
    if (level == null) {
      throw new QuenchException("variability level '" + variability + "' is not one this campaign"
          + " was prepared with (" + String.join(", ", levels.keySet()) + ")");
    }
    return level;
  }

  /** The level a work item calls {@code id}. */
  VariabilityLevel levelById(String id) {
    VariabilityLevel level = levelsById.get(id);
    if (level == null) {
      throw new QuenchException("a chip of variability level " + id + " reached a campaign that"
          + " has only " + String.join(", ", levelsById.keySet()));
    }
    return level;
  }

  /** The campaign's levels (each once, {@code ideal} included). */
  List<VariabilityLevel> levels() {
    return List.copyOf(levels.values());
  }

  /** The work items of the given serials at each level, without and (if asked) with compensation. */
  public List<ChipRun> runs(List<Long> serials, List<String> variabilities, boolean compensate) {
    if (compensate && compiler == null) {
      throw new QuenchException("--compensate: this campaign was prepared without a compensating"
          + " compiler");
    }
    List<ChipRun> list = new ArrayList<>();
    for (String v : variabilities) {
      for (long s : serials) {
        list.add(new ChipRun(this, s, v, false));
        if (compensate) {
          list.add(new ChipRun(this, s, v, true));
        }
      }
    }
    return list;
  }

  /**
   * Runs {@code runs} (chips of this campaign) on {@code runner}: on threads of this process or on
   * a cluster, with equal results (docs/cluster.md). Results come back in the order of
   * {@code runs}; {@code listener} hears of each as it finishes.
   */
  public List<ChipResult> run(WorkRunner runner, List<ChipRun> runs, WorkListener<ChipResult> listener) {
    List<ChipResult.ChipKey> keys = new ArrayList<>(runs.size());
    for (ChipRun r : runs) {
      if (r.campaign() != this) {
        throw new IllegalArgumentException("chip " + r.serial() + " belongs to another campaign");
      }
      // A chip travels under its level's id (a file's content, not its path): see VariabilityLevel.
      keys.add(new ChipResult.ChipKey(r.serial(), level(r.variability()).id(), r.compensated()));
    }
    List<ChipResult> results = runner.run(ChipWork.KIND, this, keys,
        (index, result, done) -> listener.finished(index, named(runs.get(index), result), done));
    List<ChipResult> named = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      named.add(named(runs.get(i), results.get(i)));
    }
    return named;
  }

  /**
   * {@code result} under the level name {@code run} gave: a cluster member knows a level by its
   * id only, and a result stored by an earlier run may name the file by another path.
   */
  private static ChipResult named(ChipRun run, ChipResult r) {
    return r.variability().equals(run.variability()) ? r : new ChipResult(r.serial(),
        run.variability(), r.compensated(), r.correlation(), r.agreement(), r.accuracy(), r.rate(),
        r.rateError(), r.nrmse(), r.outputSpikes());
  }

  /** {@link #run(WorkRunner, List, WorkListener)} reporting only the count of chips done. */
  public List<ChipResult> run(WorkRunner runner, List<ChipRun> runs, LongConsumer done) {
    return run(runner, runs, WorkListener.counting(done));
  }

  /**
   * Time spent by this campaign's chip runs in this process so far, summed over threads (chips
   * run on cluster members are not counted here).
   */
  public synchronized ChipWorkspace.WorkTiming timing() {
    return timing;
  }

  synchronized void record(ChipWorkspace.WorkTiming spent) {
    timing = timing.plus(spent);
  }

  /** The input samples' labels, or null. */
  int[] labels() {
    return labels == null ? null : labels.clone();
  }

  /** The readout population, or null. */
  String readout() {
    return readout;
  }

  /** The compensating compiler, or null. */
  ChipCompiler compiler() {
    return compiler;
  }

  /** The nominal image. */
  public ChipImage image() {
    return image;
  }

  /** The emulated chip's spec. */
  public ChipSpec spec() {
    return spec;
  }

  /** The samples (immutable). */
  public List<Stimulus> samples() {
    return samples;
  }

  /** Whether labels were given (accuracy is measured). */
  public boolean hasLabels() {
    return labels != null;
  }

  /** Whether a readout population was given (NRMSE is measured). */
  public boolean hasReadout() {
    return readout != null;
  }

  /** The nominal chip's figures (serial 0, ideal). */
  public ChipResult nominal() {
    return compare(0, IDEAL, false, nominal);
  }

  /**
   * SHA-256 of everything a chip's result depends on besides (serial, variability, compensation):
   * the image, the samples, the labels and the readout. Campaign parts with equal fingerprints may
   * be merged.
   */
  public String fingerprint() {
    return fingerprint;
  }

  ChipImage imageFor(ChipRun run, DeviceProfile chip) {
    return run.compensated() ? compiler.compileFor(chip) : image;
  }

  ChipOutputs measure(Device device) {
    return ChipOutputs.measure(device, samples, ports, widths, readout);
  }

  /** The metrics of one chip's outputs against the nominal chip's. */
  ChipResult compare(long serial, String variability, boolean compensated, ChipOutputs chip) {
    ChipOutputs nom = nominal;
    double correlation = countCorrelation(chip.counts, nom.counts);
    int agree = 0;
    int correct = 0;
    for (int s = 0; s < chip.decoded.length; s++) {
      if (chip.decoded[s] == nom.decoded[s]) {
        agree++;
      }
      if (labels != null && chip.decoded[s] == labels[s]) {
        correct++;
      }
    }
    int n = chip.decoded.length;
    double rate = chip.rate();
    double nomRate = nom.rate();
    double rateError = nomRate > 0 ? Math.abs(rate - nomRate) / nomRate : rate;
    double nrmse = chip.readout == null ? Double.NaN : nrmse(chip.readout, nom.readout);
    return new ChipResult(serial, variability, compensated, correlation, (double) agree / n,
        labels == null ? Double.NaN : (double) correct / n, rate, rateError, nrmse, chip.spikes);
  }

  /**
   * Pearson correlation of the two count vectors (all samples and output neurons). Equal vectors
   * correlate 1 even when constant (a silent chip that should be silent is perfect); otherwise a
   * constant side has no correlation to speak of and scores 0.
   */
  static double countCorrelation(int[][] chip, int[][] nominal) {
    long n = 0;
    double sx = 0;
    double sy = 0;
    boolean equal = true;
    for (int s = 0; s < chip.length; s++) {
      for (int i = 0; i < chip[s].length; i++) {
        sx += chip[s][i];
        sy += nominal[s][i];
        equal &= chip[s][i] == nominal[s][i];
        n++;
      }
    }
    if (equal) {
      return 1.0;
    }
    double mx = sx / n;
    double my = sy / n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int s = 0; s < chip.length; s++) {
      for (int i = 0; i < chip[s].length; i++) {
        double dx = chip[s][i] - mx;
        double dy = nominal[s][i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
      }
    }
    if (sxx == 0 || syy == 0) {
      return 0.0;
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  /** RMS of (chip - nominal) over the nominal trace's standard deviation (its RMS when constant). */
  static double nrmse(int[] chip, int[] nominal) {
    double sum = 0;
    for (int v : nominal) {
      sum += v;
    }
    double mean = sum / nominal.length;
    double err = 0;
    double var = 0;
    double sq = 0;
    for (int k = 0; k < nominal.length; k++) {
      double d = (double) chip[k] - nominal[k];
      err += d * d;
      double c = nominal[k] - mean;
      var += c * c;
      sq += (double) nominal[k] * nominal[k];
    }
    double scale = var > 0 ? Math.sqrt(var / nominal.length) : Math.sqrt(sq / nominal.length);
    double rms = Math.sqrt(err / nominal.length);
    if (scale == 0) {
      return rms == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return rms / scale;
  }

  private static String fingerprint(ChipImage image, List<Stimulus> samples, int[] labels,
      String readout) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(ChipImages.toBytes(image));
      for (Stimulus s : samples) {
        update(md, "sample " + s.steps());
        for (Stimulus.PortEvents e : s.events().values()) {
          update(md, "port " + e.port());
          update(md, e.steps());
          update(md, e.indices());
          update(md, e.payloads());
        }
        for (Stimulus.BiasChange b : s.biasChanges()) {
          update(md, "bias " + b.population() + " " + b.step());
          update(md, b.biasMant());
        }
      }
      if (labels != null) {
        update(md, "labels");
        update(md, labels);
      }
      if (readout != null) {
        update(md, "readout " + readout);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  private static void update(MessageDigest md, String text) {
    md.update(text.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
  }

  private static void update(MessageDigest md, int[] values) {
    byte[] b = new byte[values.length * 4];
    for (int i = 0; i < values.length; i++) {
      b[4 * i] = (byte) (values[i] >>> 24);
      b[4 * i + 1] = (byte) (values[i] >>> 16);
      b[4 * i + 2] = (byte) (values[i] >>> 8);
      b[4 * i + 3] = (byte) values[i];
    }
    md.update(b);
  }
}
