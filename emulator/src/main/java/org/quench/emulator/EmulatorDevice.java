package org.quench.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchVersion;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.MessageText;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;

/**
 * The in-process emulated chip system: computes, bit for bit, what Lava's bit-accurate Loihi
 * process models compute (see docs/chip-semantics.md), for any number of cores on up to
 * {@code spec.maxChips()} chips. Steps run in parallel on a fixed set of worker threads, one
 * barrier per step; results are identical for every thread count.
 *
 * <p>Not thread-safe (like every {@link Device}); {@link #close()} stops the worker threads.
 */
public final class EmulatorDevice implements Device {
  /**
   * Work and memory counters, cumulative since the last load.
   *
   * @param steps steps run
   * @param neuronUpdates neuron updates (neurons x steps)
   * @param synapticEvents synapses visited by delivered spikes
   * @param spikes spikes emitted by neurons (host events excluded)
   * @param synapseCount synapses held
   * @param synapseBytes bytes the emulator holds for synapses: packed words, CSR row pointers,
   *     axon-to-group table and any separate weight array
   * @param stateBytes bytes of every other per-neuron and per-core array (state, constants, delay
   *     lines, scratch, spike lists, event buffers)
   */
  public record Stats(long steps, long neuronUpdates, long synapticEvents, long spikes,
      long synapseCount, long synapseBytes, long stateBytes) {}

  private final ChipSpec spec;
  private final String serial;
  private final DeviceProfile profile;
  private final int threads;
  private final String uri;
  private EmulatedNetwork network;
  private StepWorkers workers;
  private final Map<Probe, Resolved> probes = new LinkedHashMap<>();
  private long time;
  private long steps;
  private boolean closed;
  // Set when a run failed half way (the cores' states are then from different steps): what
  // failed, until reset() or load().
  private String failedRun;

  /** A probe resolved to (core, neuron) per recorded population index. */
  private record Resolved(Probe probe, int[] core, int[] neuron) {}

  /**
   * An emulated system of {@code spec}'s chips.
   *
   * @param spec the chip every core follows
   * @param serial chip instance serial (reported; this emulator's chips are nominal)
   * @param threads worker threads, at least 1 (more than the image's cores are not used)
   */
  public EmulatorDevice(ChipSpec spec, String serial, int threads) {
    this(spec, DeviceProfile.nominal(serial), threads);
  }

  /**
   * An emulated system of {@code spec}'s chips that deviates from nominal as {@code profile} says
   * (docs/variability.md): the profile acts on the integer parameters each image uses, at load.
   *
   * @param spec the chip every core follows
   * @param profile the chip instance (its serial is the device's serial)
   * @param threads worker threads, at least 1
   */
  public EmulatorDevice(ChipSpec spec, DeviceProfile profile, int threads) {
    this(spec, profile, threads, "emu:" + spec.name() + "?serial=" + profile.serial() + "&threads=" + threads);
  }

  EmulatorDevice(ChipSpec spec, DeviceProfile profile, int threads, String uri) {
    java.util.Objects.requireNonNull(spec, "spec");
    java.util.Objects.requireNonNull(profile, "profile");
    String serial = profile.serial();
    if (!profile.data().getSpecName().isEmpty() && !profile.data().getSpecName().equals(spec.name())) {
      throw new QuenchException("device profile of chip " + MessageText.shown(serial)
          + " was measured on spec '" + MessageText.shown(profile.data().getSpecName()) + "', not '"
          + spec.name() + "'; open a matching emu: device");
    }
    if (threads < 1) {
      throw new QuenchException("emulator threads must be at least 1, got " + threads);
    }
    this.spec = spec;
    this.serial = serial;
    this.profile = profile;
    this.threads = threads;
    this.uri = uri;
  }

  @Override
  public DeviceInfo info() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("emulator", "quench-emulator " + QuenchVersion.project());
    props.put("threads", String.valueOf(threads));
    props.put("variability", profile.isNominal() ? "nominal" : profile.summary());
    props.put("semantics", "Lava bit-accurate Loihi (PyLifModelBitAcc, PyDelayDenseModelBitAcc)");
    return new DeviceInfo(uri, EmulatorProvider.SCHEME, spec.name(), spec.hash(), serial, spec.maxChips(),
        props);
  }

  @Override
  public void load(ChipImage image) {
    checkOpen();
    if (image == null) {
      throw new QuenchException("load: no image given");
    }
    ValidatedImages.validate(image, spec);
    EmulatedNetwork built = new EmulatedNetwork(image, spec, profile);
    StepWorkers newWorkers = new StepWorkers(built.cores, threads);
    if (workers != null) {
      workers.close();
    }
    network = built;
    workers = newWorkers;
    failedRun = null;
    probes.clear();
    time = 0;
    steps = 0;
  }

  @Override
  public void attach(Probe probe) {
    EmulatedNetwork net = loaded();
    probes.put(probe, resolve(net, probe));
  }

  @Override
  public void detachAll() {
    checkOpen();
    probes.clear();
  }

  private Resolved resolve(EmulatedNetwork net, Probe probe) {
    EmulatedNetwork.Population pop = net.populations.get(probe.population());
    if (pop == null) {
      throw new QuenchException("probe " + probe + ": no population '" + probe.population()
          + "' in the image; it has " + net.populations.keySet());
    }
    int first = probe.first();
    int count = probe.count() < 0 ? pop.size - first : probe.count();
    if (first > pop.size || count < 0 || (long) first + count > pop.size) {
      throw new QuenchException("probe " + probe + ": range exceeds population '" + pop.name + "' of "
          + pop.size + " neurons");
    }
    int[] core = Arrays.copyOfRange(pop.core, first, first + count);
    int[] neuron = Arrays.copyOfRange(pop.neuron, first, first + count);
    for (int i = 0; i < count; i++) {
      if (core[i] < 0) {
        throw new QuenchException("probe " + probe + ": population index " + (first + i)
            + " is not placed on any core in the image's symbol table");
      }
    }
    return new Resolved(probe, core, neuron);
  }

  @Override
  public RunResult run(Stimulus stimulus) {
    EmulatedNetwork net = loaded();
    if (failedRun != null) {
      throw new QuenchException("device " + uri + ": the last run failed half way (" + failedRun
          + "); reset() or load() before running again");
    }
    int n = stimulus.steps();
    EmulatedCore[] cores = net.cores;
    RunPlan.CorePlan[] plans = new RunPlan.CorePlan[cores.length];
    for (int c = 0; c < cores.length; c++) {
      plans[c] = new RunPlan.CorePlan();
    }
    planHostEvents(net, stimulus, plans, n);
    planBiasChanges(net, stimulus, plans, n);
    List<EmulatedNetwork.PortOut> outs = net.outputList();
    List<List<RunPlan.TapOutput>> tapsOfPort = new ArrayList<>();
    for (EmulatedNetwork.PortOut p : outs) {
      List<RunPlan.TapOutput> taps = new ArrayList<>();
      for (var r : p.sources) {
        int c = net.coreIndex(r.getCore());
        RunPlan.TapOutput tap = new RunPlan.TapOutput(r.getNeuronFirst(), r.getCount(), p.slot, r.getOffset(),
            !cores[c].onlyPositiveSpikes());
        plans[c].addTap(tap);
        taps.add(tap);
      }
      tapsOfPort.add(taps);
    }
    List<Resolved> recorded = new ArrayList<>(probes.values());
    int[][] traces = new int[recorded.size()][];
    for (int q = 0; q < recorded.size(); q++) {
      Resolved r = recorded.get(q);
      int width = r.core.length;
      long size = (long) n * width;
      if (size > Integer.MAX_VALUE - 16) {
        throw new QuenchException("probe " + r.probe + " over " + n + " steps would record " + size
            + " values; run fewer steps at a time");
      }
      traces[q] = new int[(int) size];
      int kind = r.probe.kind() == ProbeKind.U ? RunPlan.CorePlan.KIND_U
          : r.probe.kind() == ProbeKind.V ? RunPlan.CorePlan.KIND_V : RunPlan.CorePlan.KIND_SPIKES;
      for (int i = 0; i < width; i++) {
        plans[r.core[i]].addSample(q, width, i, r.neuron[i], kind);
      }
    }
    for (int c = 0; c < cores.length; c++) {
      plans[c].traces = traces;
      cores[c].plan = plans[c].isEmpty() ? null : plans[c];
    }
    long first = time;
    if (n > 0) {
      try {
        workers.run(first, n);
      } catch (RuntimeException e) {
        failedRun = e.getMessage();
        for (EmulatedCore core : cores) {
          core.plan = null;
        }
        throw e;
      }
    }
    time += n;
    steps += n;
    for (EmulatedCore core : cores) {
      core.plan = null;
    }
    Map<String, RunResult.SpikeEvents> outputs = new LinkedHashMap<>();
    for (int q = 0; q < outs.size(); q++) {
      outputs.put(outs.get(q).name, collect(outs.get(q).width, tapsOfPort.get(q), n));
    }
    Map<Probe, RunResult.Trace> traceMap = new LinkedHashMap<>();
    for (int q = 0; q < recorded.size(); q++) {
      Resolved r = recorded.get(q);
      traceMap.put(r.probe, new RunResult.Trace(r.probe, r.core.length, traces[q]));
    }
    return new RunResult(n, first, outputs, traceMap);
  }

  /**
   * One port's events in (step, index) order, by block copies: each tap's spikes are already in
   * step order and, within a step, in index order, so with the taps taken in order of their first
   * port index a step's slice is the taps' slices one after another. A count per step places
   * every tap's slice; the cost is linear in events plus steps. Only when two taps' index ranges
   * overlap (the image allows it) is each step's slice checked, and sorted if it must be. This
   * costs less than encoding the events for a remote client, where sorting every event cost more
   * than the steps themselves on ports that spike every step.
   */
  private static RunResult.SpikeEvents collect(int width, List<RunPlan.TapOutput> portTaps, int n) {
    RunPlan.TapOutput[] taps = portTaps.toArray(new RunPlan.TapOutput[0]);
    // Stable: taps with the same first index keep the image's source order.
    Arrays.sort(taps, (a, b) -> Integer.compare(a.index, b.index));
    boolean overlap = false;
    long total = 0;
    for (int t = 0; t < taps.length; t++) {
      overlap |= t > 0 && (long) taps[t - 1].index + taps[t - 1].count > taps[t].index;
      total += taps[t].total;
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new QuenchException("an output port produced " + total + " spikes in one run of " + n
          + " steps, more than one result holds; run fewer steps at a time");
    }
    int[] start = new int[n + 1];
    for (RunPlan.TapOutput tap : taps) {
      for (int j = 0, before = 0; j < tap.spikingStepCount; j++) {
        start[tap.spikingSteps[j] + 1] += tap.spikesThrough[j] - before;
        before = tap.spikesThrough[j];
      }
    }
    for (int k = 0; k < n; k++) {
      start[k + 1] += start[k];
    }
    int[] steps = new int[(int) total];
    int[] indices = new int[(int) total];
    int[] values = new int[(int) total];
    int[] fill = Arrays.copyOf(start, n);
    for (RunPlan.TapOutput tap : taps) {
      RunPlan.TapOutput.Reader reader = tap.reader();
      for (int j = 0, before = 0; j < tap.spikingStepCount; j++) {
        int k = tap.spikingSteps[j];
        int m = tap.spikesThrough[j] - before;
        before = tap.spikesThrough[j];
        reader.copy(indices, values, fill[k], m);
        fill[k] += m;
      }
    }
    for (int k = 0; k < n; k++) {
      if (start[k + 1] > start[k]) {
        Arrays.fill(steps, start[k], start[k + 1], k);
        if (overlap) {
          sortSlice(indices, values, start[k], start[k + 1]);
        }
      }
    }
    return new RunResult.SpikeEvents(width, steps, indices, values);
  }

  /** Sorts {@code indices[from, to)} ascending, carrying {@code values}; free when already sorted. */
  private static void sortSlice(int[] indices, int[] values, int from, int to) {
    boolean sorted = true;
    for (int i = from + 1; i < to && sorted; i++) {
      sorted = indices[i - 1] < indices[i];
    }
    if (sorted) {
      return;
    }
    // Index in the high bits, the value (+1 or -1 or a graded payload's sign) kept alongside.
    long[] keys = new long[to - from];
    for (int i = from; i < to; i++) {
      keys[i - from] = ((long) indices[i] << 32) | Integer.toUnsignedLong(values[i]);
    }
    Arrays.sort(keys);
    for (int i = from; i < to; i++) {
      indices[i] = (int) (keys[i - from] >> 32);
      values[i] = (int) keys[i - from];
    }
  }

  private void planHostEvents(EmulatedNetwork net, Stimulus stimulus, RunPlan.CorePlan[] plans, int n) {
    EmulatedCore[] cores = net.cores;
    int[][] perStep = new int[cores.length][];
    int total = 0;
    for (Stimulus.PortEvents ev : stimulus.events().values()) {
      EmulatedNetwork.PortIn port = net.inputs.get(ev.port());
      if (port == null) {
        throw new QuenchException("stimulus names input port '" + ev.port() + "', which the image lacks; it has "
            + net.inputs.keySet());
      }
      for (int e = 0; e < ev.steps().length; e++) {
        int index = ev.indices()[e];
        int step = ev.steps()[e];
        int payload = ev.payloads()[e];
        if (index < 0 || index >= port.width) {
          throw new QuenchException("input event on port '" + port.name + "' at step " + step + ": index "
              + index + " is outside the port's width " + port.width);
        }
        if (step < 0 || step >= n) {
          throw new QuenchException("input event on port '" + port.name + "' at step " + step
              + " lies outside the run's " + n + " steps");
        }
        for (int t = port.ptr[index]; t < port.ptr[index + 1]; t++) {
          EmulatedCore core = cores[port.core[t]];
          int g = core.groupOf(port.axon[t]);
          if (g >= 0 && (payload < core.messageMin(g) || payload > core.messageMax(g))) {
            throw new QuenchException("input event on port '" + port.name + "' index " + index + " at step "
                + step + ": payload " + payload + " is outside " + core.messageMin(g) + ".."
                + core.messageMax(g) + " accepted by axon group '" + core.groupName(g) + "' on " + core.where
                + " (binary groups take -1..1, graded groups a signed num_message_bits integer)");
          }
          if (perStep[core.index] == null) {
            perStep[core.index] = new int[n + 1];
          }
          perStep[core.index][step + 1]++;
          total++;
        }
      }
    }
    for (int c = 0; c < cores.length; c++) {
      int max = 0;
      if (perStep[c] != null) {
        int[] ptr = perStep[c];
        for (int k = 0; k < n; k++) {
          max = Math.max(max, ptr[k + 1]);
          ptr[k + 1] += ptr[k];
        }
        plans[c].hostPtr = ptr;
        plans[c].hostAxon = new int[ptr[n]];
        plans[c].hostValue = new int[ptr[n]];
      }
      cores[c].reserveEvents(max);
    }
    if (total == 0) {
      return;
    }
    int[][] fill = new int[cores.length][];
    for (int c = 0; c < cores.length; c++) {
      if (plans[c].hostPtr != null) {
        fill[c] = Arrays.copyOf(plans[c].hostPtr, n);
      }
    }
    for (Stimulus.PortEvents ev : stimulus.events().values()) {
      EmulatedNetwork.PortIn port = net.inputs.get(ev.port());
      for (int e = 0; e < ev.steps().length; e++) {
        int index = ev.indices()[e];
        int step = ev.steps()[e];
        for (int t = port.ptr[index]; t < port.ptr[index + 1]; t++) {
          int c = port.core[t];
          int pos = fill[c][step]++;
          plans[c].hostAxon[pos] = port.axon[t];
          plans[c].hostValue[pos] = ev.payloads()[e];
        }
      }
    }
  }

  private void planBiasChanges(EmulatedNetwork net, Stimulus stimulus, RunPlan.CorePlan[] plans, int n) {
    if (stimulus.biasChanges().isEmpty()) {
      return;
    }
    ChipSpec.Range mantissas = spec.biasMantRange();
    EmulatedCore[] cores = net.cores;
    int[][] count = new int[cores.length][];
    for (Stimulus.BiasChange b : stimulus.biasChanges()) {
      EmulatedNetwork.Population pop = net.populations.get(b.population());
      if (pop == null) {
        throw new QuenchException("bias change at step " + b.step() + ": no population '" + b.population()
            + "' in the image; it has " + net.populations.keySet());
      }
      if (b.biasMant().length != pop.size) {
        throw new QuenchException("bias change of population '" + pop.name + "' at step " + b.step() + " gives "
            + b.biasMant().length + " mantissas for " + pop.size + " neurons");
      }
      if (b.step() < 0 || b.step() >= Math.max(n, 1)) {
        throw new QuenchException("bias change of population '" + pop.name + "' at step " + b.step()
            + " lies outside the run's " + n + " steps");
      }
      for (int i = 0; i < pop.size; i++) {
        int m = b.biasMant()[i];
        if (!mantissas.contains(m)) {
          throw new QuenchException("bias change of population '" + pop.name + "' at step " + b.step()
              + ": mantissa " + m + " of neuron " + i + " is outside " + mantissas);
        }
        if (pop.core[i] >= 0 && n > 0) {
          if (count[pop.core[i]] == null) {
            count[pop.core[i]] = new int[n + 1];
          }
          count[pop.core[i]][b.step() + 1]++;
        }
      }
    }
    if (n == 0) {
      // A zero-step run only sets the (sticky) biases for the steps to come.
      for (Stimulus.BiasChange b : stimulus.biasChanges()) {
        EmulatedNetwork.Population pop = net.populations.get(b.population());
        for (int i = 0; i < pop.size; i++) {
          if (pop.core[i] >= 0) {
            cores[pop.core[i]].setBias(pop.neuron[i], b.biasMant()[i]);
          }
        }
      }
      return;
    }
    int[][] fill = new int[cores.length][];
    for (int c = 0; c < cores.length; c++) {
      if (count[c] != null) {
        int[] ptr = count[c];
        for (int k = 0; k < n; k++) {
          ptr[k + 1] += ptr[k];
        }
        plans[c].biasPtr = ptr;
        plans[c].biasNeuron = new int[ptr[n]];
        plans[c].biasValue = new int[ptr[n]];
        fill[c] = Arrays.copyOf(ptr, n);
      }
    }
    // Stimulus keeps changes sorted by step and stable, so a later change of the same step wins.
    for (Stimulus.BiasChange b : stimulus.biasChanges()) {
      EmulatedNetwork.Population pop = net.populations.get(b.population());
      for (int i = 0; i < pop.size; i++) {
        int c = pop.core[i];
        if (c >= 0) {
          int pos = fill[c][b.step()]++;
          plans[c].biasNeuron[pos] = pop.neuron[i];
          plans[c].biasValue[pos] = b.biasMant()[i];
        }
      }
    }
  }

  @Override
  public int[] read(Probe probe) {
    EmulatedNetwork net = loaded();
    Resolved r = resolve(net, probe);
    int parity = (int) (time & 1);
    int[] out = new int[r.core.length];
    for (int i = 0; i < out.length; i++) {
      EmulatedCore c = net.cores[r.core[i]];
      int neuron = r.neuron[i];
      switch (probe.kind()) {
        case U:
          out[i] = c.u[neuron];
          break;
        case V:
          out[i] = c.v[neuron];
          break;
        default:
          out[i] = time == 0 ? 0 : c.spikeOf(parity, neuron);
      }
    }
    return out;
  }

  @Override
  public void reset() {
    EmulatedNetwork net = loaded();
    for (EmulatedCore c : net.cores) {
      c.reset();
    }
    time = 0;
    failedRun = null;
  }

  @Override
  public long time() {
    checkOpen();
    return time;
  }

  @Override
  public DeviceProfile profile() {
    checkOpen();
    return profile;
  }

  /** Work and memory counters since the last load (zeros before any load). */
  public Stats stats() {
    checkOpen();
    if (network == null) {
      return new Stats(0, 0, 0, 0, 0, 0, 0);
    }
    long updates = 0;
    long events = 0;
    long spikes = 0;
    long synapses = 0;
    long synBytes = 0;
    long stateBytes = 0;
    for (EmulatedCore c : network.cores) {
      updates += c.neuronUpdates;
      events += c.synapticEvents;
      spikes += c.spikes;
      synapses += c.synapseCount;
      synBytes += c.synapseBytes();
      stateBytes += c.stateBytes();
    }
    // The deferred-sum scratch belongs to the worker threads (one array per size each), not to
    // a core.
    stateBytes += workers == null ? 0 : workers.scratchBytes();
    stateBytes += network.bitmapBytes();
    return new Stats(steps, updates, events, spikes, synapses, synBytes, stateBytes);
  }

  /** Spikes that crossed from one chip to another since the last load. */
  public long interChipSpikes() {
    checkOpen();
    long total = 0;
    if (network != null) {
      for (EmulatedCore c : network.cores) {
        total += c.interChipSpikes;
      }
    }
    return total;
  }

  /** The loaded image's core {@code index} (tests look inside). */
  EmulatedCore coreForTest(int index) {
    return loaded().cores[index];
  }

  /** Tests only: see {@link StepWorkers#rotateSharesForTest()}. */
  void rotateSharesForTest() {
    workers.rotateSharesForTest();
  }

  /** Tests only: see {@link StepWorkers#contendForTest()}. */
  void contendForTest() {
    workers.contendForTest();
  }

  /** Worker threads actually stepping the loaded image (at most one per core). */
  int workerCount() {
    return workers == null ? 0 : workers.workerCount();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (workers != null) {
      workers.close();
      workers = null;
    }
    network = null;
    probes.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new QuenchException("device " + uri + " is closed; open a new one");
    }
  }

  private EmulatedNetwork loaded() {
    checkOpen();
    if (network == null) {
      throw new QuenchException("device " + uri + " has no image loaded; call load(image) first");
    }
    return network;
  }
}
