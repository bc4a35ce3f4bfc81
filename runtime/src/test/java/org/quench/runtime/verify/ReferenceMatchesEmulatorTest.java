package org.quench.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.ResetMode;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.reference.ReferenceRun;
import org.quench.compiler.reference.ReferenceSimulator;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/**
 * When the chip's arithmetic never rounds, the ideal fixed-point reference and the emulator must
 * agree exactly, state for state. No rounding happens with du in {-1, 4095} (kept fractions 1 and
 * 0), dv in {0, 4096}, weight exponent 0, weights the chip holds unchanged (even, in range) and
 * states far from the 24-bit limits.
 */
class ReferenceMatchesEmulatorTest {
  private static final int STEPS = 120;

  private static FixedNeurons neurons(Random rnd, int n) {
    int[] du = new int[n];
    int[] dv = new int[n];
    int[] vth = new int[n];
    int[] bias = new int[n];
    int[] refr = new int[n];
    ResetMode[] mode = new ResetMode[n];
    for (int i = 0; i < n; i++) {
      du[i] = rnd.nextBoolean() ? -1 : 4095;
      // An integrating u with an integrating v would drift to the 24-bit limits.
      dv[i] = du[i] == -1 || rnd.nextInt(4) == 0 ? 4096 : 0;
      vth[i] = 20 + rnd.nextInt(60);
      bias[i] = rnd.nextInt(40);
      refr[i] = rnd.nextInt(3);
      mode[i] = rnd.nextBoolean() ? ResetMode.TO_ZERO : ResetMode.BY_SUBTRACTION;
    }
    return FixedNeurons.builder(n).du(du).dv(dv).vth(vth).biasMant(bias).allBiasExp(2)
        .refractory(refr).resetMode(mode).build("random");
  }

  private static Projection dense(Random rnd, String name, Projection.Source src, int ns,
      String tgt, int nt, double density, int maxDelay) {
    Projection.Builder b = Projection.builder(name, src, ns, tgt, nt)
        .fixed(WeightFormat.dense(SignMode.MIXED));
    for (int s = 0; s < ns; s++) {
      for (int t = 0; t < nt; t++) {
        if (rnd.nextDouble() < density) {
          // Even weights survive MIXED truncation of the lowest bit unchanged.
          b.fixedSynapse(s, t, 2 * (rnd.nextInt(41) - 20), rnd.nextInt(maxDelay + 1));
        }
      }
    }
    return b.build();
  }

  @Test
  void idealReferenceEqualsEmulatorWhenNothingRounds() {
    Random rnd = new Random(20261128L);
    Network net = Network.builder("exact").input(new InputPort("in", 16))
        .population(Population.of("a", neurons(rnd, 40)))
        .population(Population.of("b", neurons(rnd, 24)))
        .projection(dense(rnd, "in_a", Projection.Source.inputPort("in"), 16, "a", 40, 0.3, 2))
        .projection(dense(rnd, "a_b", Projection.Source.population("a"), 40, "b", 24, 0.2, 3))
        .projection(dense(rnd, "b_b", Projection.Source.population("b"), 24, "b", 24, 0.15, 0))
        .output("b").build();
    Stimulus.Builder s = Stimulus.builder(STEPS);
    for (int k = 0; k < STEPS; k++) {
      for (int c = 0; c < 16; c++) {
        if (rnd.nextDouble() < 0.15) {
          s.spike(k, "in", c);
        }
      }
    }
    int[] newBias = new int[24];
    for (int i = 0; i < 24; i++) {
      newBias[i] = 2 * i;
    }
    s.bias(STEPS / 2, "b", newBias);
    Stimulus stimulus = s.build();

    ReferenceRun ref = new ReferenceSimulator(net, 1e-3, Discretization.Convention.EXACT,
        ChipSpec.loihi()).run(stimulus, new LinkedHashSet<>(List.of("a", "b")));
    Compiler.Result compiled = Compiler.standard().compile(net, ChipSpec.loihi());
    RunResult got;
    try (Device device = Devices.open("emu:loihi")) {
      device.load(compiled.image());
      for (String pop : List.of("a", "b")) {
        for (ProbeKind kind : ProbeKind.values()) {
          device.attach(Probe.of(kind, pop));
        }
      }
      got = device.run(stimulus);
    }
    long spikes = 0;
    for (String pop : List.of("a", "b")) {
      int n = ref.size(pop);
      int[] u = got.trace(Probe.of(ProbeKind.U, pop)).values();
      int[] v = got.trace(Probe.of(ProbeKind.V, pop)).values();
      int[] sp = got.trace(Probe.of(ProbeKind.SPIKES, pop)).values();
      double[] ru = ref.u(pop);
      double[] rv = ref.v(pop);
      for (int k = 0; k < STEPS; k++) {
        for (int i = 0; i < n; i++) {
          int at = k * n + i;
          String where = pop + " neuron " + i + " step " + k;
          assertTrue(Math.abs(ru[at]) < (1 << 22) && Math.abs(rv[at]) < (1 << 22),
              where + ": the test needs states far from the 24-bit limits");
          assertEquals(u[at], ru[at], where + ": u");
          assertEquals(v[at], rv[at], where + ": v");
          assertEquals(sp[at], ref.spike(pop, k, i), where + ": spike");
        }
      }
      spikes += ref.totalSpikes(pop);
    }
    assertTrue(spikes > 200, "the network must be active for the comparison to mean anything: "
        + spikes + " spikes");
  }
}
