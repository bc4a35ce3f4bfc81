package org.quench.compiler.passes;

import org.quench.compiler.ir.Network;

/**
 * Groups a fixed-point network's neurons into cores that each respect the spec's per-core budgets
 * (neurons, decay and threshold profiles, input axons, synapse memory). The result is unplaced;
 * {@link Place} gives the cores addresses. Implementations: {@link GreedyPartition}, {@link TrafficPartition} (the default).
 */
public interface Partition {
  Mapping apply(Network network, PassContext context);
}
