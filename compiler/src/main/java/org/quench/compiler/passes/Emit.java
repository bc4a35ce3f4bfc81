package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.List;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.ResetMode;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.QuenchException;
import org.quench.hal.QuenchVersion;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.ImageHeader;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * Writes a placed {@link Mapping} as a {@link ChipImage}: header, per core the profile tables,
 * per-neuron arrays, one axon group per (projection, core) with CSR synapses (and the exponent its
 * target neurons share, see CoreWeightExponents) and the routes that
 * feed it, input ports, output ports and a symbol table entry for every population. The image is
 * then judged by {@link ImageValidator} (the one place that knows the chip's ranges); a problem
 * names the projection (axon group) or population (neuron) it comes from. The image
 * depends only on the mapping and the options: same input, same bytes.
 */
public final class Emit {
  public ChipImage apply(Mapping mapping, PassContext context) {
    if (!mapping.isPlaced()) {
      throw new IllegalArgumentException("emit needs a placed mapping");
    }
    Network net = mapping.network();
    ChipSpec spec = context.spec();
    requireFixedWeights(net);
    List<CoreLayout> layouts = mapping.layouts();
    List<Mapping.MappedCore> mapped = mapping.cores();
    List<Core.Builder> cores = new ArrayList<>();
    for (CoreLayout l : layouts) {
      cores.add(neurons(l, mapped.get(l.index), net));
    }
    // Input port ranges per port (in port order), collected while laying out axon groups.
    List<InputPort> ports = net.inputs();
    List<List<AxonRange>> portRanges = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      portRanges.add(new ArrayList<>());
    }
    List<Projection> projections = net.projections();
    for (CoreLayout l : layouts) {
      Core.Builder core = cores.get(l.index);
      CoreAddress dest = address(mapped.get(l.index));
      int axonFirst = 0;
      for (CoreLayout.Group g : l.groups) {
        Projection p = projections.get(g.projection());
        core.addAxonGroups(group(p, g, axonFirst, mapping));
        if (p.source().isInputPort()) {
          int port = indexOfPort(ports, p.source().name());
          addRuns(g.sources(), axonFirst, (first, count, axon) -> portRanges.get(port).add(
              AxonRange.newBuilder().setCore(dest).setAxonFirst(axon).setCount(count)
                  .setPortOffset(first).build()));
        } else {
          int sp = net.indexOf(p.source().name());
          routes(g, sp, axonFirst, dest, mapping, cores);
        }
        axonFirst += g.sources().length;
      }
    }
    ChipImage.Builder image = ChipImage.newBuilder().setHeader(header(mapping, context));
    for (Core.Builder c : cores) {
      image.addCores(c);
    }
    for (int i = 0; i < ports.size(); i++) {
      image.addInputs(org.quench.hal.proto.InputPort.newBuilder().setName(ports.get(i).name())
          .setWidth(ports.get(i).width()).addAllTargets(portRanges.get(i)));
    }
    for (String out : net.outputs()) {
      int p = net.indexOf(out);
      image.addOutputs(OutputPort.newBuilder().setName(out).setWidth(net.populations().get(p).size())
          .addAllSources(neuronRanges(mapping, p)));
    }
    for (int p = 0; p < net.populations().size(); p++) {
      Population pop = net.populations().get(p);
      Symbol.Builder s = Symbol.newBuilder().setPopulation(pop.name()).setSize(pop.size())
          .addAllRanges(neuronRanges(mapping, p));
      for (int d : pop.shape()) {
        s.addShape(d);
      }
      image.addSymbols(s);
    }
    ChipImage built = image.build();
    validate(built, net, spec);
    context.report().decision("emit: " + layouts.size() + " core(s), " + net.projections().size()
        + " projection(s), " + ports.size() + " input port(s), " + net.outputs().size() + " output port(s)");
    return built;
  }

  private static ImageHeader header(Mapping mapping, PassContext context) {
    Network net = mapping.network();
    return ImageHeader.newBuilder().setFormatVersion(QuenchVersion.imageFormat()).setSpecName(context.spec().name())
        .setSpecHash(context.spec().hash()).setCompilerVersion(QuenchVersion.project())
        .setSourceModel(net.provenance().sourceName()).setSourceModelHash(net.provenance().sha256())
        .putAllOptions(context.options().values()).setChipCount(mapping.chipCount())
        .setDescription("network '" + net.name() + "' compiled by quench " + QuenchVersion.project())
        .build();
  }

  private static CoreAddress address(Mapping.MappedCore c) {
    return CoreAddress.newBuilder().setChip(c.chip()).setCore(c.core()).build();
  }

  private static Core.Builder neurons(CoreLayout l, Mapping.MappedCore mc, Network net) {
    Core.Builder core = Core.newBuilder().setAddress(address(mc)).setNeuronCount(l.pop.length);
    for (ProfileKeys.Decay d : l.decayRows.keySet()) {
      core.addDecayProfiles(DecayProfile.newBuilder().setDu(d.du()).setDv(d.dv())
          .setRefractory(d.refractory())
          .setResetMode(d.resetMode() == ResetMode.BY_SUBTRACTION
              ? org.quench.hal.proto.ResetMode.RESET_BY_SUBTRACTION
              : org.quench.hal.proto.ResetMode.RESET_TO_ZERO)
          .setResetInterval(d.resetInterval()).setResetOffset(d.resetOffset()));
    }
    for (ProfileKeys.Threshold t : l.thresholdRows.keySet()) {
      core.addThresholdProfiles(ThresholdProfile.newBuilder().setVth(t.vth()).setVthLo(t.vthLo())
          .setKind(t.kind() == org.quench.compiler.ir.NeuronKind.TERNARY_LIF
              ? org.quench.hal.proto.NeuronKind.TERNARY_LIF : org.quench.hal.proto.NeuronKind.LIF));
    }
    boolean anyExp = false;
    boolean anyU = false;
    boolean anyV = false;
    int n = l.pop.length;
    int[] exp = new int[n];
    int[] u = new int[n];
    int[] v = new int[n];
    for (int k = 0; k < n; k++) {
      FixedNeurons f = net.populations().get(l.pop[k]).fixed();
      int i = l.neuron[k];
      core.addDecayIndex(l.decayIndex[k]).addThresholdIndex(l.thresholdIndex[k]).addBiasMant(f.biasMant(i));
      exp[k] = f.biasExp(i);
      u[k] = f.uInit(i);
      v[k] = f.vInit(i);
      anyExp |= exp[k] != 0;
      anyU |= u[k] != 0;
      anyV |= v[k] != 0;
    }
    for (int k = 0; anyExp && k < n; k++) {
      core.addBiasExp(exp[k]);
    }
    for (int k = 0; anyU && k < n; k++) {
      core.addUInit(u[k]);
    }
    for (int k = 0; anyV && k < n; k++) {
      core.addVInit(v[k]);
    }
    return core;
  }

  private static AxonGroup group(Projection p, CoreLayout.Group g, int axonFirst, Mapping mapping) {
    Network net = mapping.network();
    int tp = net.indexOf(p.target());
    WeightFormat f = p.format();
    AxonGroup.Builder b = AxonGroup.newBuilder().setName(p.name())
        .setKind(f.kind() == ConnectionKind.CONV ? org.quench.hal.proto.ConnectionKind.CONV
            : org.quench.hal.proto.ConnectionKind.DENSE)
        .setAxonFirst(axonFirst).setAxonCount(g.sources().length)
        .setSignMode(sign(f.signMode())).setNumWeightBits(f.numWeightBits())
        .setWeightExp(groupExponent(p, g)).setNumMessageBits(p.numMessageBits());
    for (int r : g.rowPtr()) {
      b.addRowPtr(r);
    }
    for (int syn : g.synapses()) {
      b.addTarget(mapping.localOf(tp, p.target(syn)));
      b.addWeight(p.fixedWeight(syn));
    }
    if (g.usesDelays()) {
      for (int syn : g.synapses()) {
        b.addDelay(p.delay(syn));
      }
    }
    return b.build();
  }

  /**
   * The group's weight exponent: the projection's, or, when exponents were chosen per core
   * (CoreWeightExponents), the one its target neurons share.
   */
  private static int groupExponent(Projection p, CoreLayout.Group g) {
    int[] syn = g.synapses();
    if (!p.hasTargetExponents() || syn.length == 0) {
      return p.format().weightExp();
    }
    int e = p.weightExp(p.target(syn[0]));
    for (int s : syn) {
      if (p.weightExp(p.target(s)) != e) {
        throw new IllegalStateException("projection '" + p.name() + "': target neurons on one core"
            + " have different weight exponents");
      }
    }
    return e;
  }

  /** The image's sign mode for the IR's. */
  static org.quench.hal.proto.SignMode sign(SignMode m) {
    return switch (m) {
      case MIXED -> org.quench.hal.proto.SignMode.MIXED;
      case EXCITATORY -> org.quench.hal.proto.SignMode.EXCITATORY;
      case INHIBITORY -> org.quench.hal.proto.SignMode.INHIBITORY;
    };
  }

  /** Routes from the source cores to this group's axons: one per run of consecutive neurons. */
  private static void routes(CoreLayout.Group g, int sp, int axonFirst, CoreAddress dest, Mapping m,
      List<Core.Builder> cores) {
    int[] src = g.sources();
    int k = 0;
    while (k < src.length) {
      int core = m.coreOf(sp, src[k]);
      int local = m.localOf(sp, src[k]);
      int run = 1;
      while (k + run < src.length && src[k + run] == src[k] + run
          && m.coreOf(sp, src[k + run]) == core && m.localOf(sp, src[k + run]) == local + run) {
        run++;
      }
      cores.get(core).addRoutes(Route.newBuilder().setNeuronFirst(local).setNeuronCount(run)
          .setDest(dest).setAxonFirst(axonFirst + k));
      k += run;
    }
  }

  private interface RunSink {
    void accept(int firstSource, int count, int firstAxon);
  }

  /** Runs of consecutive source indices (axons are consecutive by construction). */
  private static void addRuns(int[] sources, int axonFirst, RunSink sink) {
    int k = 0;
    while (k < sources.length) {
      int run = 1;
      while (k + run < sources.length && sources[k + run] == sources[k] + run) {
        run++;
      }
      sink.accept(sources[k], run, axonFirst + k);
      k += run;
    }
  }

  private static List<NeuronRange> neuronRanges(Mapping m, int p) {
    List<NeuronRange> ranges = new ArrayList<>();
    int size = m.network().populations().get(p).size();
    int i = 0;
    while (i < size) {
      int core = m.coreOf(p, i);
      int local = m.localOf(p, i);
      int run = 1;
      while (i + run < size && m.coreOf(p, i + run) == core && m.localOf(p, i + run) == local + run) {
        run++;
      }
      ranges.add(NeuronRange.newBuilder().setCore(address(m.cores().get(core))).setNeuronFirst(local)
          .setCount(run).setOffset(i).build());
      i += run;
    }
    return ranges;
  }

  private static int indexOfPort(List<InputPort> ports, String name) {
    for (int i = 0; i < ports.size(); i++) {
      if (ports.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("no input port " + name);
  }

  /** Every projection must be fixed point by now (the accessors refuse float weights). */
  private static void requireFixedWeights(Network net) {
    for (Projection p : net.projections()) {
      if (p.synapseCount() > 0) {
        p.fixedWeight(0);
      } else {
        p.fixedWeights();
      }
    }
  }

  /**
   * Asks the one judge of images whether the chip can hold what was emitted. Axon groups carry
   * their projection's name and the validator names the population of a bad neuron, so each
   * problem points back at the network.
   */
  private static void validate(ChipImage image, Network net, ChipSpec spec) {
    List<String> problems = ImageValidator.problems(image, spec);
    if (!problems.isEmpty()) {
      throw new QuenchException("network '" + net.name() + "' does not fit chip '" + spec.name()
          + "' (axon groups are named after their projections): " + String.join("; ", problems)
          + (problems.size() == ImageValidator.MAX_REPORTED ? "; ..." : ""));
    }
  }
}
