package org.quench.hal;

import org.quench.hal.proto.Core;
import org.quench.hal.proto.Route;

/**
 * What a core's output-axon table holds (docs/chip-semantics.md, "Per-core limits"): one entry per
 * (source neuron, destination axon). A route sends each of its neurons' spikes to one axon of the
 * destination core, so a route of {@code n} neurons uses {@code n} entries, and a neuron that
 * reaches two axon groups of the same destination core (two projections) uses two.
 *
 * <p>This is the one definition of the count: the validator checks images with it, and the
 * compiler's partitioners count the same thing before any route exists (one entry per projection,
 * source neuron and destination core, which is one input axon of the destination core fed by a
 * neuron).
 */
public final class OutputAxons {
  private OutputAxons() {}

  /** Output axons a route uses: one per neuron it carries. */
  public static long of(Route route) {
    return Integer.toUnsignedLong(route.getNeuronCount());
  }

  /** Output axons a core's routes use (the entries of its output-axon table). */
  public static long of(Core core) {
    long n = 0;
    for (Route r : core.getRoutesList()) {
      n += of(r);
    }
    return n;
  }
}
