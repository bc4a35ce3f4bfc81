package org.quench.runtime.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;

/**
 * The measurement behind {@code quench bench}: builds a {@link SyntheticNetwork}, loads it on the
 * in-process emulator, runs warm-up steps, then times one or more windows of measured steps and
 * reads the emulator's work counters. Timing covers {@link Device#run} only; building each chunk's
 * Poisson input is outside the clock. With several windows, the report is the window of median
 * neuron-update rate, with the spread of all windows beside it: on a shared machine one window
 * can be a quarter slower than the next.
 */
public final class EmulatorThroughput {
  /** Goal: neuron updates per second. */
  public static final double TARGET_NEURON_UPDATES = 100e6;
  /** Goal: synaptic events per second. */
  public static final double TARGET_SYNAPTIC_EVENTS = 400e6;
  /** Goal: emulator memory per synapse, bytes. */
  public static final double TARGET_BYTES_PER_SYNAPSE = 6.0;
  /** The network size the goals were set for: neurons. */
  public static final int TARGET_NEURONS = 100_000;
  /** The network size the goals were set for: synapses per neuron. */
  public static final int TARGET_SYNAPSES_PER_NEURON = 100;
  /** Steps per {@link Device#run} call in the measured phase. */
  static final int CHUNK = 50;

  private EmulatorThroughput() {}

  /**
   * What to measure.
   *
   * @param shape the network
   * @param threads emulator worker threads (>= 1)
   * @param warmup steps run before measuring (>= 0)
   * @param steps measured steps per window (>= 1)
   * @param windows measured windows (>= 1), one after the other on the same loaded network
   */
  public record Settings(SyntheticNetwork.Shape shape, int threads, int warmup, int steps, int windows) {
    public Settings {
      if (threads < 1) {
        throw new QuenchException("--threads must be at least 1, got " + threads);
      }
      if (warmup < 0) {
        throw new QuenchException("--warmup must not be negative, got " + warmup);
      }
      if (steps < 1) {
        throw new QuenchException("--steps must be at least 1, got " + steps);
      }
      if (windows < 1 || windows > 1000) {
        throw new QuenchException("--repeat must be between 1 and 1000, got " + windows);
      }
    }

    /** The device the benchmark runs on. */
    public String deviceUri() {
      return Devices.DEFAULT_URI + "?threads=" + threads;
    }
  }

  /**
   * A finished measurement: the window of median neuron-update rate. Rates are per wall-clock
   * second of its measured steps.
   *
   * @param settings what was asked
   * @param neuronsPerCore neurons per core in the layout chosen for the spec
   * @param cores cores used
   * @param chips chips used
   * @param synapses synapses in the image
   * @param buildSeconds time to generate the image
   * @param loadSeconds time of {@link Device#load} (validation included)
   * @param runSeconds time of the measured steps
   * @param runCpuSeconds CPU time the whole process used during the measured steps (all threads,
   *     spinning at the step barrier and input generation included): on a loaded machine a steadier gauge of work per
   *     step than wall-clock rates
   * @param counters the emulator's counters over the measured steps
   * @param heapUsedBytes JVM heap in use after load (after a GC request)
   * @param heapMaxBytes the JVM's maximum heap
   * @param windowRates neuron updates/s of every measured window, in the order they ran
   */
  public record Measurement(Settings settings, int neuronsPerCore, int cores, int chips, long synapses,
      double buildSeconds, double loadSeconds, double runSeconds, double runCpuSeconds, DeviceCounters counters,
      long heapUsedBytes, long heapMaxBytes, double[] windowRates) {

    public double neuronUpdatesPerSecond() {
      return counters.neuronUpdates() / runSeconds;
    }

    public double synapticEventsPerSecond() {
      return counters.synapticEvents() / runSeconds;
    }

    public double stepsPerSecond() {
      return counters.steps() / runSeconds;
    }

    /** Process CPU microseconds per measured step. */
    public double cpuMicrosPerStep() {
      return counters.steps() == 0 ? 0 : 1e6 * runCpuSeconds / counters.steps();
    }

    /** Mean number of spikes per step. */
    public double spikesPerStep() {
      return counters.steps() == 0 ? 0 : (double) counters.spikes() / counters.steps();
    }

    /** Fraction of neurons that spike in a step, averaged over the measured steps. */
    public double spikeFraction() {
      return spikesPerStep() / settings.shape().neurons();
    }

    /** Emulator synapse storage per synapse, bytes. */
    public double bytesPerSynapse() {
      return counters.synapseCount() == 0 ? 0 : (double) counters.synapseBytes() / counters.synapseCount();
    }

    /**
     * The three goals, each with this measurement; judged only on the network they were set for
     * ({@value #TARGET_NEURONS} neurons x {@value #TARGET_SYNAPSES_PER_NEURON} synapses): a
     * smaller network has other cache behaviour and per-step overheads, so its figures say nothing
     * about the goals.
     */
    public List<Target> targets() {
      SyntheticNetwork.Shape shape = settings.shape();
      String why = shape.neurons() == TARGET_NEURONS && shape.synapsesPerNeuron() == TARGET_SYNAPSES_PER_NEURON
          ? null
          : String.format(Locale.ROOT, "set for %,d neurons x %d synapses; this run has %,d x %d",
              TARGET_NEURONS, TARGET_SYNAPSES_PER_NEURON, shape.neurons(), shape.synapsesPerNeuron());
      return List.of(
          new Target("neuron updates/s", TARGET_NEURON_UPDATES, true, neuronUpdatesPerSecond(), why),
          new Target("synaptic events/s", TARGET_SYNAPTIC_EVENTS, true, synapticEventsPerSecond(), why),
          new Target("bytes/synapse", TARGET_BYTES_PER_SYNAPSE, false, bytesPerSynapse(), why));
    }

    /** All figures as one JSON object (stable field names; rates per second, sizes in bytes). */
    public JsonObject toJson() {
      JsonObject o = new JsonObject();
      SyntheticNetwork.Shape shape = settings.shape();
      o.addProperty("device", settings.deviceUri());
      o.addProperty("threads", settings.threads());
      o.addProperty("neurons", shape.neurons());
      o.addProperty("synapsesPerNeuron", shape.synapsesPerNeuron());
      o.addProperty("neuronsPerCore", neuronsPerCore);
      o.addProperty("cores", cores);
      o.addProperty("chips", chips);
      o.addProperty("synapses", synapses);
      o.addProperty("seed", shape.seed());
      o.addProperty("warmupSteps", settings.warmup());
      o.addProperty("windows", windowRates.length);
      JsonArray perWindow = new JsonArray();
      for (double r : windowRates) {
        perWindow.add(r);
      }
      o.add("windowNeuronUpdatesPerSecond", perWindow);
      o.addProperty("steps", counters.steps());
      o.addProperty("buildSeconds", buildSeconds);
      o.addProperty("loadSeconds", loadSeconds);
      o.addProperty("runSeconds", runSeconds);
      o.addProperty("runCpuSeconds", runCpuSeconds);
      o.addProperty("cpuMicrosPerStep", cpuMicrosPerStep());
      o.addProperty("neuronUpdatesPerSecond", neuronUpdatesPerSecond());
      o.addProperty("synapticEventsPerSecond", synapticEventsPerSecond());
      o.addProperty("stepsPerSecond", stepsPerSecond());
      o.addProperty("spikesPerStep", spikesPerStep());
      o.addProperty("spikeFraction", spikeFraction());
      o.addProperty("bytesPerSynapse", bytesPerSynapse());
      o.addProperty("synapseBytes", counters.synapseBytes());
      o.addProperty("stateBytes", counters.stateBytes());
      o.addProperty("heapUsedBytes", heapUsedBytes);
      o.addProperty("heapMaxBytes", heapMaxBytes);
      JsonArray goals = new JsonArray();
      for (Target t : targets()) {
        JsonObject g = new JsonObject();
        g.addProperty("name", t.name());
        g.addProperty("bound", t.bound());
        g.addProperty("atLeast", t.atLeast());
        g.addProperty("measured", t.measured());
        g.addProperty("judged", t.judged());
        if (t.judged()) {
          g.addProperty("pass", t.pass());
        } else {
          g.add("pass", com.google.gson.JsonNull.INSTANCE);
          g.addProperty("notJudged", t.notJudged());
        }
        goals.add(g);
      }
      o.add("targets", goals);
      return o;
    }

    /** A human-readable report, one figure per line. */
    public String toText() {
      SyntheticNetwork.Shape shape = settings.shape();
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "network     %,d neurons x %d synapses = %,d synapses (input included),"
          + " %d per core on %d cores, %d chip(s), seed %d%n", shape.neurons(), shape.synapsesPerNeuron(),
          synapses, neuronsPerCore, cores, chips, shape.seed()));
      s.append(String.format(Locale.ROOT, "device      %s%n", settings.deviceUri()));
      s.append(String.format(Locale.ROOT, "build       %.2f s   load %.2f s   heap %s used of %s max%n",
          buildSeconds, loadSeconds, mib(heapUsedBytes), mib(heapMaxBytes)));
      s.append(String.format(Locale.ROOT, "run         %d warm-up + %d measured steps in %.2f s%n",
          settings.warmup(), counters.steps(), runSeconds));
      s.append(String.format(Locale.ROOT, "throughput  %s neuron updates/s   %s synaptic events/s   %.1f steps/s%n",
          Target.human(neuronUpdatesPerSecond()), Target.human(synapticEventsPerSecond()), stepsPerSecond()));
      if (windowRates.length > 1) {
        double[] sorted = windowRates.clone();
        java.util.Arrays.sort(sorted);
        s.append(String.format(Locale.ROOT,
            "windows     %d of %d steps: the median one above; neuron updates/s min %s, max %s%n",
            sorted.length, settings.steps(), Target.human(sorted[0]), Target.human(sorted[sorted.length - 1])));
      }
      s.append(String.format(Locale.ROOT, "cpu         %.2f s of process CPU = %.0f us per step%n",
          runCpuSeconds, cpuMicrosPerStep()));
      s.append(String.format(Locale.ROOT, "activity    %.1f spikes/step = %.2f%% of neurons per step%n",
          spikesPerStep(), 100 * spikeFraction()));
      s.append(String.format(Locale.ROOT, "memory      %.2f bytes/synapse (%s synapses, %s neuron state)%n",
          bytesPerSynapse(), mib(counters.synapseBytes()), mib(counters.stateBytes())));
      s.append("targets").append(System.lineSeparator());
      for (Target t : targets()) {
        s.append("  ").append(t.line()).append(System.lineSeparator());
      }
      return s.toString();
    }

    private static String mib(long bytes) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
  }

  /**
   * Builds, loads and measures. {@code progress} receives the number of steps run so far (warm-up
   * included; total warmup + steps).
   */
  public static Measurement run(Settings settings, LongConsumer progress) {
    long t0 = System.nanoTime();
    ChipSpec spec = ChipSpec.loihi();
    SyntheticNetwork network = SyntheticNetwork.build(settings.shape(), spec);
    long t1 = System.nanoTime();
    try (Device device = Devices.open(settings.deviceUri())) {
      device.load(network.image());
      long t2 = System.nanoTime();
      Runtime rt = Runtime.getRuntime();
      System.gc();
      long heapUsed = rt.totalMemory() - rt.freeMemory();
      long done = 0;
      done = runSteps(device, network, 0, settings.warmup(), done, progress, null);
      int windows = settings.windows();
      double[] rates = new double[windows];
      double[] seconds = new double[windows];
      double[] cpuSeconds = new double[windows];
      DeviceCounters[] counters = new DeviceCounters[windows];
      for (int w = 0; w < windows; w++) {
        DeviceCounters before = DeviceCounters.of(device);
        long[] runNanos = new long[1];
        long cpu0 = processCpuNanos();
        done = runSteps(device, network, settings.warmup() + (long) w * settings.steps(), settings.steps(), done,
            progress, runNanos);
        cpuSeconds[w] = (processCpuNanos() - cpu0) / 1e9;
        counters[w] = DeviceCounters.of(device).since(before);
        seconds[w] = runNanos[0] / 1e9;
        rates[w] = counters[w].neuronUpdates() / seconds[w];
      }
      int median = medianIndex(rates);
      return new Measurement(settings, network.neuronsPerCore(), network.cores(), network.chips(),
          network.synapses(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, seconds[median], cpuSeconds[median],
          counters[median], heapUsed, rt.maxMemory(), rates);
    }
  }

  /** Index of the median of {@code values} (the lower one of the middle two for an even count). */
  static int medianIndex(double[] values) {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
    return order[(values.length - 1) / 2];
  }

  /** CPU time of this process so far, ns (0 where the JVM cannot tell). */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  private static long runSteps(Device device, SyntheticNetwork network, long firstStep, int steps,
      long done, LongConsumer progress, long[] nanos) {
    for (int s = 0; s < steps; s += CHUNK) {
      int n = Math.min(CHUNK, steps - s);
      Stimulus stimulus = network.stimulus(firstStep + s, n);
      long start = System.nanoTime();
      device.run(stimulus);
      if (nanos != null) {
        nanos[0] += System.nanoTime() - start;
      }
      done += n;
      progress.accept(done);
    }
    return done;
  }
}
