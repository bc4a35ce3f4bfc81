package org.quench.runtime.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.passes.Discretize;
import org.quench.compiler.passes.PassContext;
import org.quench.compiler.passes.ProfileBudget;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.reference.ReferenceRun;
import org.quench.compiler.reference.ReferenceSimulator;
import org.quench.hal.ChipSpec;
import org.quench.emulator.EmulatorDevice;
import org.quench.hal.Device;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Symbol;
import org.quench.runtime.verify.VerificationReport.PopulationAgreement;

/**
 * Runs the float reference and a device on the same stimulus and measures, per population, how
 * far the device's spikes are from the reference's ({@link VerificationReport}).
 *
 * <p>The reference runs the network as the user trained it, before quantization (for a network
 * that was fixed point from the start, such as lava-dl netx, the same network in real arithmetic);
 * the device runs the compiled image from its initial state. Populations are matched by name: the
 * image's symbol table uses the population names of the compiled network. A population of the
 * reference that the compiled network lacks, or has with another size, is listed in the report's
 * notes instead of being compared.
 *
 * <p>When the reference has float populations, the device is also compared with the network after
 * the compiler's discretize and profile-budget passes, run in double precision: the difference
 * between the two comparisons separates what the discrete model changed (chip decays, bias added
 * to v rather than filtered, clustered profiles) from what quantization and integer arithmetic
 * changed.
 */
public final class Verification {
  private final ReferenceSimulator reference;
  /** The discretized network in double precision, or null (no float populations). */
  private final ReferenceSimulator discretized;
  private final String discretizedNote;
  /** The chip the ideal comparison chip follows. */
  private final ChipSpec spec;

  /**
   * A verification against {@code referenceNetwork} (the float network before quantization) at
   * time step {@code dt} seconds with {@code convention}; fixed-point populations use
   * {@code spec}'s widths.
   */
  public Verification(Network referenceNetwork, double dt, Discretization.Convention convention,
      ChipSpec spec) {
    this.spec = spec;
    reference = new ReferenceSimulator(referenceNetwork, dt, convention, spec);
    boolean anyFloat = referenceNetwork.populations().stream()
        .anyMatch(p -> p.dynamics() instanceof FloatNeurons);
    ReferenceSimulator d = null;
    String note = null;
    if (anyFloat) {
      try {
        PassContext context = new PassContext(spec, CompileOptions.none(), CompileReport.builder());
        Network n = new Discretize(dt, convention).apply(referenceNetwork, context);
        n = new ProfileBudget(dt, convention).apply(n, context);
        d = new ReferenceSimulator(n, dt, convention, spec);
      } catch (QuenchException e) {
        note = "no comparison with the discretized model: " + e.getMessage();
      }
    }
    discretized = d;
    discretizedNote = note;
  }

  /** The reference this verification compares against. */
  public ReferenceSimulator reference() {
    return reference;
  }

  /**
   * Opens {@code deviceUri}, loads {@code compiled.image()}, records the spikes of every
   * population the reference also has, runs {@code stimulus} there and in the reference, and
   * compares them.
   */
  public VerificationReport run(Compiler.Result compiled, String deviceUri, Stimulus stimulus) {
    return run(compiled.image(), deviceUri, stimulus, 0).report();
  }

  /**
   * Runs {@code image} on {@code deviceUri} and the reference on {@code stimulus} and compares every
   * population both have (matched by name and size through the image's symbol table). A spike
   * within {@code toleranceSteps} steps of the other side's counts as agreeing in
   * {@code agreementWithinTolerance}. v is traced on both sides for every compared population with
   * float dynamics in the reference, for plots and recordings.
   */
  public VerificationRun run(ChipImage image, String deviceUri, Stimulus stimulus, int toleranceSteps) {
    return run(image, deviceUri, stimulus, toleranceSteps, image);
  }

  /**
   * As {@link #run(ChipImage, String, Stimulus, int)}; when the device reports a non-nominal
   * profile, also runs {@code nominalImage} (the image compiled without compensation) on an ideal
   * emulated chip and compares the device with it: how far this chip instance is from nominal
   * (docs/variability.md).
   */
  public VerificationRun run(ChipImage image, String deviceUri, Stimulus stimulus, int toleranceSteps,
      ChipImage nominalImage) {
    if (toleranceSteps < 0) {
      throw new QuenchException("--tolerance " + toleranceSteps + " must be >= 0 steps");
    }
    Network ref = reference.network();
    Map<String, Integer> onChip = new LinkedHashMap<>();
    for (Symbol s : image.getSymbolsList()) {
      onChip.put(s.getPopulation(), s.getSize());
    }
    List<String> notes = new ArrayList<>();
    Map<String, Probe> probes = new LinkedHashMap<>();
    java.util.Set<String> traced = new java.util.LinkedHashSet<>();
    for (Population p : ref.populations()) {
      Integer size = onChip.get(p.name());
      if (size == null) {
        notes.add("population '" + p.name() + "' is not in the image; not compared");
      } else if (size != p.size()) {
        notes.add("population '" + p.name() + "' has " + p.size() + " neurons in the reference but "
            + size + " in the image; not compared");
      } else {
        probes.put(p.name(), Probe.of(ProbeKind.SPIKES, p.name()));
        if (p.dynamics() instanceof FloatNeurons) {
          traced.add(p.name());
        }
      }
    }
    if (probes.isEmpty()) {
      throw new QuenchException("verification: the image shares no population (by name and size)"
          + " with the reference '" + ref.name() + "'; pass the model the image was compiled from");
    }
    ReferenceRun expected = reference.run(stimulus, traced);
    ReferenceRun stepped = discretized == null ? null : discretized.run(stimulus);
    if (discretizedNote != null) {
      notes.add(discretizedNote);
    }
    RunResult got;
    org.quench.hal.DeviceInfo info;
    DeviceProfile profile;
    try (Device device = Devices.open(deviceUri)) {
      info = device.info();
      device.load(image);
      for (Probe probe : probes.values()) {
        device.attach(probe);
      }
      for (String name : traced) {
        device.attach(Probe.of(ProbeKind.V, name));
      }
      got = device.run(stimulus);
      profile = device.profile();
    }
    RunResult ideal = null;
    if (!profile.isNominal()) {
      try (Device nominal = new EmulatorDevice(spec, DeviceProfile.nominal("0"), 1)) {
        nominal.load(nominalImage);
        for (Probe probe : probes.values()) {
          nominal.attach(probe);
        }
        ideal = nominal.run(stimulus);
      }
      notes.add("device profile: " + profile.summary());
    }
    List<PopulationAgreement> nominalRows = new ArrayList<>();
    List<PopulationAgreement> rows = new ArrayList<>();
    List<PopulationAgreement> discreteRows = new ArrayList<>();
    for (Map.Entry<String, Probe> e : probes.entrySet()) {
      String name = e.getKey();
      RunResult.Trace trace = got.trace(e.getValue());
      int n = expected.size(name);
      if (trace.width() != n) {
        throw new QuenchException("verification: device recorded " + trace.width()
            + " neurons of '" + name + "', the reference has " + n);
      }
      boolean output = ref.outputs().contains(name);
      int steps = stimulus.steps();
      rows.add(compare(name, output, steps, n, spikes(expected, name, steps, n), trace.values(),
          toleranceSteps));
      if (stepped != null) {
        discreteRows.add(compare(name, output, steps, n, spikes(stepped, name, steps, n),
            trace.values(), toleranceSteps));
      }
      if (ideal != null) {
        nominalRows.add(compare(name, output, steps, n, ideal.trace(e.getValue()).values(),
            trace.values()));
      }
    }
    double dt = org.quench.runtime.session.ModelTime.dtSeconds(image);
    VerificationReport report = new VerificationReport(Devices.redacted(deviceUri), stimulus.steps(),
        stimulus.eventCount(), rows, discreteRows, nominalRows, notes, dt);
    return new VerificationRun(report, image, expected, got, List.copyOf(probes.keySet()),
        List.copyOf(traced), dt, info);
  }

  private static int[] spikes(ReferenceRun run, String name, int steps, int n) {
    int[] s = new int[steps * n];
    for (int k = 0; k < steps; k++) {
      for (int i = 0; i < n; i++) {
        s[k * n + i] = run.spike(name, k, i);
      }
    }
    return s;
  }

  /**
   * Compares two row-major {@code steps × n} spike recordings of one population (reference first).
   */
  static PopulationAgreement compare(String name, boolean output, int steps, int n, int[] ref,
      int[] dev) {
    return compare(name, output, steps, n, ref, dev, 0);
  }

  /**
   * As above; a spike (non-zero entry) of one side within {@code tolerance} steps of an unmatched
   * spike of the same neuron on the other side counts as agreeing for
   * {@code agreementWithinTolerance} (matched greedily in time order, each spike at most once).
   */
  static PopulationAgreement compare(String name, boolean output, int steps, int n, int[] ref,
      int[] dev, int tolerance) {
    int[] refCount = new int[n];
    int[] devCount = new int[n];
    long same = 0;
    Integer firstStep = null;
    Integer firstNeuron = null;
    for (int k = 0; k < steps; k++) {
      for (int i = 0; i < n; i++) {
        int a = ref[k * n + i];
        int b = dev[k * n + i];
        if (a != 0) {
          refCount[i]++;
        }
        if (b != 0) {
          devCount[i]++;
        }
        if (a == b) {
          same++;
        } else if (firstStep == null) {
          firstStep = k;
          firstNeuron = i;
        }
      }
    }
    long refTotal = sum(refCount);
    long devTotal = sum(devCount);
    double cells = (double) steps * n;
    double refRate = cells == 0 ? 0 : refTotal / cells;
    double devRate = cells == 0 ? 0 : devTotal / cells;
    Double corr = null;
    String corrNote = null;
    String refFlat = constantNote("reference", refCount);
    String devFlat = constantNote("device", devCount);
    if (n < 2) {
      corrNote = "a single neuron has no spread of counts";
    } else if (refFlat != null || devFlat != null) {
      corrNote = refFlat != null && devFlat != null ? refFlat + " and " + devFlat
          : refFlat != null ? refFlat : devFlat;
    } else {
      corr = pearson(refCount, devCount);
    }
    Integer refArg = null;
    Integer devArg = null;
    Boolean agrees = null;
    String argNote = null;
    if (output) {
      if (refTotal == 0 || devTotal == 0) {
        argNote = (refTotal == 0 && devTotal == 0 ? "neither the reference nor the device"
            : refTotal == 0 ? "the reference" : "the device") + " produced an output spike";
      } else {
        refArg = argmax(refCount);
        devArg = argmax(devCount);
        agrees = refArg.equals(devArg);
      }
    }
    long unmatched = unmatchedWithin(tolerance, steps, n, ref, dev);
    return new PopulationAgreement(name, n, output, refTotal, devTotal, refRate, devRate,
        devRate - refRate, corr, corrNote, cells == 0 ? 1.0 : same / cells, firstStep, firstNeuron,
        refArg, devArg, agrees, argNote, tolerance,
        cells == 0 ? 1.0 : Math.max(0, 1 - unmatched / cells), java.util.Arrays.equals(refCount, devCount));
  }

  /** Spikes of either side with no partner within {@code k} steps on the other (per neuron). */
  private static long unmatchedWithin(int k, int steps, int n, int[] ref, int[] dev) {
    long unmatched = 0;
    int[] a = new int[steps];
    int[] b = new int[steps];
    for (int i = 0; i < n; i++) {
      int na = 0;
      int nb = 0;
      for (int t = 0; t < steps; t++) {
        if (ref[t * n + i] != 0) {
          a[na++] = t;
        }
        if (dev[t * n + i] != 0) {
          b[nb++] = t;
        }
      }
      int x = 0;
      int y = 0;
      int matched = 0;
      while (x < na && y < nb) {
        if (Math.abs(a[x] - b[y]) <= k) {
          matched++;
          x++;
          y++;
        } else if (a[x] < b[y]) {
          x++;
        } else {
          y++;
        }
      }
      unmatched += (na - matched) + (nb - matched);
    }
    return unmatched;
  }

  private static String constantNote(String side, int[] counts) {
    for (int c : counts) {
      if (c != counts[0]) {
        return null;
      }
    }
    return counts.length == 0 ? side + " has no neurons"
        : counts[0] == 0 ? side + " has no spikes"
        : "every neuron spiked " + counts[0] + " times in the " + side;
  }

  /** The sum of {@code a}. */
  public static long sum(int[] a) {
    long s = 0;
    for (int x : a) {
      s += x;
    }
    return s;
  }

  /** The index of the largest value (the first on ties). */
  public static int argmax(int[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Pearson correlation of two arrays whose values are not constant (NaN otherwise). */
  public static double pearson(int[] x, int[] y) {
    int n = x.length;
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx;
      double dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
