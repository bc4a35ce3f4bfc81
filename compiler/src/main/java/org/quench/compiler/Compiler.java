package org.quench.compiler;

import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.quench.compiler.ir.Network;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.passes.CompensateDeviations;
import org.quench.compiler.passes.CoreWeightExponents;
import org.quench.compiler.passes.Discretize;
import org.quench.compiler.passes.Emit;
import org.quench.compiler.passes.TrafficPartition;
import org.quench.compiler.passes.LocalityOrder;
import org.quench.compiler.passes.Mapping;
import org.quench.compiler.passes.NetworkPass;
import org.quench.compiler.passes.Partition;
import org.quench.compiler.passes.PassContext;
import org.quench.compiler.passes.Place;
import org.quench.compiler.passes.ProfileBudget;
import org.quench.compiler.passes.StateHeadroom;
import org.quench.compiler.passes.Quantize;
import org.quench.compiler.passes.WeightTargetCores;
import org.quench.compiler.reference.StateRanges;
import org.quench.hal.ChipSpec;
import org.quench.hal.DeviceProfile;
import org.quench.hal.proto.ChipImage;

/**
 * The pass pipeline: network passes in order (each Network to Network), then partition (followed
 * by the cores a weight target buys, {@link WeightTargetCores}, the decay and threshold rows fitted
 * again to each final core's neurons, {@link ProfileBudget#fitFinalCores}, and a weight exponent per
 * destination core, {@link CoreWeightExponents}; then the worst-case state headroom of those final
 * weights, {@link StateHeadroom}), place and emit. {@link #standard()} is the pipeline for networks
 * that are already fixed point (netx);
 * later passes (discretize, quantize, profile clustering) are added with {@link Builder#pass}.
 * Deterministic: the same network, spec and options give the same image bytes.
 */
public final class Compiler {
  /**
   * What a compilation produced.
   *
   * @param network the network after all network passes
   * @param mapping where every neuron went
   * @param image the chip image
   * @param report resources and decisions
   */
  public record Result(Network network, Mapping mapping, ChipImage image, CompileReport report) {}

  private final List<NetworkPass> passes;
  private final Partition partition;
  private final DeviceProfile compensateFor;

  private Compiler(Builder b) {
    passes = List.copyOf(b.passes);
    partition = b.partition;
    compensateFor = b.compensateFor;
  }

  private Compiler(Compiler base, DeviceProfile profile) {
    passes = base.passes;
    partition = base.partition;
    compensateFor = profile;
  }

  /**
   * This pipeline plus calibration-aware compensation for one chip instance
   * ({@link CompensateDeviations}, after emit); null or a nominal profile: none.
   */
  public Compiler compensatingFor(DeviceProfile profile) {
    return new Compiler(this, profile == null || profile.isNominal() ? null : profile);
  }

  /**
   * The float pipeline for networks imported from NIR (or built in code with {@code FloatNeurons}):
   * discretize at the options' dt and convention, fit the profile budget (clustering and
   * co-location), quantize, then partition (TrafficPartition), place and emit. Fixed-point populations pass
   * the float passes untouched, so the same compiler also takes netx networks.
   */
  public static Compiler forNir(NirImportOptions options) {
    return forNir(options, null);
  }

  /**
   * {@link #forNir(NirImportOptions)} with calibration: population scales chosen so the observed
   * state ranges fit (null: none).
   */
  public static Compiler forNir(NirImportOptions options, StateRanges calibration) {
    return builder().pass(new Discretize(options.dt(), options.discretization()))
        .pass(new ProfileBudget(options.dt(), options.discretization()))
        .pass(new Quantize(calibration)).pass(new LocalityOrder()).build();
  }

  /** No network passes; traffic-aware partition (TrafficPartition), in-order placement, emit. */
  public static Compiler standard() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Result compile(Network network, ChipSpec spec) {
    return compile(network, spec, CompileOptions.none());
  }

  /** Told as each stage of a compilation starts (progress bars); stages count from 0. */
  @FunctionalInterface
  public interface StageListener {
    void started(String stage, int index, int stages);
  }

  /** Network passes plus partition, place and emit. */
  public int stageCount() {
    return passes.size() + 3 + (compensateFor == null ? 0 : 1);
  }

  public Result compile(Network network, ChipSpec spec, CompileOptions options) {
    return compile(network, spec, options, (stage, index, stages) -> { });
  }

  /** Compiles, telling {@code listener} as each stage starts. */
  public Result compile(Network network, ChipSpec spec, CompileOptions options, StageListener listener) {
    int stages = stageCount();
    int stage = 0;
    CompileReport.Builder report = CompileReport.builder();
    for (String note : network.provenance().notes()) {
      if (note.startsWith("WARNING ")) {
        report.warning(note.substring("WARNING ".length()));
      } else {
        report.decision(note);
      }
    }
    PassContext context = new PassContext(spec, options, report);
    Network current = network;
    // The profile budget's input and output: the rows are fitted again on the final cores.
    ProfileBudget budget = null;
    Network discretized = null;
    Network budgeted = null;
    Quantize quantize = null;
    for (NetworkPass p : passes) {
      listener.started(p.name(), stage++, stages);
      long t0 = System.nanoTime();
      Network before = current;
      current = p.apply(current, context);
      if (p instanceof Quantize q) {
        quantize = q;
      }
      if (p instanceof ProfileBudget b) {
        budget = b;
        discretized = before;
        budgeted = current;
      }
      report.timing(p.name(), System.nanoTime() - t0);
    }
    listener.started("partition", stage++, stages);
    long t0 = System.nanoTime();
    // A weight target may split cores, and the exponents per core complete the partition (both
    // need it), so they are timed with it.
    // Without a weight target the targets may be priced by compiling with each up to its splitting.
    Mapping split = new WeightTargetCores().apply(partition.apply(current, context), context,
        new TargetPartitions(network));
    // Each final core's decay and threshold rows go to its own neurons, whatever put them there
    // (the weights depend on neither, so nothing the weight target judged moves).
    if (budget != null) {
      split = budget.fitFinalCores(discretized, budgeted, split, context);
    }
    Mapping partitioned = new CoreWeightExponents().apply(split, context);
    // The worst-case headroom of the weights, decays and thresholds the image will hold.
    Quantize q = quantize;
    new StateHeadroom().apply(partitioned, context, population -> q != null && q.calibrated(population));
    current = partitioned.network();
    checkCoreLimit(partitioned, options);
    long t1 = System.nanoTime();
    listener.started("place", stage++, stages);
    Mapping placed = new Place().apply(partitioned, context);
    long t2 = System.nanoTime();
    listener.started("emit", stage, stages);
    ChipImage image = RealizedParameters.annotate(network, new Emit().apply(placed, context), spec, report);
    long t3 = System.nanoTime();
    report.timing("partition", t1 - t0).timing("place", t2 - t1).timing("emit", t3 - t2);
    if (compensateFor != null) {
      listener.started("compensate", stage + 1, stages);
      CompensateDeviations.Outcome o = new CompensateDeviations(compensateFor).apply(image, spec);
      ChipImage.Builder compensated = o.image().toBuilder();
      compensated.getHeaderBuilder().putOptions("compensatedFor", o.report().profile());
      image = compensated.build();
      for (var e : o.tableRows().entrySet()) {
        var a = image.getCores(e.getKey()).getAddress();
        report.profileRows(a.getChip(), a.getCore(), e.getValue()[0], e.getValue()[1]);
      }
      report.compensation(o.report());
      o.warnings().forEach(report::warning);
      report.timing("compensate", System.nanoTime() - t3);
    }
    return new Result(current, placed, image, report.build());
  }

  /**
   * The partitions compiles with weight targets make, for pricing targets: the network passes and
   * the partition, run with the target the context gives. Only the quantize pass reads the
   * target's value (the profile budget and the partitioner only whether one is set), so the passes
   * before it run once for all targets, and it reports the span of targets over which it would
   * decide alike: a target within the last run's span reuses its partition. Each partition is
   * still exactly what that target's compile partitions.
   */
  private final class TargetPartitions implements Function<PassContext, Mapping> {
    private final Network network;
    /** The network after the passes before quantize (null until the first target). */
    private Network beforeQuantize;
    private int quantizeAt;
    private Mapping last;
    private double[] span;

    TargetPartitions(Network network) {
      this.network = network;
    }

    @Override
    public Mapping apply(PassContext withTarget) {
      double t = withTarget.options().relativeError(Quantize.MAX_WEIGHT_ERROR);
      if (last != null && t >= span[0] && t < span[1]) {
        return last;
      }
      if (beforeQuantize == null) {
        quantizeAt = 0;
        while (quantizeAt < passes.size() && !(passes.get(quantizeAt) instanceof Quantize)) {
          quantizeAt++;
        }
        beforeQuantize = network;
        for (NetworkPass p : passes.subList(0, quantizeAt)) {
          beforeQuantize = p.apply(beforeQuantize, withTarget);
        }
      }
      Network current = beforeQuantize;
      for (NetworkPass p : passes.subList(quantizeAt, passes.size())) {
        current = p.apply(current, withTarget);
      }
      span = withTarget.report().weightTargetSpan();
      last = partition.apply(current, withTarget);
      return last;
    }
  }

  /** The {@code maxCores} option against the partition's cores. */
  private static void checkCoreLimit(Mapping mapping, CompileOptions options) {
    String v = options.get(ProfileBudget.MAX_CORES, null);
    if (v == null) {
      return;
    }
    int limit;
    try {
      limit = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new org.quench.hal.QuenchException("option " + ProfileBudget.MAX_CORES + " = '" + v
          + "' is not a core count >= 1");
    }
    if (mapping.cores().size() > limit) {
      throw new org.quench.hal.QuenchException("the network needs " + mapping.cores().size()
          + " cores after partitioning, more than --max-cores " + limit + ": raise --max-cores,"
          + " or relax --max-tau-error / --max-threshold-error / --max-weight-error if a precision"
          + " target set the count");
    }
  }

  /** Chooses the passes. */
  public static final class Builder {
    private final List<NetworkPass> passes = new ArrayList<>();
    private Partition partition = new TrafficPartition();
    private DeviceProfile compensateFor;

    private Builder() {}

    /** Appends a network pass (run in the order added). */
    public Builder pass(NetworkPass pass) {
      passes.add(pass);
      return this;
    }

    public Builder partition(Partition p) {
      partition = p;
      return this;
    }

    public Compiler build() {
      return new Compiler(this);
    }
  }
}
