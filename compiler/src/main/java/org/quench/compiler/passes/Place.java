package org.quench.compiler.passes;

import java.util.List;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Gives partitioned cores addresses in order (chip 0 core 0, 0/1, ..., then chip 1 when a chip is
 * full), then checks every per-core budget on the result, including output axons, which a
 * partitioner cannot know until all neurons are mapped. Records each core's use in the report.
 */
public final class Place {
  public Mapping apply(Mapping partitioned, PassContext context) {
    ChipSpec spec = context.spec();
    int n = partitioned.cores().size();
    long capacity = (long) spec.maxChips() * spec.coresPerChip();
    if (n > capacity) {
      int chips = (n + spec.coresPerChip() - 1) / spec.coresPerChip();
      throw new QuenchException("the network needs " + n + " cores = " + chips + " chips of spec '"
          + spec.name() + "' (" + spec.coresPerChip() + " cores each); the spec allows "
          + spec.maxChips() + " chips (" + (chips - spec.maxChips()) + " too many): use a spec with more "
          + "chips or reduce the network");
    }
    int[][] addresses = new int[n][];
    for (int c = 0; c < n; c++) {
      addresses[c] = new int[] {c / spec.coresPerChip(), c % spec.coresPerChip()};
    }
    Mapping placed = partitioned.placed(addresses);
    List<CoreLayout> layouts = placed.layouts();
    long routes = 0;
    long interCore = 0;
    long interChip = 0;
    for (CoreLayout l : layouts) {
      CompileReport.CoreUsage u = l.usage(placed);
      check(u, spec);
      context.report().core(u);
      routes += l.routes;
      interCore += l.interCoreRoutes;
      interChip += l.interChipRoutes;
    }
    context.report().traffic(new CompileReport.Traffic(routes, interCore, interChip, -1));
    context.report().decision("place: " + n + " core(s) on " + placed.chipCount() + " chip(s), in order");
    return placed;
  }

  private static void check(CompileReport.CoreUsage u, ChipSpec spec) {
    String core = "core (" + u.chip() + "," + u.core() + ")";
    over(core, "neurons", u.neurons(), spec.neuronsPerCore(), "neuronsPerCore");
    over(core, "distinct decay profiles", u.decayProfiles(), spec.decayProfilesPerCore(), "decayProfilesPerCore");
    over(core, "distinct threshold profiles", u.thresholdProfiles(), spec.thresholdProfilesPerCore(),
        "thresholdProfilesPerCore");
    over(core, "input axons", u.inputAxons(), spec.inputAxonsPerCore(), "inputAxonsPerCore");
    over(core, "bytes of synapse memory", u.synapseBytes(), spec.synapseMemoryBytesPerCore(),
        "synapseMemoryBytesPerCore");
    if (u.outputAxons() > spec.outputAxonsPerCore()) {
      throw new QuenchException(core + " needs " + u.outputAxons() + " output axons (one per source "
          + "neuron and destination axon group); spec '" + spec.name() + "' allows " + spec.outputAxonsPerCore()
          + " (" + (u.outputAxons() - spec.outputAxonsPerCore()) + " too many): the neurons on this core "
          + "reach too many cores; reduce their fan-out or use a chip with more output axons");
    }
  }

  private static void over(String core, String what, long used, long limit, String field) {
    if (used > limit) {
      throw new QuenchException(core + " needs " + used + " " + what + "; the spec allows " + limit
          + " (" + field + ")");
    }
  }
}
