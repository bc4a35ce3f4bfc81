package org.quench.emulator;

import org.quench.hal.proto.SignMode;

/**
 * The core's one-time weight preparation (Lava's determine_sign_mode, clip_weights and
 * truncate_weights): what a weight handed to a connection becomes inside the synapse memory.
 */
final class LoihiWeights {
  private LoihiWeights() {}

  /** The sign mode a group really uses: the given one, or derived from its weights for AUTO. */
  static SignMode resolve(SignMode given, int[] weights, int from, int to) {
    if (given != SignMode.SIGN_MODE_AUTO) {
      return given;
    }
    int min = 0;
    int max = 0;
    boolean any = false;
    for (int i = from; i < to; i++) {
      int w = weights[i];
      if (!any) {
        min = w;
        max = w;
        any = true;
      } else {
        min = Math.min(min, w);
        max = Math.max(max, w);
      }
    }
    // An empty or all-zero group counts as excitatory, like Lava.
    if (!any || min >= 0) {
      return SignMode.EXCITATORY;
    }
    return max <= 0 ? SignMode.INHIBITORY : SignMode.MIXED;
  }

  /** Clips to {@code bits} magnitude bits by sign mode (mode must be resolved). */
  static int clip(int w, SignMode mode, int bits) {
    int max = (1 << bits) - 1;
    switch (mode) {
      case MIXED:
        return Math.max(-(1 << bits), Math.min(max, w));
      case EXCITATORY:
        return Math.max(0, Math.min(max, w));
      case INHIBITORY:
        // Negate, clip to [0, max], negate back: positive weights become 0.
        return -Math.max(0, Math.min(max, -w));
      default:
        throw new IllegalArgumentException("unresolved sign mode " + mode);
    }
  }

  /**
   * Drops the low bits the synapse cannot hold: {@code maxBits - numWeightBits (+1 for MIXED)}
   * bits, with a floor shift; inhibitory weights truncate their magnitude.
   */
  static int truncate(int w, SignMode mode, int numWeightBits, int maxBits) {
    int drop = maxBits - numWeightBits + (mode == SignMode.MIXED ? 1 : 0);
    if (mode == SignMode.INHIBITORY) {
      return -(((-w) >> drop) << drop);
    }
    return (w >> drop) << drop;
  }

  /** Clip then truncate, as the core stores it. */
  static int prepare(int w, SignMode mode, int numWeightBits, int mantBits) {
    return truncate(clip(w, mode, mantBits), mode, numWeightBits, mantBits);
  }
}
