package org.quench.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.HeterogeneousRecurrent;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.passes.Quantize;
import org.quench.compiler.quant.WeightBits;
import org.quench.compiler.report.CompileOptions;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.Core;

/**
 * Exponents chosen per (projection, core) reach the chip: on the issue-16 population (2,000
 * CubaLIF neurons, lognormal tau_syn and tau_mem) compiled with a weight target, one input spike
 * puts into every target neuron's u exactly what its core's axon group says (mantissa shifted by
 * that group's exponent), and those values are closer to the float weights (gains folded) than one
 * exponent for the whole projection would be.
 */
class CoreWeightExponentsOnChipTest {
  @Test
  void oneSpikeDeliversEachCoresOwnExponentAndBeatsOneExponent() {
    ChipSpec spec = ChipSpec.loihi();
    Network net = HeterogeneousRecurrent.network(2000, 7);
    Compiler.Result r = Compiler.forNir(NirImportOptions.defaults().withDt(1e-3))
        .compile(net, spec, CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, "0.1"));
    Projection in = r.network().projections().stream().filter(p -> p.name().equals("input->pop"))
        .findFirst().orElseThrow();
    TreeSet<Integer> exps = new TreeSet<>();
    for (Core c : r.image().getCoresList()) {
      for (AxonGroup g : c.getAxonGroupsList()) {
        if (g.getName().equals("input->pop")) {
          exps.add(g.getWeightExp());
        }
      }
    }
    assertTrue(exps.size() >= 2, "input->pop exponents per core: " + exps);
    // The channel that reaches the most neurons.
    int channel = 0;
    for (int s = 1; s < in.sourceSize(); s++) {
      if (in.rowStart(s + 1) - in.rowStart(s) > in.rowStart(channel + 1) - in.rowStart(channel)) {
        channel = s;
      }
    }
    int steps = 3;
    Stimulus stimulus = Stimulus.builder(steps).spike(0, "input", channel).build();
    RunResult got;
    try (Device d = Devices.open("emu:loihi")) {
      d.load(r.image());
      d.attach(Probe.of(ProbeKind.U, "pop"));
      got = d.run(stimulus);
    }
    int n = net.populations().get(0).size();
    int[] u = got.trace(Probe.of(ProbeKind.U, "pop")).values();
    double[] req = in.requestedWeights();
    org.quench.hal.proto.SignMode mode = org.quench.hal.proto.SignMode.valueOf(in.format().signMode().name());
    int[] raw = in.fixedWeights();
    int[] held = WeightBits.prepare(raw, mode, in.format().numWeightBits(), spec);
    int[] oneExp = WeightBits.prepare(org.quench.compiler.quant.WeightQuantizer.quantize(req, 1.0, mode,
        in.format().weightExp(), spec).weights(), mode, in.format().numWeightBits(), spec);
    double sseChip = 0;
    double sseOne = 0;
    double norm = 0;
    int checked = 0;
    for (int k = in.rowStart(channel); k < in.rowStart(channel + 1); k++) {
      int t = in.target(k);
      // u before the spike is 0; the step the spike arrives at holds exactly its activation << 6.
      int arrived = 0;
      for (int step = 0; step < steps && arrived == 0; step++) {
        arrived = u[step * n + t];
      }
      long expected = WeightBits.activation(held[k], in.weightExp(t)) << spec.activationShift();
      assertEquals(expected, arrived, "neuron " + t);
      double chip = arrived / Math.scalb(1.0, spec.activationShift());
      double one = WeightBits.activation(oneExp[k], in.format().weightExp());
      sseChip += (chip - req[k]) * (chip - req[k]);
      sseOne += (one - req[k]) * (one - req[k]);
      norm += req[k] * req[k];
      checked++;
    }
    assertTrue(checked >= 5, checked + " neurons reached");
    assertTrue(sseChip < sseOne, "chip " + Math.sqrt(sseChip / norm) + " vs one exponent " + Math.sqrt(sseOne / norm));
    System.out.printf("input->pop on %d cores, exponents %s: one spike's RMS error %.4f on the chip,"
        + " %.4f with one exponent%n", r.image().getCoresCount(), exps, Math.sqrt(sseChip / norm),
        Math.sqrt(sseOne / norm));
  }
}
