package org.quench.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;

class NetworkBuilderTest {
  private static String error(Runnable r) {
    return assertThrows(QuenchException.class, r::run).getMessage();
  }

  private static FloatNeurons.Builder floats(int n) {
    return FloatNeurons.builder(n).allTauSyn(0.005).allTauMem(0.01).allThreshold(1.0);
  }

  @Test
  void nanParameterNamesPopulationParameterAndNeuron() {
    double[] th = {1, 1, Double.NaN};
    String m = error(() -> floats(3).threshold(th).build("lif1"));
    assertTrue(m.contains("'lif1'") && m.contains("'threshold'") && m.contains("neuron 2"), m);
  }

  @Test
  void infiniteParameterIsRefused() {
    String m = error(() -> floats(2).bias(new double[] {0, Double.POSITIVE_INFINITY}).build("p"));
    assertTrue(m.contains("'bias'") && m.contains("neuron 1"), m);
  }

  @Test
  void negativeTimeConstantIsRefused() {
    String m = error(() -> floats(3).tauMem(new double[] {0.01, -0.02, 0.01}).build("lif2"));
    assertTrue(m.contains("'lif2'") && m.contains("tau_mem") && m.contains("neuron 1") && m.contains("positive"), m);
  }

  @Test
  void sizeMismatchIsRefused() {
    String m = error(() -> floats(3).tauSyn(new double[] {1, 2}).build("p"));
    assertTrue(m.contains("tau_syn") && m.contains("2 values for 3 neurons"), m);
  }

  @Test
  void fixedNeuronsNeedTheirDecays() {
    String m = error(() -> FixedNeurons.builder(2).allVth(10).allDv(0).build("x"));
    assertTrue(m.contains("'du'") && m.contains("missing"), m);
  }

  @Test
  void shapeMustMatchSize() {
    FixedNeurons f = FixedNeurons.builder(6).allDu(0).allDv(0).allVth(1).build("x");
    assertEquals(6, Population.of("x", new int[] {2, 3}, f).size());
    String m = error(() -> Population.of("x", new int[] {2, 2}, f));
    assertTrue(m.contains("[2, 2]") && m.contains("6 neurons"), m);
  }

  @Test
  void projectionToUnknownPopulationIsRefused() {
    FixedNeurons f = FixedNeurons.builder(2).allDu(0).allDv(0).allVth(1).build("a");
    Projection p = Projection.builder("a->b", Projection.Source.population("a"), 2, "b", 2)
        .fixed(WeightFormat.dense(SignMode.EXCITATORY)).fixedSynapse(0, 1, 3, 0).build();
    String m = error(() -> Network.builder("n").population(Population.of("a", f)).projection(p).build());
    assertTrue(m.contains("'a->b'") && m.contains("'b'"), m);
  }

  @Test
  void projectionSizeMustMatchItsSource() {
    FixedNeurons f = FixedNeurons.builder(2).allDu(0).allDv(0).allVth(1).build("a");
    Projection p = Projection.builder("p", Projection.Source.population("a"), 3, "a", 2)
        .fixed(WeightFormat.dense(SignMode.EXCITATORY)).build();
    String m = error(() -> Network.builder("n").population(Population.of("a", f)).projection(p).build());
    assertTrue(m.contains("source of 3") && m.contains("has 2"), m);
  }

  @Test
  void duplicateNamesAreRefused() {
    FixedNeurons f = FixedNeurons.builder(2).allDu(0).allDv(0).allVth(1).build("a");
    String m = error(() -> Network.builder("n").population(Population.of("a", f))
        .population(Population.of("a", f)).build());
    assertTrue(m.contains("two populations named 'a'"), m);
  }

  @Test
  void synapseIndexOutOfRangeIsRefused() {
    String m = error(() -> Projection.builder("p", Projection.Source.population("a"), 2, "b", 2)
        .fixed(WeightFormat.dense(SignMode.MIXED)).fixedSynapse(0, 5, 1, 0));
    assertTrue(m.contains("target index 5"), m);
  }

  @Test
  void synapsesAreStoredBySourceThenTarget() {
    Projection p = Projection.builder("p", Projection.Source.population("a"), 3, "b", 3)
        .fixed(WeightFormat.dense(SignMode.MIXED))
        .fixedSynapse(2, 1, 21, 0).fixedSynapse(0, 2, 2, 1).fixedSynapse(0, 0, 0, 0)
        .fixedSynapse(2, 0, 20, 3).build();
    assertEquals(4, p.synapseCount());
    assertEquals(0, p.rowStart(0));
    assertEquals(2, p.rowStart(1));
    assertEquals(2, p.rowStart(2));
    assertEquals(4, p.rowStart(3));
    assertEquals(0, p.target(0));
    assertEquals(2, p.target(1));
    assertEquals(2, p.fixedWeight(1));
    assertEquals(1, p.delay(1));
    assertEquals(20, p.fixedWeight(2));
    assertEquals(3, p.delay(2));
    assertEquals(21, p.fixedWeight(3));
  }

  @Test
  void weightBitsAreNeverNegativeAndOtherwiseBoundedByTheChip() {
    // 9 EXCITATORY bits are too many for Loihi but fine on a 10-bit chip: the compile judges them.
    new WeightFormat(0, 9, SignMode.EXCITATORY, ConnectionKind.DENSE);
    String m = error(() -> new WeightFormat(0, -1, SignMode.MIXED, ConnectionKind.DENSE));
    assertTrue(m.contains("num_weight_bits -1 is negative"), m);
  }
}
