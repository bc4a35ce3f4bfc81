package org.quench.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.ir.Network;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.verify.VerificationReport.PopulationAgreement;

class VerificationTest {
  @Test
  void identicalRecordingsAgreeFully() {
    int[] s = {1, 0, 0, 1, 1, 0, 0, 0, 1};
    PopulationAgreement a = Verification.compare("p", true, 3, 3, s, s.clone());
    assertEquals(1.0, a.agreement());
    assertEquals(1.0, a.countCorrelation(), 1e-12);
    assertNull(a.firstDifferenceStep());
    assertEquals(0.0, a.rateDifference());
    assertEquals(4.0 / 9, a.referenceRate(), 1e-12);
    assertTrue(a.argmaxAgrees());
    assertEquals(0, a.referenceArgmax(), "counts 2,1,1: neuron 0");
  }

  @Test
  void firstDifferenceIsTheEarliestStepThenLowestNeuron() {
    int[] ref = {0, 0, 0, 0, 1, 0, 1, 1, 0};
    int[] dev = {0, 0, 0, 0, 1, 1, 0, 1, 0};
    PopulationAgreement a = Verification.compare("p", false, 3, 3, ref, dev);
    assertEquals(1, a.firstDifferenceStep());
    assertEquals(2, a.firstDifferenceNeuron());
    assertEquals(7.0 / 9, a.agreement(), 1e-12);
    assertNull(a.argmaxAgrees(), "not an output: no argmax");
    // counts ref (1, 2, 0), dev (0, 2, 1): deviations (0, 1, -1) and (-1, 1, 0), so Pearson is
    // 1 / sqrt(2 * 2) = 0.5.
    assertEquals(0.5, a.countCorrelation(), 1e-12);
  }

  @Test
  void silentPopulationsHaveNoCorrelationAndSayWhy() {
    int[] silent = new int[6];
    int[] some = {1, 0, 0, 0, 0, 1};
    PopulationAgreement a = Verification.compare("out", true, 2, 3, silent, some);
    assertNull(a.countCorrelation());
    assertTrue(a.correlationNote().contains("reference has no spikes"), a.correlationNote());
    assertNull(a.argmaxAgrees());
    assertTrue(a.argmaxNote().contains("the reference"), a.argmaxNote());
    VerificationReport report = new VerificationReport("emu:loihi", 2, 0,
        java.util.List.of(a), java.util.List.of(), java.util.List.of(), Double.NaN);
    String text = report.summary();
    assertFalse(text.contains("NaN"), text);
    assertTrue(text.contains("n/a") && text.contains("correlation undefined"), text);
    JsonObject json = JsonParser.parseString(report.toJson()).getAsJsonObject();
    JsonObject pop = json.getAsJsonArray("populations").get(0).getAsJsonObject();
    assertTrue(pop.get("countCorrelation").isJsonNull());
    assertFalse(report.toJson().contains("NaN"));
  }

  @Test
  void aSpikeOneStepLateAgreesWithinAToleranceOfOneStep() {
    // one neuron, 6 steps: the reference spikes at 1 and 4, the device at 2 and 4
    int[] ref = {0, 1, 0, 0, 1, 0};
    int[] dev = {0, 0, 1, 0, 1, 0};
    assertEquals(4.0 / 6, Verification.compare("p", false, 6, 1, ref, dev).agreement(), 1e-12);
    assertEquals(4.0 / 6, Verification.compare("p", false, 6, 1, ref, dev, 0).agreementWithinTolerance(), 1e-12);
    PopulationAgreement within1 = Verification.compare("p", false, 6, 1, ref, dev, 1);
    assertEquals(1.0, within1.agreementWithinTolerance(), 1e-12);
    assertEquals(1, within1.toleranceSteps());
    // a spike can be matched only once: two device spikes around one reference spike leave one over
    int[] twice = {1, 0, 1, 0, 0, 0};
    int[] once = {0, 1, 0, 0, 0, 0};
    assertEquals(5.0 / 6, Verification.compare("p", false, 6, 1, once, twice, 1).agreementWithinTolerance(), 1e-12);
  }

  @Test
  void theGateNamesEveryUnmetBoundOfTheOutputs() {
    int[] ref = {1, 0, 0, 0, 1, 0, 0, 1, 0};   // 3 steps x 3 neurons: counts 1, 2, 0
    int[] dev = {0, 0, 1, 0, 0, 1, 0, 0, 1};   // counts 0, 0, 3
    PopulationAgreement out = Verification.compare("out", true, 3, 3, ref, dev);
    PopulationAgreement hidden = Verification.compare("hidden", false, 3, 3, ref, ref);
    VerificationReport report = new VerificationReport("emu:loihi", 3, 0, java.util.List.of(hidden, out),
        java.util.List.of(), java.util.List.of(), 1e-3);
    assertTrue(VerificationGate.NONE.failures(report).isEmpty());
    java.util.List<String> failed = new VerificationGate(0.9, 0.5, true).failures(report);
    assertEquals(3, failed.size(), failed.toString());
    assertTrue(failed.get(0).startsWith("'out' agreement") && failed.get(0).contains("--min-agreement 90.00 %"), failed.get(0));
    assertTrue(failed.get(1).contains("spike-count correlation -") && failed.get(1).contains("below --min-correlation 0.500"),
        failed.get(1));
    assertTrue(failed.get(2).contains("argmax differs (reference 1, device 2)"), failed.get(2));
    // only outputs are judged: the perfect hidden population is never named
    assertFalse(failed.toString().contains("hidden"));
    assertEquals(0.95, VerificationGate.fraction("95%", "--min-agreement"), 1e-12);
    assertThrows(org.quench.hal.QuenchException.class, () -> new VerificationGate(95, Double.NaN, false));
  }

  private static byte[] resource(String path) {
    try (InputStream in = VerificationTest.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The golden netx network (fixed point from the start) against its own ideal arithmetic: the
   * emulator truncates every decay product (less than one chip unit per step), the reference does
   * not. Against thresholds of thousands of units that moves a spike only now and then, so every
   * layer's per-neuron counts must correlate almost perfectly (> 0.95), at least 90% of steps x
   * neurons must agree, and the output's argmax must be the same neuron. The deeper the layer, the
   * more the differences accumulate: agreement may only fall along the chain.
   */
  @Test
  void netxNetworkOnTheEmulatorIsComparedWithItsIdealArithmetic() {
    Network net = NetxReader.read(resource("/golden/netx-random-1001/random.net"), "random.net",
        NetxReader.Options.defaults());
    int[] bias = NpyArray.parse(resource("/golden/netx-random-1001/input_bias.npy"), "bias").toInts();
    String input = net.populations().get(0).name();
    Stimulus stimulus = Stimulus.builder(300).bias(0, input, bias).build();
    Compiler.Result compiled = Compiler.standard().compile(net, ChipSpec.loihi());
    VerificationReport report = new Verification(net, 1e-3, Discretization.Convention.EXACT,
        ChipSpec.loihi()).run(compiled, "emu:loihi", stimulus);
    System.out.println(report.summary());
    assertEquals(net.populations().size(), report.populations().size());
    double previous = 1.0;
    for (PopulationAgreement p : report.populations()) {
      assertTrue(p.referenceSpikes() > 0, p.population() + " must be active");
      assertTrue(p.countCorrelation() > 0.95, p.population() + ": " + p.countCorrelation());
      assertTrue(p.agreement() > 0.9 && p.agreement() <= previous, p.population() + ": "
          + p.agreement());
      previous = p.agreement();
    }
    PopulationAgreement out = report.population(net.outputs().get(0));
    assertTrue(out.output());
    assertTrue(out.argmaxAgrees());
  }

  @Test
  void aReferenceSharingNoPopulationWithTheImageIsAnError() {
    Network net = NetxReader.read(resource("/golden/netx-random-1001/random.net"), "random.net",
        NetxReader.Options.defaults());
    Compiler.Result compiled = Compiler.standard().compile(net, ChipSpec.loihi());
    Network other = Network.builder("other").population(org.quench.compiler.ir.Population.of("x",
        org.quench.compiler.ir.FixedNeurons.builder(1).allDu(0).allDv(0).allVth(1).build("x")))
        .build();
    QuenchException e = assertThrows(QuenchException.class,
        () -> new Verification(other, 1e-3, Discretization.Convention.EXACT, ChipSpec.loihi())
            .run(compiled, "emu:loihi", Stimulus.idle(3)));
    assertTrue(e.getMessage().contains("shares no population"), e.getMessage());
  }

  @Test
  void aNetworkWithoutPortsGetsASeededBiasUpToTwiceItsThreshold() {
    Network net = Network.builder("noports").population(org.quench.compiler.ir.Population.of("x",
        org.quench.compiler.ir.FixedNeurons.builder(50).allDu(0).allDv(0).allVth(100)
            .allBiasExp(6).build("x"))).build();
    Stimulus a = VerificationInputs.randomBias(net, ChipSpec.loihi(), 10, 4);
    Stimulus b = VerificationInputs.randomBias(net, ChipSpec.loihi(), 10, 4);
    int[] bias = a.biasChanges().get(0).biasMant();
    org.junit.jupiter.api.Assertions.assertArrayEquals(bias, b.biasChanges().get(0).biasMant());
    int max = java.util.Arrays.stream(bias).max().getAsInt();
    // effective bias mant << 6 against vth << 6: up to twice the threshold, spread out
    assertTrue(max < 200 && max > 100, "max " + max);
    assertTrue(java.util.Arrays.stream(bias).min().getAsInt() >= 0);
  }
}
