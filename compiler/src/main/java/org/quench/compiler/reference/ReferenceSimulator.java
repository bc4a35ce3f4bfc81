package org.quench.compiler.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.DiscreteNeurons;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.NeuronKind;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.ResetMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.quant.WeightBits;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;

/**
 * Runs a {@link Network} in double precision, step by step: the "ideal" network that quantization
 * approximates, driven by the same {@link Stimulus} a device takes.
 *
 * <p><b>Float populations</b> ({@link FloatNeurons}) run the continuous model their Javadoc states,
 * discretized at {@code dt} with a convention's first-order filter: kept fraction
 * {@code a(tau) = }{@link Discretization#factor} (clamped to {@code [0, 1]} as the chip's decays
 * are) and input gain {@code k(tau) = 1 - exp(-dt/tau)} (EXACT) or {@code dt/tau} (forward Euler):
 * <pre>
 *   x[t] = sum w * s_src[t-1-delay] + b            (host events of step t-1 likewise; graded
 *                                                   payloads multiply w; b = constant current)
 *   I[t] = a(tau_syn) I[t-1] + k(tau_syn) x[t]      (tau_syn = 0: I[t] = x[t])
 *   v[t] = a(tau_mem) v[t-1] + r k(tau_mem) I[t] + k(tau_mem) v_leak
 *          (tau_mem = +inf: v += r I, a perfect integrator; tau_mem = 0: v = r I + v_leak)
 *   spike if v[t] > threshold (+inf never spikes); reset v = v_reset (TO_ZERO) or
 *   v -= threshold (BY_SUBTRACTION); refractory R: v held at its reset value for R steps while
 *   I integrates
 * </pre>
 * This is the model before the chip's simplifications (Discretize moves b from the current to the
 * voltage and realises v_reset as an offset); with forward Euler and snnTorch's exported gains it
 * is snnTorch's own discrete model. Units are the model's own. {@code u} traces are {@code I}.
 *
 * <p><b>Discretized populations</b> ({@link DiscreteNeurons}) run their stated per-step form
 * ({@code u = keep_u u + gain x; v = keep_v v + u + bias}, from {@code v_init}) with the kept
 * fractions of their chip decays, in model units.
 *
 * <p><b>Fixed-point populations</b> ({@link FixedNeurons}, e.g. lava-dl netx) follow the chip's
 * equations (docs/chip-semantics.md#one-neuron-step) in real numbers, without truncation, wrapping
 * or saturation: kept fractions {@code (U-1-du)/U} and {@code (U-dv)/U}, activation
 * {@code w 2^weight_exp} entering {@code u} times {@code 2^6}, threshold {@code vth 2^6}, bias
 * {@code bias_mant 2^bias_exp}. The weights are those the chip holds after its load-time clip and
 * truncation (that is what the network is; the arithmetic is what is idealised), convolution
 * weights are used as they are. Ternary neurons, reset modes, refractory periods, periodic resets
 * and initial u and v are modelled as on the chip. Values are in chip units, so traces compare
 * directly with a device's.
 *
 * <p>Every {@link #run} starts from the initial state. Deterministic; not thread-safe (one run at a
 * time per instance). A projection's weights and its target's dynamics must both be float (float
 * or discretized neurons) or both fixed point.
 */
public final class ReferenceSimulator {
  private final Network network;
  private final double dt;
  private final Discretization.Convention convention;
  private final PopulationModel[] populations;
  private final ProjectionModel[] projections;
  private final Map<String, Integer> populationIndex = new LinkedHashMap<>();
  private final Map<String, Integer> portIndex = new LinkedHashMap<>();
  private final int[] portWidth;
  /** Per port, the projections leaving it; per population, likewise. */
  private final int[][] fromPort;
  private final int[][] fromPopulation;

  /** A simulator for {@code network} at step {@code dt} (seconds) on the built-in Loihi spec. */
  public ReferenceSimulator(Network network, double dt, Discretization.Convention convention) {
    this(network, dt, convention, ChipSpec.loihi());
  }

  /**
   * A simulator whose fixed-point populations use {@code spec}'s widths (decay unity, shifts,
   * weight mantissa bits); float populations do not depend on the spec.
   */
  public ReferenceSimulator(Network network, double dt, Discretization.Convention convention,
      ChipSpec spec) {
    if (network == null || convention == null || spec == null) {
      throw new QuenchException("the reference simulator needs a network, a discretization"
          + " convention and a chip spec");
    }
    if (!(dt > 0) || Double.isInfinite(dt)) {
      throw new QuenchException("reference simulator: time step dt " + dt
          + " must be finite and > 0 (seconds, e.g. 1e-3)");
    }
    this.network = network;
    this.dt = dt;
    this.convention = convention;
    List<Population> pops = network.populations();
    populations = new PopulationModel[pops.size()];
    for (int p = 0; p < pops.size(); p++) {
      populationIndex.put(pops.get(p).name(), p);
      populations[p] = PopulationModel.of(pops.get(p), dt, convention, spec);
    }
    List<InputPort> ports = network.inputs();
    portWidth = new int[ports.size()];
    for (int i = 0; i < ports.size(); i++) {
      portIndex.put(ports.get(i).name(), i);
      portWidth[i] = ports.get(i).width();
    }
    List<Projection> projs = network.projections();
    projections = new ProjectionModel[projs.size()];
    List<List<Integer>> byPort = lists(ports.size());
    List<List<Integer>> byPop = lists(pops.size());
    for (int j = 0; j < projs.size(); j++) {
      Projection pr = projs.get(j);
      int target = populationIndex.get(pr.target());
      projections[j] = ProjectionModel.of(pr, target, populations[target], spec);
      populations[target].maxDelay = Math.max(populations[target].maxDelay, pr.maxDelay());
      if (pr.source().isInputPort()) {
        byPort.get(portIndex.get(pr.source().name())).add(j);
      } else {
        byPop.get(populationIndex.get(pr.source().name())).add(j);
      }
    }
    fromPort = toArrays(byPort);
    fromPopulation = toArrays(byPop);
  }

  public Network network() {
    return network;
  }

  /** The time step in seconds. */
  public double dt() {
    return dt;
  }

  public Discretization.Convention convention() {
    return convention;
  }

  /** Runs {@code stimulus} from the initial state, recording spikes of every population. */
  public ReferenceRun run(Stimulus stimulus) {
    return run(stimulus, Set.of());
  }

  /**
   * Runs {@code stimulus} from the initial state, recording spikes of every population and the
   * u and v traces of the populations named in {@code traced}.
   */
  public ReferenceRun run(Stimulus stimulus, Set<String> traced) {
    int steps = stimulus.steps();
    InputSchedule input = InputSchedule.of(stimulus, portIndex, portWidth, network.name());
    List<BiasSchedule> bias = biasSchedules(stimulus);
    Set<String> tracedNames = new LinkedHashSet<>(traced);
    for (String name : tracedNames) {
      if (!populationIndex.containsKey(name)) {
        throw new QuenchException("cannot trace u and v of '" + name + "': network '"
            + network.name() + "' has populations " + populationIndex.keySet());
      }
    }

    int np = populations.length;
    PopulationState[] state = new PopulationState[np];
    byte[][] spikes = new byte[np][];
    double[][] uTrace = new double[np][];
    double[][] vTrace = new double[np][];
    for (int p = 0; p < np; p++) {
      PopulationModel m = populations[p];
      state[p] = new PopulationState(m);
      spikes[p] = new byte[Math.multiplyExact(steps, m.n)];
      if (tracedNames.contains(m.name)) {
        uTrace[p] = new double[steps * m.n];
        vTrace[p] = new double[steps * m.n];
      }
    }
    int nextBias = 0;
    for (int k = 0; k < steps; k++) {
      while (nextBias < bias.size() && bias.get(nextBias).step == k) {
        BiasSchedule b = bias.get(nextBias++);
        state[b.population].setBias(b.biasMant);
      }
      for (int p = 0; p < np; p++) {
        state[p].step(k, spikes[p], uTrace[p], vTrace[p]);
      }
      for (int p = 0; p < np; p++) {
        int n = populations[p].n;
        byte[] row = spikes[p];
        int base = k * n;
        for (int j : fromPopulation[p]) {
          ProjectionModel pr = projections[j];
          PopulationState target = state[pr.target];
          for (int i = 0; i < n; i++) {
            byte s = row[base + i];
            if (s != 0) {
              pr.deliver(i, s, k, target);
            }
          }
        }
      }
      for (int e = input.stepStart[k]; e < input.stepStart[k + 1]; e++) {
        for (int j : fromPort[input.port[e]]) {
          ProjectionModel pr = projections[j];
          pr.deliver(input.index[e], input.value[e], k, state[pr.target]);
        }
      }
    }
    Map<String, ReferenceRun.Record> records = new LinkedHashMap<>();
    for (int p = 0; p < np; p++) {
      records.put(populations[p].name,
          new ReferenceRun.Record(populations[p].n, spikes[p], uTrace[p], vTrace[p]));
    }
    return new ReferenceRun(steps, records);
  }

  private List<BiasSchedule> biasSchedules(Stimulus stimulus) {
    List<BiasSchedule> list = new ArrayList<>();
    for (Stimulus.BiasChange c : stimulus.biasChanges()) {
      Integer p = populationIndex.get(c.population());
      if (p == null) {
        throw new QuenchException("stimulus sets the bias of population '" + c.population()
            + "', which network '" + network.name() + "' does not have; it has "
            + populationIndex.keySet());
      }
      PopulationModel m = populations[p];
      if (c.biasMant().length != m.n) {
        throw new QuenchException("stimulus sets " + c.biasMant().length + " bias values for"
            + " population '" + m.name + "' of " + m.n + " neurons: give one per neuron");
      }
      if (!m.fixed) {
        throw new QuenchException("stimulus sets the bias mantissas of population '" + m.name
            + "', which has float dynamics in the reference: chip bias mantissas have no"
            + " meaning there; drive float networks through their input ports");
      }
      list.add(new BiasSchedule(c.step(), p, c.biasMant()));
    }
    return list; // Stimulus keeps them sorted by step
  }

  private static List<List<Integer>> lists(int n) {
    List<List<Integer>> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(new ArrayList<>());
    }
    return l;
  }

  private static int[][] toArrays(List<List<Integer>> lists) {
    int[][] a = new int[lists.size()][];
    for (int i = 0; i < a.length; i++) {
      a[i] = lists.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    return a;
  }

  private record BiasSchedule(int step, int population, int[] biasMant) {}

  /** Host events flattened by step: events of step k are {@code stepStart[k] .. stepStart[k+1]-1}. */
  private record InputSchedule(int[] stepStart, int[] port, int[] index, int[] value) {
    static InputSchedule of(Stimulus s, Map<String, Integer> ports, int[] widths, String net) {
      int steps = s.steps();
      int total = 0;
      for (Stimulus.PortEvents e : s.events().values()) {
        Integer p = ports.get(e.port());
        if (p == null) {
          throw new QuenchException("stimulus has events on input port '" + e.port()
              + "', which network '" + net + "' does not have; its ports are " + ports.keySet());
        }
        for (int idx : e.indices()) {
          if (idx >= widths[p]) {
            throw new QuenchException("stimulus has an event on channel " + idx + " of input port '"
                + e.port() + "', which has " + widths[p] + " channels");
          }
        }
        total += e.steps().length;
      }
      int[] start = new int[steps + 1];
      for (Stimulus.PortEvents e : s.events().values()) {
        for (int st : e.steps()) {
          start[st + 1]++;
        }
      }
      for (int k = 0; k < steps; k++) {
        start[k + 1] += start[k];
      }
      int[] next = Arrays.copyOf(start, steps);
      int[] port = new int[total];
      int[] index = new int[total];
      int[] value = new int[total];
      for (Stimulus.PortEvents e : s.events().values()) {
        int p = ports.get(e.port());
        for (int i = 0; i < e.steps().length; i++) {
          int at = next[e.steps()[i]]++;
          port[at] = p;
          index[at] = e.indices()[i];
          value[at] = e.payloads()[i];
        }
      }
      return new InputSchedule(start, port, index, value);
    }
  }

  /** One population's parameters, reduced to what the real-valued step needs. */
  static final class PopulationModel {
    final String name;
    final int n;
    final boolean fixed;
    final double[] keptU;
    final double[] keptV;
    /** Gain from the step's input x to u (or I); 1 for fixed point (the shift is in the weights). */
    final double[] gainU;
    /** Gain from u (or I) to v. */
    final double[] gainV;
    /** Constant input added to x every step (float neurons' current b); 0 otherwise. */
    final double[] inputBias;
    final double[] bias;
    /** Fixed point only: 2^bias_exp, to turn bias mantissa overrides into values. */
    final double[] biasScale;
    final double[] threshold;
    /** Lower threshold of ternary neurons; -infinity otherwise. */
    final double[] thresholdLo;
    final double[] resetValue;
    final boolean[] subtract;
    final int[] refractory;
    final int[] resetInterval;
    final int[] resetOffset;
    final double[] u0;
    final double[] v0;
    final boolean anyRefractory;
    final boolean anyPeriodic;
    int maxDelay;

    private PopulationModel(String name, int n, boolean fixed) {
      this.name = name;
      this.n = n;
      this.fixed = fixed;
      keptU = new double[n];
      keptV = new double[n];
      gainU = new double[n];
      gainV = new double[n];
      inputBias = new double[n];
      bias = new double[n];
      biasScale = new double[n];
      threshold = new double[n];
      thresholdLo = new double[n];
      resetValue = new double[n];
      subtract = new boolean[n];
      refractory = new int[n];
      resetInterval = new int[n];
      resetOffset = new int[n];
      u0 = new double[n];
      v0 = new double[n];
      anyRefractory = false;
      anyPeriodic = false;
    }

    private PopulationModel(PopulationModel m, boolean anyRefractory, boolean anyPeriodic) {
      name = m.name;
      n = m.n;
      fixed = m.fixed;
      keptU = m.keptU;
      keptV = m.keptV;
      gainU = m.gainU;
      gainV = m.gainV;
      inputBias = m.inputBias;
      bias = m.bias;
      biasScale = m.biasScale;
      threshold = m.threshold;
      thresholdLo = m.thresholdLo;
      resetValue = m.resetValue;
      subtract = m.subtract;
      refractory = m.refractory;
      resetInterval = m.resetInterval;
      resetOffset = m.resetOffset;
      u0 = m.u0;
      v0 = m.v0;
      this.anyRefractory = anyRefractory;
      this.anyPeriodic = anyPeriodic;
    }

    static PopulationModel of(Population pop, double dt, Discretization.Convention c,
        ChipSpec spec) {
      PopulationModel m = new PopulationModel(pop.name(), pop.size(),
          pop.dynamics() instanceof FixedNeurons);
      if (pop.dynamics() instanceof FloatNeurons f) {
        fillFloat(m, f, dt, c);
      } else if (pop.dynamics() instanceof DiscreteNeurons d) {
        fillDiscrete(m, d, spec);
      } else {
        fillFixed(m, pop.fixed(), spec);
      }
      boolean refr = Arrays.stream(m.refractory).anyMatch(r -> r > 0);
      boolean periodic = Arrays.stream(m.resetInterval).anyMatch(r -> r > 0);
      return new PopulationModel(m, refr, periodic);
    }

    private static void fillFloat(PopulationModel m, FloatNeurons f, double dt,
        Discretization.Convention c) {
      double[] tauSyn = f.tauSyn();
      double[] tauMem = f.tauMem();
      double[] th = f.threshold();
      double[] b = f.bias();
      double[] vLeak = f.vLeak();
      double[] vReset = f.vReset();
      double[] r = f.r();
      ResetMode[] mode = f.resetMode();
      int[] refr = f.refractory();
      for (int i = 0; i < m.n; i++) {
        if (tauSyn[i] == 0) {
          m.keptU[i] = 0;
          m.gainU[i] = 1;
        } else {
          // Clamped as Discretization.decay clamps: forward Euler with dt > tau keeps nothing.
          m.keptU[i] = clamp01(Discretization.factor(tauSyn[i], dt, c));
          m.gainU[i] = inputGain(tauSyn[i], dt, c);
        }
        double km;
        if (tauMem[i] == Double.POSITIVE_INFINITY) {
          m.keptV[i] = 1;
          m.gainV[i] = r[i];
          km = 0;
        } else if (tauMem[i] == 0) {
          m.keptV[i] = 0;
          m.gainV[i] = r[i];
          km = 1;
        } else {
          m.keptV[i] = clamp01(Discretization.factor(tauMem[i], dt, c));
          km = inputGain(tauMem[i], dt, c);
          m.gainV[i] = r[i] * km;
        }
        m.inputBias[i] = b[i];
        m.bias[i] = km * vLeak[i];
        m.threshold[i] = th[i];
        m.thresholdLo[i] = Double.NEGATIVE_INFINITY;
        m.resetValue[i] = vReset[i];
        m.subtract[i] = mode[i] == ResetMode.BY_SUBTRACTION;
        m.refractory[i] = refr[i];
      }
    }

    /** The per-step input gain of a first-order filter with time constant {@code tau > 0}. */
    private static double inputGain(double tau, double dt, Discretization.Convention c) {
      return c == Discretization.Convention.EXACT ? -Math.expm1(-dt / tau) : dt / tau;
    }

    private static void fillDiscrete(PopulationModel m, DiscreteNeurons d, ChipSpec spec) {
      double unity = spec.decayUnity();
      int[] du = d.du();
      int[] dv = d.dv();
      double[] gain = d.gain();
      double[] b = d.bias();
      double[] th = d.threshold();
      double[] v0 = d.vInit();
      ResetMode[] mode = d.resetMode();
      int[] refr = d.refractory();
      for (int i = 0; i < m.n; i++) {
        m.keptU[i] = (unity - 1 - du[i]) / unity;
        m.keptV[i] = (unity - dv[i]) / unity;
        m.gainU[i] = gain[i];
        m.gainV[i] = 1;
        m.bias[i] = b[i];
        m.threshold[i] = th[i];
        m.thresholdLo[i] = Double.NEGATIVE_INFINITY;
        m.subtract[i] = mode[i] == ResetMode.BY_SUBTRACTION;
        m.refractory[i] = refr[i];
        m.v0[i] = v0[i];
      }
    }

    private static void fillFixed(PopulationModel m, FixedNeurons f, ChipSpec spec) {
      double unity = spec.decayUnity();
      double thScale = Math.scalb(1.0, spec.thresholdShift());
      for (int i = 0; i < m.n; i++) {
        m.gainU[i] = 1;
        m.gainV[i] = 1;
        m.keptU[i] = (unity - 1 - f.du(i)) / unity;
        m.keptV[i] = (unity - f.dv(i)) / unity;
        m.biasScale[i] = Math.scalb(1.0, f.biasExp(i));
        m.bias[i] = f.biasMant(i) * m.biasScale[i];
        m.threshold[i] = f.vth(i) * thScale;
        m.thresholdLo[i] = f.kind(i) == NeuronKind.TERNARY_LIF ? f.vthLo(i) * thScale
            : Double.NEGATIVE_INFINITY;
        m.subtract[i] = f.resetMode(i) == ResetMode.BY_SUBTRACTION;
        m.refractory[i] = f.refractory(i);
        m.resetInterval[i] = f.resetInterval(i);
        m.resetOffset[i] = f.resetOffset(i);
        m.u0[i] = f.uInit(i);
        m.v0[i] = f.vInit(i);
      }
    }

    private static double clamp01(double x) {
      return Math.min(1.0, Math.max(0.0, x));
    }
  }

  /** The state of one population during a run, with its delay ring of incoming input. */
  static final class PopulationState {
    final PopulationModel m;
    final double[] u;
    final double[] v;
    final double[] bias;
    final int[] refractoryLeft;
    /** Input arriving at step k sits in slot {@code k % depth}. */
    final double[] ring;
    final int depth;

    PopulationState(PopulationModel m) {
      this.m = m;
      u = m.u0.clone();
      v = m.v0.clone();
      bias = m.bias.clone();
      refractoryLeft = new int[m.n];
      // A spike of step k with delay d lands at step k + 1 + d: depth maxDelay + 2 keeps slot k
      // (being read) apart from every slot still being written.
      depth = m.maxDelay + 2;
      ring = new double[depth * m.n];
    }

    void setBias(int[] biasMant) {
      for (int i = 0; i < m.n; i++) {
        bias[i] = biasMant[i] * m.biasScale[i];
      }
    }

    void step(int k, byte[] spikes, double[] uTrace, double[] vTrace) {
      final int n = m.n;
      if (m.anyPeriodic && k >= 1) {
        // The chip's reset "at the end of step k (1-based)" applied here, before step k + 1,
        // so that traces of step k still show the state its spikes came from.
        for (int i = 0; i < n; i++) {
          int interval = m.resetInterval[i];
          if (interval > 0 && (k - 1) % interval == m.resetOffset[i]) {
            u[i] = 0;
            v[i] = 0;
            refractoryLeft[i] = 0;
          }
        }
      }
      final int base = (k % depth) * n;
      final int out = k * n;
      for (int i = 0; i < n; i++) {
        double a = ring[base + i];
        ring[base + i] = 0;
        double un = m.keptU[i] * u[i] + m.gainU[i] * (a + m.inputBias[i]);
        u[i] = un;
        if (m.anyRefractory && refractoryLeft[i] > 0) {
          refractoryLeft[i]--;
          v[i] = m.resetValue[i]; // 0 on the chip; v_reset in a float model (its offset origin)
          continue;
        }
        double vn = m.keptV[i] * v[i] + m.gainV[i] * un + bias[i];
        byte s = 0;
        if (vn < m.thresholdLo[i]) {
          s = -1;
        } else if (vn > m.threshold[i]) {
          s = 1;
        }
        if (s != 0) {
          if (m.subtract[i]) {
            vn -= s > 0 ? m.threshold[i] : m.thresholdLo[i];
          } else {
            vn = m.resetValue[i];
          }
          refractoryLeft[i] = m.refractory[i];
          spikes[out + i] = s;
        }
        v[i] = vn;
      }
      if (uTrace != null) {
        System.arraycopy(u, 0, uTrace, out, n);
        System.arraycopy(v, 0, vTrace, out, n);
      }
    }
  }

  /** A projection as CSR rows of (target, delay, effective weight into u or I). */
  static final class ProjectionModel {
    final int target;
    final int[] rowPtr;
    final int[] targets;
    final int[] delays;
    final double[] weights;
    final boolean graded;

    private ProjectionModel(int target, int[] rowPtr, int[] targets, int[] delays,
        double[] weights, boolean graded) {
      this.target = target;
      this.rowPtr = rowPtr;
      this.targets = targets;
      this.delays = delays;
      this.weights = weights;
      this.graded = graded;
    }

    static ProjectionModel of(Projection p, int target, PopulationModel to, ChipSpec spec) {
      int count = p.synapseCount();
      int[] rowPtr = new int[p.sourceSize() + 1];
      for (int s = 0; s <= p.sourceSize(); s++) {
        rowPtr[s] = p.rowStart(s);
      }
      int[] targets = new int[count];
      int[] delays = new int[count];
      for (int k = 0; k < count; k++) {
        targets[k] = p.target(k);
        delays[k] = p.delay(k);
      }
      double[] w = new double[count];
      if (p.isFixed() != to.fixed) {
        throw new QuenchException("projection '" + p.name() + "' has "
            + (p.isFixed() ? "fixed-point" : "float") + " weights but its target population '"
            + to.name + "' has " + (to.fixed ? "fixed-point" : "float") + " dynamics; the"
            + " reference runs a network that is float throughout or fixed point throughout");
      }
      if (p.isFixed()) {
        WeightFormat f = p.format();
        int[] raw = p.fixedWeights();
        double scale = Math.scalb(1.0, spec.activationShift());
        if (f.kind() == ConnectionKind.CONV) {
          for (int k = 0; k < count; k++) {
            w[k] = raw[k] * scale;
          }
        } else {
          int[] held;
          try {
            held = WeightBits.prepare(raw,
                org.quench.hal.proto.SignMode.valueOf(f.signMode().name()), f.numWeightBits(), spec);
          } catch (QuenchException e) {
            throw new QuenchException("projection '" + p.name() + "': " + e.getMessage());
          }
          for (int k = 0; k < count; k++) {
            w[k] = held[k] * Math.scalb(scale, p.weightExp(targets[k]));
          }
        }
      } else {
        for (int k = 0; k < count; k++) {
          w[k] = p.floatWeight(k);
        }
      }
      return new ProjectionModel(target, rowPtr, targets, delays, w, p.numMessageBits() > 0);
    }

    /** Adds source {@code s}'s spike (or payload) of step {@code k} to the target's ring. */
    void deliver(int s, int value, int k, PopulationState to) {
      double factor = graded ? value : 1.0;
      int n = to.m.n;
      int depth = to.depth;
      double[] ring = to.ring;
      for (int e = rowPtr[s], end = rowPtr[s + 1]; e < end; e++) {
        int slot = (k + 1 + delays[e]) % depth;
        ring[slot * n + targets[e]] += weights[e] * factor;
      }
    }
  }
}
