package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.compiler.report.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Symbol;

class PlacementTest {
  /** The loihi spec with some limits replaced. */
  static ChipSpec spec(Map<String, Integer> changes) {
    String json = ChipSpec.loihi().toJson();
    for (Map.Entry<String, Integer> e : changes.entrySet()) {
      json = json.replaceFirst("\"" + e.getKey() + "\": \\d+", "\"" + e.getKey() + "\": " + e.getValue());
    }
    return ChipSpec.parse(json, "test");
  }

  static Population pop(String name, int n, int[] vth, int[] dv) {
    return Population.of(name, FixedNeurons.builder(n).allDu(0).dv(dv).vth(vth).build(name));
  }

  static Population pop(String name, int n) {
    return pop(name, n, new int[n], new int[n]);
  }

  /** Every target neuron receives from {@code fanIn} distinct sources (of sourceSize). */
  static Projection fanIn(String name, String src, int sourceSize, String tgt, int targetSize, int fanIn) {
    Projection.Builder b = Projection.builder(name, Projection.Source.population(src), sourceSize, tgt,
        targetSize).fixed(WeightFormat.dense(SignMode.EXCITATORY));
    for (int t = 0; t < targetSize; t++) {
      for (int k = 0; k < fanIn; k++) {
        b.fixedSynapse((t * fanIn + k) % sourceSize, t, 2, 0);
      }
    }
    return b.build();
  }

  static Compiler.Result compile(Network n, ChipSpec spec) {
    return Compiler.standard().compile(n, spec);
  }

  @Test
  void smallNetworkFitsOneCore() {
    Network n = Network.builder("n").population(pop("a", 3)).population(pop("b", 3))
        .projection(fanIn("ab", "a", 3, "b", 3, 2)).output("b").build();
    Compiler.Result r = compile(n, spec(Map.of("neuronsPerCore", 8)));
    assertEquals(1, r.report().cores().size());
    CompileReport.CoreUsage u = r.report().cores().get(0);
    assertEquals(6, u.neurons());
    assertEquals(3, u.inputAxons());
    assertEquals(3, u.outputAxons());
    assertEquals(6, u.synapses());
  }

  @Test
  void populationSplitsWhenNeuronsRunOut() {
    Network n = Network.builder("n").population(pop("a", 10)).output("a").build();
    Compiler.Result r = compile(n, spec(Map.of("neuronsPerCore", 4)));
    assertEquals(List.of(4, 4, 2), r.report().cores().stream().map(CompileReport.CoreUsage::neurons).toList());
    Symbol s = r.image().getSymbols(0);
    assertEquals(3, s.getRangesCount());
    assertEquals(8, s.getRanges(2).getOffset());
    assertEquals(2, s.getRanges(2).getCore().getCore());
  }

  @Test
  void distinctThresholdsSplitAPopulation() {
    int[] vth = {1, 2, 3, 4, 5};
    Network n = Network.builder("n").population(pop("a", 5, vth, new int[5])).output("a").build();
    Compiler.Result r = compile(n, spec(Map.of("thresholdProfilesPerCore", 2)));
    assertEquals(List.of(2, 2, 1), r.report().cores().stream().map(CompileReport.CoreUsage::neurons).toList());
    assertEquals(2, r.image().getCores(0).getThresholdProfilesCount());
  }

  @Test
  void distinctDecaysSplitAPopulationButRepeatsShareARow() {
    int[] dv = {7, 8, 7, 9, 8, 7};
    Network n = Network.builder("n").population(pop("a", 6, new int[6], dv)).output("a").build();
    Compiler.Result r = compile(n, spec(Map.of("decayProfilesPerCore", 2)));
    // 7, 8, 7 fit; 9 opens a new core: 9, 8, 7 need 3 rows, so 7 opens a third core.
    assertEquals(List.of(3, 2, 1), r.report().cores().stream().map(CompileReport.CoreUsage::neurons).toList());
    assertEquals(List.of(0, 1, 0), r.image().getCores(0).getDecayIndexList());
  }

  @Test
  void inputAxonsLimitHowManyTargetsShareACore() {
    // Each target has 3 distinct sources; 6 axons per core hold 2 targets (plus the sources'
    // own population, which has no input).
    Network n = Network.builder("n").population(pop("a", 12)).population(pop("b", 4))
        .projection(fanIn("ab", "a", 12, "b", 4, 3)).output("b").build();
    // The greedy fill order is what this test describes (the traffic partition may regroup).
    Compiler.Result r = Compiler.builder().partition(new GreedyPartition()).build()
        .compile(n, spec(Map.of("inputAxonsPerCore", 6, "neuronsPerCore", 12)));
    assertEquals(List.of(12, 2, 2), r.report().cores().stream().map(CompileReport.CoreUsage::neurons).toList());
    assertEquals(6, r.report().cores().get(1).inputAxons());
  }

  @Test
  void fanInBeyondACoreDoesNotFitAndSaysByHowMuch() {
    Network n = Network.builder("n").population(pop("a", 10)).population(pop("b", 1))
        .projection(fanIn("ab", "a", 10, "b", 1, 10)).output("b").build();
    String m = assertThrows(QuenchException.class, () -> compile(n, spec(Map.of("inputAxonsPerCore", 8))))
        .getMessage();
    assertTrue(m.contains("population 'b' neuron 0") && m.contains("10 input axons") && m.contains("has 8")
        && m.contains("by 2"), m);
  }

  @Test
  void synapseMemoryBeyondACoreDoesNotFit() {
    Network n = Network.builder("n").population(pop("a", 10)).population(pop("b", 1))
        .projection(fanIn("ab", "a", 10, "b", 1, 10)).output("b").build();
    String m = assertThrows(QuenchException.class,
        () -> compile(n, spec(Map.of("synapseMemoryBytesPerCore", 40)))).getMessage();
    assertTrue(m.contains("bytes of synapse memory") && m.contains("has 40"), m);
  }

  @Test
  void tooManyChipsIsRefusedWithTheCount() {
    Network n = Network.builder("n").population(pop("a", 5)).output("a").build();
    String m = assertThrows(QuenchException.class, () -> compile(n,
        spec(Map.of("neuronsPerCore", 1, "coresPerChip", 2, "maxChips", 2)))).getMessage();
    assertTrue(m.contains("5 cores = 3 chips") && m.contains("allows 2 chips") && m.contains("1 too many"), m);
  }

  @Test
  void newChipStartsWhenAChipIsFull() {
    Network n = Network.builder("n").population(pop("a", 5)).output("a").build();
    Compiler.Result r = compile(n, spec(Map.of("neuronsPerCore", 1, "coresPerChip", 2)));
    assertEquals(3, r.image().getHeader().getChipCount());
    assertEquals(2, r.image().getCores(4).getAddress().getChip());
    assertEquals(0, r.image().getCores(4).getAddress().getCore());
  }

  @Test
  void outputAxonsBeyondACoreAreRefused() {
    // One source neuron reaching targets on 3 cores needs 3 output axons.
    Network n = Network.builder("n").population(pop("a", 1)).population(pop("b", 3))
        .projection(fanIn("ab", "a", 1, "b", 3, 1)).output("b").build();
    String m = assertThrows(QuenchException.class, () -> compile(n,
        spec(Map.of("neuronsPerCore", 1, "outputAxonsPerCore", 2)))).getMessage();
    assertTrue(m.contains("core (0,0) needs 3 output axons") && m.contains("allows 2"), m);
  }

  @Test
  void floatPopulationsMustBeQuantizedFirst() {
    Population f = Population.of("f", org.quench.compiler.ir.FloatNeurons.builder(2).allTauSyn(1)
        .allTauMem(1).allThreshold(1).build("f"));
    Network n = Network.builder("n").population(f).build();
    String m = assertThrows(QuenchException.class, () -> compile(n, ChipSpec.loihi())).getMessage();
    assertTrue(m.contains("'f'") && m.contains("quantize"), m);
  }

  @Test
  void inputPortAxonsCountOnTheCore() {
    Projection in = Projection.builder("in", Projection.Source.inputPort("x"), 3, "a", 2)
        .fixed(WeightFormat.dense(SignMode.EXCITATORY)).fixedSynapse(0, 0, 1, 0).fixedSynapse(2, 1, 1, 0)
        .build();
    Network n = Network.builder("n").input(new InputPort("x", 3)).population(pop("a", 2)).projection(in)
        .output("a").build();
    ChipImage img = compile(n, ChipSpec.loihi()).image();
    assertEquals(2, img.getCores(0).getAxonGroups(0).getAxonCount());
    assertEquals(2, img.getInputs(0).getTargetsCount());
    assertEquals(2, img.getInputs(0).getTargets(1).getPortOffset());
    assertEquals(1, img.getInputs(0).getTargets(1).getAxonFirst());
  }
}
