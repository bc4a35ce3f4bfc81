package org.quench.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.report.CompileOptions;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.runtime.model.ModelCompilation;
import org.quench.runtime.verify.Verification;
import org.quench.runtime.verify.VerificationInputs;
import org.quench.runtime.verify.VerificationReport;

/** NIR models through the float compile path, run on the emulator. */
class NirOnEmulatorTest {
  private static Path model(String name) {
    try {
      return Path.of(NirOnEmulatorTest.class.getResource("/nir/real/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      // the compiler module's test resources are not on this classpath: use the shared copy
      return Path.of("../compiler/src/test/resources/nir/real/" + name);
    }
  }

  private static RunResult run(String file, NirImportOptions o, Stimulus s) {
    Network n = Frontends.load(model(file), o);
    Compiler.Result r = Compiler.forNir(o).compile(n, ChipSpec.loihi());
    try (Device d = Devices.open("emu:loihi")) {
      d.load(r.image());
      return d.run(s);
    }
  }

  @Test
  void lifNorseSpikesWhenTheFloatModelDoes() {
    int steps = 60;
    Stimulus.Builder s = Stimulus.builder(steps);
    for (int t = 0; t < 40; t++) {
      s.spike(t, "input", 0);
    }
    RunResult r = run("lif_norse.nir", NirImportOptions.defaults(), s.build());
    int[][] got = r.output("1").dense(steps);
    // Float model, exact convention: v = keep v + (1 - keep) * w * x[t-1] (one-step lag), spike
    // when v > 0.1, then v = 0; w = 1, tau = 2.5 ms, dt = 0.1 ms.
    double keep = Math.exp(-1e-4 / 0.0024999999441206455);
    double v = 0;
    int[] want = new int[steps];
    for (int t = 0; t < steps; t++) {
      double x = t >= 1 && t - 1 < 40 ? 1 : 0;
      v = keep * v + (1 - keep) * x;
      if (v > 0.10000000149011612) {
        want[t] = 1;
        v = 0;
      }
    }
    int[] spikes = new int[steps];
    for (int t = 0; t < steps; t++) {
      spikes[t] = got[t][0];
    }
    assertArrayEquals(want, spikes);
  }

  /**
   * The sinabs CNN (four conv / linear layers of IAF neurons, 1.1 million synapses) against the
   * float reference: the network as sinabs defines it, simulated in double precision on the same
   * input. Quantization changes single spikes from the first layers on and the differences grow
   * with depth (measured over seeds 1..3 at 5% input rate and 30 steps: per-neuron count
   * correlation 0.99 in layer 1, 0.96 in layer 3, 0.95 in layer 6, 0.9 in layer 10), so each
   * layer must spike and correlate, more tightly near the input. (The braille model is held to
   * its float reference by BrailleVerificationTest.)
   */
  @Test
  void theSinabsCnnFollowsTheFloatReferenceLayerByLayer() {
    NirImportOptions o = NirImportOptions.defaults();
    ModelCompilation c = ModelCompilation.compile(model("cnn_sinabs.nir"), ChipSpec.loihi(), o,
        CompileOptions.none());
    Verification v = new Verification(c.reference(), o.dt(), o.discretization(), ChipSpec.loihi());
    Map<String, Double> minCorrelation = Map.of("1", 0.97, "3", 0.93, "6", 0.9, "10", 0.8);
    for (int seed = 1; seed <= 1; seed++) {
      Stimulus s = VerificationInputs.poisson(c.reference(), 30, 0.05, seed);
      VerificationReport r = v.run(c.result(), "emu:loihi", s);
      for (Map.Entry<String, Double> e : minCorrelation.entrySet()) {
        VerificationReport.PopulationAgreement layer = r.population(e.getKey());
        String where = "seed " + seed + " layer " + e.getKey() + ": " + layer;
        assertTrue(layer.referenceSpikes() > 100 && layer.deviceSpikes() > 100, where);
        assertTrue(layer.countCorrelation() > e.getValue(), where);
        assertTrue(layer.agreement() > 0.9, where);
        assertTrue(Math.abs(layer.rateDifference()) < 0.01, where);
      }
      // The output layer (10 neurons) spikes on the chip too.
      assertTrue(r.population("12").deviceSpikes() > 0, "seed " + seed + ": " + r.population("12"));
    }
  }
}
