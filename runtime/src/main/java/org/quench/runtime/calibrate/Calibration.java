package org.quench.runtime.calibrate;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import org.quench.emulator.EmulatorProvider;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.ImageHeader;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * Measures a chip instance's per-neuron deviations through the {@link Device} SPI alone and
 * returns them as a measured {@link DeviceProfile} (docs/variability.md, "Calibration").
 *
 * <p>Every integer it programs and every shift it reads traces back with comes from the chip spec
 * the device follows ({@link CalibrationPlan}; Loihi's values in brackets, {@code U} the decay
 * unity, {@code T} and {@code A} the threshold and activation shifts). Three calibration images,
 * each covering a batch of cores at once, every neuron on its own:
 * <ol>
 *   <li><b>bias and voltage decay</b>: no input, bias b &lt;&lt; e (2000 &lt;&lt; 6), dv = U / 2,
 *       threshold at its maximum. v after step 1 is the realized bias &lt;&lt; e; the following
 *       steps fix the realized dv (the integer that best reproduces every step). A neuron that
 *       spikes anyway is hot; one whose v stays 0 is dead.</li>
 *   <li><b>threshold</b>: no leak (dv 0), vth (1000): v ramps by the realized bias b per step
 *       (read after step 1) and the first spike at step k brackets the realized vth in
 *       [(k-1) b / 2^T, k b / 2^T). A coarse ramp (2560) brackets it within a few dozen steps; a
 *       fine ramp (40) started from v just below the bracket pins it: one integer when b &lt; 2^T.</li>
 *   <li><b>current decay and gain</b>: du + 1 = U / 2; {@code synapses} input axons reach every
 *       neuron with one weight (150), fired one at a time every {@value #SPACING} steps; u read
 *       every step gives the realized du exactly and each synapse's realized weight (the jump
 *       shifted right by A). The gain is the mean over the synapses that deliver.</li>
 * </ol>
 * A factor is realized / nominal; its resolution is half an integer step of the nominal value
 * ({@link CalibrationPlan#resolution()}). A chip with temporal noise on v (found when the first
 * image's trace has no exact fit) is measured by {@link NoisyCalibration} instead: a lower
 * threshold, a switched bias and least squares for bias and dv, repeated ramps for the threshold,
 * with expected errors from the residuals.
 */
public final class Calibration {
  static final int SPACING = 8;
  private static final int STEPS_A = 12;
  private static final int MAX_STEPS_B = 16384;
  private static final int CHUNK_B = 128;

  /**
   * What to calibrate.
   *
   * <p>Every bad value is refused with a one-line {@link QuenchException} naming the option (and,
   * for a core, the entry's index); the core list is copied, entries too, sorted by (chip, core),
   * and {@link #cores()} hands out copies: the options cannot be changed from outside.
   *
   * @param cores (chip, core) pairs: each entry exactly two numbers from 0
   * @param neurons neurons per core (from 0)
   * @param synapses calibration synapses per neuron for its gain
   * @param batch cores per calibration image
   */
  public record Options(List<int[]> cores, int neurons, int synapses, int batch) {
    public Options {
      if (cores == null) {
        throw new QuenchException("calibration: the core list is null; give (chip, core) pairs");
      }
      if (cores.isEmpty()) {
        throw new QuenchException("calibration: no cores selected");
      }
      List<int[]> checked = new ArrayList<>(cores.size());
      for (int i = 0; i < cores.size(); i++) {
        checked.add(checkedCore(cores.get(i), i));
      }
      cores = checked;
      if (neurons < 1) {
        throw new QuenchException("calibration: --neurons must be at least 1, got " + neurons);
      }
      if (synapses < 1 || synapses > 256) {
        throw new QuenchException("calibration: --synapses must be in 1..256, got " + synapses);
      }
      if (batch < 1) {
        throw new QuenchException("calibration: --batch must be at least 1, got " + batch);
      }
      // The calibration images list cores as a ChipImage must: sorted by (chip, core), each once.
      List<int[]> sorted = new ArrayList<>(cores);
      sorted.sort(java.util.Comparator.<int[]>comparingInt(a -> a[0]).thenComparingInt(a -> a[1]));
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i)[0] == sorted.get(i - 1)[0] && sorted.get(i)[1] == sorted.get(i - 1)[1]) {
          throw new QuenchException("calibration: core (" + sorted.get(i)[0] + "," + sorted.get(i)[1]
              + ") is selected twice");
        }
      }
      cores = List.copyOf(sorted);
    }

    /**
     * The (chip, core) pairs, sorted by (chip, core): a fresh copy on every call, so changing what
     * it returns cannot change the options.
     */
    @Override
    public List<int[]> cores() {
      List<int[]> copy = new ArrayList<>(cores.size());
      for (int[] core : cores) {
        copy.add(core.clone());
      }
      return List.copyOf(copy);
    }

    /** A copy of core entry {@code i}, or a one-line refusal saying what is wrong with it. */
    private static int[] checkedCore(int[] entry, int i) {
      if (entry == null) {
        throw new QuenchException("calibration: core entry " + i + " is null; each entry is a (chip, core) pair");
      }
      if (entry.length != 2) {
        throw new QuenchException("calibration: core entry " + i + " has " + entry.length + " number"
            + (entry.length == 1 ? "" : "s") + " " + Arrays.toString(entry)
            + "; each entry is a (chip, core) pair");
      }
      if (entry[0] < 0 || entry[1] < 0) {
        throw new QuenchException("calibration: core entry " + i + " is (" + entry[0] + "," + entry[1]
            + "); chips and cores are numbered from 0");
      }
      return entry.clone();
    }
  }

  /**
   * A calibration's outcome.
   *
   * @param profile the measured profile
   * @param dead neurons found dead
   * @param hot neurons found hot
   * @param stuckSynapses calibration synapses that delivered nothing (on live neurons)
   * @param unresolved neurons whose threshold was not reached within the step limit (or, on a
   *     noisy chip, whose bias trace had too few usable steps)
   * @param noise the temporal noise on v measured in the traces, as a fraction of the effective
   *     threshold per step (median over the neurons; 0 on a noiseless chip)
   * @param expectedError by parameter key: the worst expected error of a measured factor (the
   *     resolution on a noiseless chip; with noise, 3 standard errors from the residuals)
   */
  public record Result(DeviceProfile profile, int dead, int hot, int stuckSynapses, int unresolved,
      double noise, Map<String, Double> expectedError) {}

  private Calibration() {}

  /**
   * The chip spec {@code device} follows: {@code given} (a built-in name or a spec file; null when
   * none was given), else the built-in spec the device names, else the spec file an
   * {@code emu:/path/spec.json} URI names. Whichever it is must have the device's spec hash.
   *
   * @throws QuenchException (one line) when no candidate is found or the hashes differ
   */
  public static ChipSpec deviceSpec(DeviceInfo info, String given) {
    if (given != null) {
      ChipSpec spec = ChipSpec.resolve(given);
      if (!spec.hash().equals(info.specHash())) {
        throw new QuenchException("calibration: --spec " + given + " (chip '" + spec.name()
            + "') is not the spec device " + info.uri() + " follows (chip '" + info.specName()
            + "', spec hash " + abbreviated(info.specHash()) + ", given " + abbreviated(spec.hash()) + ")");
      }
      return spec;
    }
    List<ChipSpec> candidates = new ArrayList<>();
    if (ChipSpec.BUILT_IN.contains(info.specName())) {
      candidates.add(ChipSpec.builtIn(info.specName()));
    }
    String file = emulatedSpecFile(info);
    if (file != null) {
      candidates.add(ChipSpec.resolve(file));
    }
    for (ChipSpec spec : candidates) {
      if (spec.hash().equals(info.specHash())) {
        return spec;
      }
    }
    throw new QuenchException("calibration: device " + info.uri() + " follows chip spec '"
        + info.specName() + "'" + (candidates.isEmpty() ? ", which is not built in"
        : ", which differs from the built-in one of that name")
        + "; give its spec file with --spec FILE");
  }

  /**
   * The spec file an emulated chip was opened with ({@code emu:/path/spec.json}), or null. An
   * {@code EmulatorDevice} made in code writes its spec's name where a file would be
   * ({@code emu:NAME?serial=...}): that name is a candidate only when it is a file.
   */
  private static String emulatedSpecFile(DeviceInfo info) {
    // Only the emulator's URIs are parsed: another provider's need not be a valid java.net.URI.
    if (!EmulatorProvider.SCHEME.equals(info.provider())) {
      return null;
    }
    URI uri;
    try {
      uri = URI.create(info.uri());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!EmulatorProvider.SCHEME.equalsIgnoreCase(uri.getScheme())) {
      return null;
    }
    String chip = EmulatorProvider.specOf(uri);
    return !ChipSpec.BUILT_IN.contains(chip) && Files.isRegularFile(Path.of(chip)) ? chip : null;
  }

  private static String abbreviated(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }

  /**
   * Calibrates {@code device}, whose spec is found by {@link #deviceSpec(DeviceInfo, String)}
   * without a given one; {@code progress} receives cores done.
   */
  public static Result run(Device device, Options o, LongConsumer progress) {
    return run(device, deviceSpec(device.info(), null), o, progress);
  }

  /**
   * Calibrates {@code device}, which follows {@code spec} (checked by its hash); {@code progress}
   * receives cores done.
   */
  public static Result run(Device device, ChipSpec spec, Options o, LongConsumer progress) {
    DeviceInfo info = device.info();
    if (!spec.hash().equals(info.specHash())) {
      throw new QuenchException("calibration: device " + info.uri() + " follows chip spec '"
          + info.specName() + "', not the given '" + spec.name() + "' (spec hashes differ)");
    }
    CalibrationPlan plan = CalibrationPlan.of(spec);
    if (o.neurons() > spec.neuronsPerCore()) {
      throw new QuenchException("calibration: --neurons " + o.neurons() + " exceeds the spec's "
          + spec.neuronsPerCore() + " neurons per core");
    }
    List<int[]> cores = o.cores();
    for (int[] c : cores) {
      if (c[0] < 0 || c[0] >= info.chips() || c[1] < 0 || c[1] >= spec.coresPerChip()) {
        throw new QuenchException("calibration: core (" + c[0] + "," + c[1] + ") is not on the device ("
            + info.chips() + " chips x " + spec.coresPerChip() + " cores)");
      }
    }
    if (o.synapses() > spec.inputAxonsPerCore()) {
      throw new QuenchException("calibration: --synapses " + o.synapses() + " exceeds the spec's "
          + spec.inputAxonsPerCore() + " input axons per core");
    }
    long bytes = spec.synapseBytes(o.synapses(), (long) o.synapses() * o.neurons(), plan.numWeightBits(), false);
    if (bytes > spec.synapseMemoryBytesPerCore()) {
      throw new QuenchException("calibration: " + o.synapses() + " calibration synapses x " + o.neurons()
          + " neurons need " + bytes + " bytes of synapse memory per core, chip '" + spec.name() + "' has "
          + spec.synapseMemoryBytesPerCore() + "; lower --synapses or --neurons");
    }
    List<MeasuredCore> measured = new ArrayList<>();
    int[] counts = new int[4];
    NoisyCalibration.Report report = new NoisyCalibration.Report();
    for (int from = 0; from < cores.size(); from += o.batch()) {
      List<int[]> batch = cores.subList(from, Math.min(cores.size(), from + o.batch()));
      measured.addAll(batch(device, spec, plan, batch, o, counts, report));
      progress.accept(batch.size());
    }
    double noise = report.medianNoise();
    Map<String, Double> expected = new LinkedHashMap<>(plan.resolution());
    if (report.noiseCount > 0) {
      expected.merge("voltageDecay", report.dvError, Math::max);
      expected.merge("bias", report.biasError, Math::max);
      expected.merge("threshold", report.thresholdError, Math::max);
    }
    MeasuredProfile.Builder m = MeasuredProfile.newBuilder().setDeviceUri(info.uri())
        .setMethod("quench calibrate: bias/dv ramp, threshold ramp, u impulse responses of "
            + o.synapses() + " synapses per neuron" + (report.noiseCount > 0 ? String.format(Locale.ROOT,
            "; temporal noise on v measured at %.5f of the threshold per step: switched-bias least squares"
            + " and repeated threshold ramps", noise) : "") + " (docs/variability.md)")
        .putAllResolution(expected).addAllCores(measured);
    String description = String.format(Locale.ROOT,
        "measured on %s: %d cores x %d neurons; %d dead, %d hot, %d stuck calibration synapses",
        info.uri(), cores.size(), o.neurons(), counts[0], counts[1], counts[2]);
    DeviceProfile profile = DeviceProfile.measured(info.serial(), info.specName(), m.build(), description);
    return new Result(profile, counts[0], counts[1], counts[2], counts[3], noise, expected);
  }

  private static List<MeasuredCore> batch(Device device, ChipSpec spec, CalibrationPlan plan,
      List<int[]> cores, Options o, int[] counts, NoisyCalibration.Report report) {
    int n = o.neurons();
    int k = cores.size();
    double[][] bias = new double[k][n];
    double[][] dv = new double[k][n];
    double[][] vth = new double[k][n];
    double[][] du = new double[k][n];
    double[][] weight = new double[k][n];
    boolean[][] dead = new boolean[k][n];
    boolean[][] hot = new boolean[k][n];
    boolean noisy = false;

    // 1. Bias and voltage decay; hot and dead neurons.
    device.load(image(spec, cores, n, -1, plan.dv(), plan.vthNever(), plan.biasMant(), plan.biasExp()));
    attachAll(device, cores, ProbeKind.V);
    attachAll(device, cores, ProbeKind.SPIKES);
    RunResult a = device.run(Stimulus.idle(STEPS_A));
    for (int c = 0; c < k; c++) {
      RunResult.Trace v = a.trace(Probe.of(ProbeKind.V, population(cores.get(c))));
      RunResult.Trace s = a.trace(Probe.of(ProbeKind.SPIKES, population(cores.get(c))));
      for (int i = 0; i < n; i++) {
        long[] x = column(v, i, STEPS_A);
        boolean spiked = false;
        boolean silent = true;
        for (int t = 0; t < STEPS_A; t++) {
          spiked |= s.at(t, i) != 0;
          silent &= x[t] == 0;
        }
        hot[c][i] = spiked;
        dead[c][i] = !spiked && silent;
        if (spiked || silent) {
          bias[c][i] = 1;
          dv[c][i] = 1;
          continue;
        }
        long b = plan.biasMantOf(x[0]);
        bias[c][i] = b / (double) plan.biasMant();
        int amount = DecayFit.fit(x, 0, STEPS_A, b << plan.biasExp(), plan.dv(), plan.decayBits());
        dv[c][i] = amount / (double) plan.dv();
        noisy |= !reproduces(x, b << plan.biasExp(), amount, plan);
      }
    }
    double[][] sigmaOverRow = new double[k][n];
    if (noisy) {
      // Temporal noise: the exact fits above do not hold (docs/variability.md, "Calibration on a
      // noisy chip"); a noiseless chip never gets here, so its profile is that of the exact fits.
      NoisyCalibration.biasAndDecay(device, spec, plan, cores, n, hot, bias, dv, dead, sigmaOverRow,
          report, counts);
    }

    // 2. Threshold: a coarse ramp brackets it, a fine ramp started just below pins it.
    boolean[][] skip = new boolean[k][n];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        skip[c][i] = dead[c][i] || hot[c][i];
      }
    }
    if (noisy) {
      double[][] error = NoisyCalibration.thresholds(device, spec, plan, cores, n, skip, bias, vth, counts);
      for (int c = 0; c < k; c++) {
        for (int i = 0; i < n; i++) {
          if (!skip[c][i] && !Double.isNaN(error[c][i])) {
            report.thresholdError = Math.max(report.thresholdError, error[c][i]);
            // The noise is a fraction of the realized threshold, which is now known; a neuron
            // whose bias trace could not be fitted has no measured spread and adds nothing.
            if (!Double.isNaN(sigmaOverRow[c][i])) {
              report.addNoise(sigmaOverRow[c][i] / vth[c][i]);
            }
          }
        }
      }
    } else {
      exactThresholds(device, spec, plan, cores, n, skip, vth, counts);
    }

    // 3. Current decay and gain.
    currentAndGain(device, spec, plan, cores, n, o, dead, du, weight, counts);

    List<MeasuredCore> out = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      MeasuredCore.Builder m = MeasuredCore.newBuilder()
          .setAddress(CoreAddress.newBuilder().setChip(cores.get(c)[0]).setCore(cores.get(c)[1]))
          .setNeuronCount(n);
      for (int i = 0; i < n; i++) {
        m.addCurrentDecay(du[c][i]).addVoltageDecay(dv[c][i]).addThreshold(vth[c][i])
            .addBias(bias[c][i]).addWeight(weight[c][i]).addDead(dead[c][i]).addHot(hot[c][i]);
        counts[0] += dead[c][i] ? 1 : 0;
        counts[1] += hot[c][i] ? 1 : 0;
      }
      out.add(m.build());
    }
    return out;
  }

  /** Whether v1 = bias and v' = decay(v) + bias reproduce the trace exactly (no noise). */
  private static boolean reproduces(long[] x, long bias, int amount, CalibrationPlan plan) {
    long v = 0;
    for (long xt : x) {
      v = plan.decay(v, amount) + bias;
      if (v != xt) {
        return false;
      }
    }
    return true;
  }

  /** The threshold of a noiseless chip: a coarse ramp brackets it, a fine ramp started just below pins it. */
  private static void exactThresholds(Device device, ChipSpec spec, CalibrationPlan plan, List<int[]> cores,
      int n, boolean[][] skip, double[][] vth, int[] counts) {
    int k = cores.size();
    long[][][] coarse = thresholdBrackets(device, spec, plan, cores, n, plan.coarseMant(),
        plan.coarseExp(), null, skip, counts);
    long[][] start = new long[k][n];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        start[c][i] = coarse[c][i] == null ? 0 : Math.max(0, coarse[c][i][0] - 1) << plan.thresholdShift();
      }
    }
    long[][][] fine = thresholdBrackets(device, spec, plan, cores, n, plan.fineMant(), 0, start, skip,
        counts);
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        long[] b = fine[c][i] != null ? fine[c][i] : coarse[c][i];
        // The middle integer of the bracket (one integer when the fine ramp's bias is below 2^T).
        vth[c][i] = b == null ? 1 : (b[0] + Math.max(b[0], b[1])) / 2.0 / plan.vth();
      }
    }
  }

  /** Current decay and gain from u's impulse responses (u carries no noise). */
  private static void currentAndGain(Device device, ChipSpec spec, CalibrationPlan plan, List<int[]> cores,
      int n, Options o, boolean[][] dead, double[][] du, double[][] weight, int[] counts) {
    int k = cores.size();
    int syn = o.synapses();
    device.load(impulseImage(spec, plan, cores, n, syn));
    attachAll(device, cores, ProbeKind.U);
    int stepsC = syn * SPACING + SPACING;
    Stimulus.Builder sb = Stimulus.builder(stepsC);
    for (int[] core : cores) {
      for (int j = 0; j < syn; j++) {
        sb.spike(j * SPACING, inputPort(core), j);
      }
    }
    RunResult cres = device.run(sb.build());
    boolean[] arrival = new boolean[stepsC];
    for (int j = 0; j < syn; j++) {
      arrival[j * SPACING + 1] = true;
    }
    for (int c = 0; c < k; c++) {
      RunResult.Trace u = cres.trace(Probe.of(ProbeKind.U, population(cores.get(c))));
      for (int i = 0; i < n; i++) {
        if (dead[c][i]) {
          du[c][i] = 1;
          weight[c][i] = 1;
          continue;
        }
        long[] x = column(u, i, stepsC);
        int amount = DecayFit.fitCurrent(x, arrival, plan.duAmount(), plan.decayBits());
        du[c][i] = amount / (double) plan.duAmount();
        long sum = 0;
        int delivered = 0;
        for (int j = 0; j < syn; j++) {
          int t = j * SPACING + 1;
          long w = plan.weightOf(x[t] - plan.decay(x[t - 1], amount));
          if (w != 0) {
            sum += w;
            delivered++;
          } else {
            counts[2]++;
          }
        }
        weight[c][i] = delivered == 0 ? 0 : sum / (double) delivered / plan.weight();
      }
    }
  }

  /**
   * Ramps v from {@code start} (per neuron, or 0) by the realized bias {@code biasMant << biasExp}
   * with no leak until each neuron fires, and brackets its realized threshold mantissa: with v
   * after step 1 = start + b and the first spike at step k, {@code start + (k-1) b <= vth << T <
   * start + k b}. Null for a neuron skipped, silent, or already firing at step 1.
   */
  private static long[][][] thresholdBrackets(Device device, ChipSpec spec, CalibrationPlan plan,
      List<int[]> cores, int n, int biasMant, int biasExp, long[][] start, boolean[][] skip,
      int[] counts) {
    int k = cores.size();
    device.load(image(spec, cores, n, -1, 0, plan.vth(), biasMant, biasExp, start));
    attachAll(device, cores, ProbeKind.V);
    RunResult first = device.run(Stimulus.idle(1));
    long[][] ramp = new long[k][n];
    long[][] spikeAt = new long[k][n];
    for (int c = 0; c < k; c++) {
      RunResult.Trace v = first.trace(Probe.of(ProbeKind.V, population(cores.get(c))));
      firstSpikes(first.output(port(cores.get(c))), 1, spikeAt[c]);
      for (int i = 0; i < n; i++) {
        long s0 = start == null ? 0 : start[c][i];
        ramp[c][i] = v.at(0, i) - s0;
        if (skip[c][i] || spikeAt[c][i] != 0 || ramp[c][i] <= 0) {
          spikeAt[c][i] = -1;
        }
      }
    }
    device.detachAll();
    long done = 1;
    int pending;
    while ((pending = countPending(spikeAt)) > 0 && done < MAX_STEPS_B) {
      RunResult r = device.run(Stimulus.idle(CHUNK_B));
      for (int c = 0; c < k; c++) {
        firstSpikes(r.output(port(cores.get(c))), done + 1, spikeAt[c]);
      }
      done += CHUNK_B;
    }
    if (start != null) {
      counts[3] += pending;
    }
    long[][][] out = new long[k][n][];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < n; i++) {
        long kStep = spikeAt[c][i];
        long b = ramp[c][i];
        if (kStep <= 0) {
          continue;
        }
        long s0 = start == null ? 0 : start[c][i];
        long unit = 1L << plan.thresholdShift();
        out[c][i] = new long[] {ceilDiv(s0 + (kStep - 1) * b, unit), ceilDiv(s0 + kStep * b, unit) - 1};
      }
    }
    return out;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  private static int countPending(long[][] spikeAt) {
    int p = 0;
    for (long[] row : spikeAt) {
      for (long s : row) {
        p += s == 0 ? 1 : 0;
      }
    }
    return p;
  }

  /** Records the 1-based global step of each neuron's first spike in {@code e} (run starting at {@code t0}). */
  private static void firstSpikes(RunResult.SpikeEvents e, long t0, long[] spikeAt) {
    for (int s = 0; s < e.count(); s++) {
      int i = e.indices()[s];
      if (i < spikeAt.length && spikeAt[i] == 0) {
        spikeAt[i] = t0 + e.steps()[s];
      }
    }
  }

  static long[] column(RunResult.Trace trace, int i, int steps) {
    long[] x = new long[steps];
    for (int t = 0; t < steps; t++) {
      x[t] = trace.at(t, i);
    }
    return x;
  }

  static void attachAll(Device device, List<int[]> cores, ProbeKind kind) {
    for (int[] c : cores) {
      device.attach(Probe.of(kind, population(c)));
    }
  }

  static String population(int[] core) {
    return "cal_" + core[0] + "_" + core[1];
  }

  static String port(int[] core) {
    return "spikes_" + core[0] + "_" + core[1];
  }

  static String inputPort(int[] core) {
    return "in_" + core[0] + "_" + core[1];
  }

  private static ChipImage.Builder header(ChipSpec spec, List<int[]> cores, String what) {
    int chips = 1;
    for (int[] c : cores) {
      chips = Math.max(chips, c[0] + 1);
    }
    return ChipImage.newBuilder().setHeader(ImageHeader.newBuilder().setFormatVersion(1)
        .setSpecName(spec.name()).setSpecHash(spec.hash()).setCompilerVersion("quench calibrate")
        .setChipCount(chips).setDescription("calibration image: " + what));
  }

  /** Every core: n neurons, one decay and one threshold profile, the same bias. */
  static ChipImage image(ChipSpec spec, List<int[]> cores, int n, int du, int dv,
      int vth, int biasMant, int biasExp) {
    return image(spec, cores, n, du, dv, vth, biasMant, biasExp, null);
  }

  /** As above, with each core's neurons starting at v = {@code vInit[core][neuron]} (null: 0). */
  static ChipImage image(ChipSpec spec, List<int[]> cores, int n, int du, int dv,
      int vth, int biasMant, int biasExp, long[][] vInit) {
    ChipImage.Builder img = header(spec, cores, "du " + du + ", dv " + dv + ", vth " + vth + ", bias "
        + biasMant + " << " + biasExp);
    for (int ci = 0; ci < cores.size(); ci++) {
      int[] c = cores.get(ci);
      Core.Builder core = core(c, n, du, dv, vth, biasMant, biasExp);
      if (vInit != null) {
        for (int i = 0; i < n; i++) {
          core.addVInit((int) vInit[ci][i]);
        }
      }
      img.addCores(core);
      addSymbols(img, c, n);
    }
    return img.build();
  }

  private static Core.Builder core(int[] c, int n, int du, int dv, int vth, int biasMant, int biasExp) {
    Core.Builder core = Core.newBuilder().setAddress(address(c))
        .addDecayProfiles(DecayProfile.newBuilder().setDu(du).setDv(dv))
        .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(vth).setKind(NeuronKind.LIF))
        .setNeuronCount(n);
    for (int i = 0; i < n; i++) {
      core.addDecayIndex(0).addThresholdIndex(0).addBiasMant(biasMant).addBiasExp(biasExp);
    }
    return core;
  }

  private static void addSymbols(ChipImage.Builder img, int[] c, int n) {
    NeuronRange range = NeuronRange.newBuilder().setCore(address(c)).setNeuronFirst(0).setCount(n).build();
    img.addSymbols(Symbol.newBuilder().setPopulation(population(c)).setSize(n).addRanges(range));
    img.addOutputs(OutputPort.newBuilder().setName(port(c)).setWidth(n).addSources(range));
  }

  /** Every core: current decay du + 1 = U / 2, no voltage leak matters; syn axons to every neuron. */
  private static ChipImage impulseImage(ChipSpec spec, CalibrationPlan plan, List<int[]> cores, int n,
      int syn) {
    ChipImage.Builder img = header(spec, cores, "u impulse responses of " + syn + " synapses per neuron");
    for (int[] c : cores) {
      Core.Builder core = core(c, n, plan.duAmount() - 1, 0, plan.vthNever(), 0, 0);
      AxonGroup.Builder g = AxonGroup.newBuilder().setName("calibration").setAxonFirst(0)
          .setAxonCount(syn).setSignMode(SignMode.EXCITATORY).setNumWeightBits(plan.numWeightBits())
          .setWeightExp(plan.weightExp()).addRowPtr(0);
      for (int a = 0; a < syn; a++) {
        for (int i = 0; i < n; i++) {
          g.addTarget(i).addWeight(plan.weight());
        }
        g.addRowPtr((a + 1) * n);
      }
      core.addAxonGroups(g);
      img.addCores(core);
      addSymbols(img, c, n);
      img.addInputs(InputPort.newBuilder().setName(inputPort(c)).setWidth(syn)
          .addTargets(AxonRange.newBuilder().setCore(address(c)).setAxonFirst(0).setCount(syn)));
    }
    return img.build();
  }

  private static CoreAddress address(int[] c) {
    return CoreAddress.newBuilder().setChip(c[0]).setCore(c[1]).build();
  }

  /** Parses "0-3,7" or "all" into core numbers of one chip. */
  public static List<int[]> parseCores(String text, int chip, int coresPerChip) {
    if (chip < 0) {
      throw new QuenchException("calibration: --chip " + chip + " is negative; chips are numbered from 0");
    }
    List<int[]> out = new ArrayList<>();
    if (text.equals("all")) {
      for (int c = 0; c < coresPerChip; c++) {
        out.add(new int[] {chip, c});
      }
      return out;
    }
    boolean[] seen = new boolean[coresPerChip];
    for (String part : text.split(",")) {
      String[] ends = part.trim().split("-", -1);
      try {
        int from = Integer.parseInt(ends[0].trim());
        int to = ends.length == 1 ? from : Integer.parseInt(ends[1].trim());
        if (ends.length > 2 || from < 0 || to < from || to >= coresPerChip) {
          throw new NumberFormatException();
        }
        for (int c = from; c <= to; c++) {
          if (!seen[c]) {
            seen[c] = true;
            out.add(new int[] {chip, c});
          }
        }
      } catch (NumberFormatException e) {
        throw new QuenchException("--cores '" + text + "': '" + part + "' is not a core or a range "
            + "FROM-TO within 0.." + (coresPerChip - 1));
      }
    }
    return out;
  }
}
