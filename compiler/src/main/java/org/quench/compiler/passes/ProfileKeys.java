package org.quench.compiler.passes;

import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.NeuronKind;
import org.quench.compiler.ir.ResetMode;

/** The table rows a neuron needs on its core: a decay profile and a threshold profile. */
final class ProfileKeys {
  private ProfileKeys() {}

  /** A row of a core's decay table. */
  record Decay(int du, int dv, int refractory, ResetMode resetMode, int resetInterval, int resetOffset) {}

  /** A row of a core's threshold table; vth_lo only matters (and only counts) for TERNARY_LIF. */
  record Threshold(int vth, NeuronKind kind, int vthLo) {}

  static Decay decay(FixedNeurons f, int i) {
    return decay(f, i, f.du(i), f.dv(i));
  }

  /** The row neuron i of {@code f} would need with decays {@code du}, {@code dv} instead of its own. */
  static Decay decay(FixedNeurons f, int i, int du, int dv) {
    return new Decay(du, dv, f.refractory(i), f.resetMode(i), f.resetInterval(i),
        f.resetInterval(i) == 0 ? 0 : f.resetOffset(i));
  }

  static Threshold threshold(FixedNeurons f, int i) {
    return threshold(f, i, f.vth(i));
  }

  /** The row neuron i of {@code f} would need with threshold mantissa {@code vth} instead of its own. */
  static Threshold threshold(FixedNeurons f, int i, int vth) {
    NeuronKind k = f.kind(i);
    return new Threshold(vth, k, k == NeuronKind.TERNARY_LIF ? f.vthLo(i) : 0);
  }
}
