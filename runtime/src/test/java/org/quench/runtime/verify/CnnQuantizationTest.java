package org.quench.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.passes.Discretize;
import org.quench.compiler.passes.GreedyPartition;
import org.quench.compiler.passes.LocalityOrder;
import org.quench.compiler.passes.ProfileBudget;
import org.quench.compiler.passes.Quantize;
import org.quench.compiler.reference.StateRanges;
import org.quench.hal.ChipSpec;
import org.quench.hal.Stimulus;
import org.quench.runtime.verify.VerificationReport.PopulationAgreement;

/**
 * Post-training quantization keeps the NIR paper's N-MNIST CNN (cnn_sinabs.nir, sinabs IAF layers,
 * test resource with its license LICENSE-NIR.txt) working: calibrated on 100 steps of 5 % random
 * input (one seed), then verified on 100 steps of 5 % random input (another seed) against the
 * discretized model in double precision (quantization alone). Without calibration the integrate-
 * and-fire layers' membranes, scaled by the threshold, saturate the 24-bit state when inhibition
 * drives them far below zero, and layer 10 fires at about twice the reference rate.
 * The greedy partitioner keeps the test quick: quantization does not depend on the partition.
 */
class CnnQuantizationTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  static Path cnn() {
    try {
      return Path.of(CnnQuantizationTest.class.getResource("/nir/cnn_sinabs.nir").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Compiler compiler(NirImportOptions o, StateRanges ranges) {
    return Compiler.builder().pass(new Discretize(o.dt(), o.discretization()))
        .pass(new ProfileBudget(o.dt(), o.discretization())).pass(new Quantize(ranges))
        .pass(new LocalityOrder()).partition(new GreedyPartition()).build();
  }

  @Test
  void calibratedQuantizationKeepsEveryLayerAndTheArgmax() {
    NirImportOptions o = NirImportOptions.defaults();
    Network net = Frontends.load(cnn(), o);
    Stimulus calibration = VerificationInputs.poisson(net, 100, 0.05, 101);
    StateRanges ranges = StateRanges.observe(net, o.dt(), o.discretization(), calibration);
    Compiler.Result r = compiler(o, ranges).compile(net, LOIHI, CompileOptions.none());
    for (CompileReport.ProjectionQuality q : r.report().projections()) {
      assertEquals(0, q.clipped(), q.projection() + " clips");
    }
    assertTrue(r.report().decisions().stream().anyMatch(d -> d.contains("calibrated on 100 step(s)")),
        "the overflow risk comes from the calibration data");
    Verification v = new Verification(net, o.dt(), o.discretization(), LOIHI);
    VerificationReport report = v.run(r, "emu:loihi", VerificationInputs.poisson(net, 100, 0.05, 7));
    System.out.println(report.summary());
    for (PopulationAgreement a : report.againstDiscretized()) {
      double min = a.output() ? 0.9 : 0.95;
      assertTrue(a.countCorrelation() != null && a.countCorrelation() >= min,
          "population " + a.population() + " count correlation " + a.countCorrelation());
      if (a.output()) {
        assertEquals(Boolean.TRUE, a.argmaxAgrees(), "argmax " + a.referenceArgmax() + " vs " + a.deviceArgmax());
      }
    }
  }
}
