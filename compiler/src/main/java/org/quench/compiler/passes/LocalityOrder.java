package org.quench.compiler.passes;

import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;

/**
 * Gives populations shaped (C, H, W) a channel-last placement order (h, w, c): a convolution or
 * pooling target's neighbourhood of all channels then sits on few cores, so each source neuron
 * reaches few cores (output axons) and spikes cross few core boundaries. Populations that already
 * have a placement order (profile co-location) keep it. Neuron indices do not change.
 */
public final class LocalityOrder implements NetworkPass {
  @Override
  public String name() {
    return "locality-order";
  }

  @Override
  public Network apply(Network network, PassContext context) {
    Network.Builder out = network.toBuilder();
    int count = 0;
    for (Population p : network.populations()) {
      int[] s = p.shape();
      if (p.hasPlacementOrder() || s.length != 3 || s[0] == 1 || s[1] * s[2] == 1) {
        continue;
      }
      int c = s[0];
      int hw = s[1] * s[2];
      int[] order = new int[p.size()];
      int k = 0;
      for (int pos = 0; pos < hw; pos++) {
        for (int ch = 0; ch < c; ch++) {
          order[k++] = ch * hw + pos;
        }
      }
      out.replacePopulation(p.withPlacementOrder(order));
      count++;
    }
    if (count > 0) {
      context.report().decision("locality-order: " + count + " (C,H,W) population(s) placed channel-last");
    }
    return out.build();
  }
}
