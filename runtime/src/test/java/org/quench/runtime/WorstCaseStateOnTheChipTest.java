package org.quench.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.WeightBits;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;

/**
 * The compile report's worst-case bound on u holds on the chip where the chip's rounding adds to
 * the drive: weights of a fraction of an activation unit at negative exponents, each in its own
 * axon group, so each group's per-step sum is floored on its own
 * (docs/chip-semantics.md#activation-and-the-weight-exponent) and a -0.3 delivers a whole -1. The
 * real-valued sum of the weights (the bound before) is far below what the emulated chip reaches.
 */
class WorstCaseStateOnTheChipTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final int INPUTS = 6;

  /**
   * One neuron (threshold 1, no synaptic filter: u is the step's activation << 6), fed by
   * {@code INPUTS} projections of one inhibitory synapse each, far smaller than the threshold.
   */
  private static Network network() {
    FloatNeurons f = FloatNeurons.builder(1).tauSyn(new double[] {0}).tauMem(new double[] {0.02})
        .threshold(new double[] {1.0}).build("p");
    Network.Builder b = Network.builder("fractions").input(new InputPort("in", INPUTS))
        .population(Population.of("p", f)).output("p");
    for (int j = 0; j < INPUTS; j++) {
      b.projection(Projection.builder("in" + j + "->p", Projection.Source.inputPort("in"), INPUTS, "p", 1)
          .floatSynapse(j, 0, -3e-6 * (1 + 0.1 * j), 0).build());
    }
    return b.build();
  }

  @Test
  void theReportedBoundHoldsOnTheEmulatedChipWhereTheRealValuedSumDoesNot() {
    Compiler.Result r = Compiler.forNir(NirImportOptions.defaults().withDt(1e-3)).compile(network(), LOIHI);
    ChipImage image = r.image();
    assertEquals(1, image.getCoresCount());
    Core core = image.getCores(0);
    assertEquals(4095, core.getDecayProfiles(core.getDecayIndex(0)).getDu(), "u keeps nothing");
    // What the image holds: per group one weight, its real value and what the chip delivers.
    double realSum = 0;
    long chipSum = 0;
    assertEquals(INPUTS, core.getAxonGroupsCount());
    for (AxonGroup g : core.getAxonGroupsList()) {
      int[] raw = g.getWeightList().stream().mapToInt(Integer::intValue).toArray();
      int held = WeightBits.prepare(raw, g.getSignMode(), g.getNumWeightBits(), LOIHI)[0];
      assertTrue(held < 0 && g.getWeightExp() < 0, "a negative weight at a negative exponent");
      realSum += Math.scalb((double) held, g.getWeightExp());
      chipSum += WeightBits.activation(held, g.getWeightExp());
      assertTrue(Math.scalb((double) held, g.getWeightExp()) > -1, "a fraction of a unit");
    }
    assertTrue(-chipSum >= -realSum + 1, "rounding adds at least a unit: " + chipSum + " vs " + realSum);

    Stimulus.Builder s = Stimulus.builder(40);
    for (int t = 0; t < 40; t++) {
      for (int j = 0; j < INPUTS; j++) {
        s.spike(t, "in", j);
      }
    }
    Probe u = Probe.of(ProbeKind.U, "p");
    int observed = 0;
    try (Device chip = Devices.open("emu:loihi")) {
      chip.load(image);
      chip.attach(u);
      RunResult run = chip.run(s.build());
      for (int v : run.trace(u).values()) {
        observed = Math.max(observed, Math.abs(v));
      }
    }
    assertEquals(-chipSum * 64, observed, "u is the floored activation << 6 on every input step");

    CompileReport.PopulationQuality q = r.report().populations().stream()
        .filter(p -> p.population().equals("p")).findFirst().orElseThrow();
    double reportedBound = Math.scalb(1.0, LOIHI.stateBits() - 1) / Math.pow(2, q.uHeadroomBits());
    double realValuedBound = -realSum * 64;
    assertTrue(observed > realValuedBound, observed + " vs " + realValuedBound);
    assertTrue(observed <= reportedBound * (1 + 1e-12), "the chip's |u| " + observed
        + " exceeds the reported worst case " + reportedBound);
    System.out.printf("|u| on the chip %d, reported bound %.1f, real-valued sum's bound %.1f%n", observed,
        reportedBound, realValuedBound);
    // With nothing kept from step to step the bound is exact.
    assertEquals(observed, reportedBound, 1e-6 * observed);
  }
}
