package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.compiler.quant.FixedPoint;
import org.quench.compiler.quant.OverflowBound;
import org.quench.hal.ChipSpec;

/**
 * The worst-case state bound StateHeadroom reports: per neuron, the drive each of its axon groups
 * can deliver in one step, summed per delay and per sign from the prepared weights and shifted at
 * the target's exponent as the chip shifts it (docs/chip-semantics.md#activation-and-the-weight-exponent).
 */
class WorstCaseBoundTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  /** A current decay that keeps nothing: |u| is the last step's activation << 6. */
  private static final int NO_MEMORY = 4095;

  private static FixedNeurons neurons(int n) {
    int[] du = new int[n];
    Arrays.fill(du, NO_MEMORY);
    int[] vth = new int[n];
    Arrays.fill(vth, 1000);
    return FixedNeurons.builder(n).du(du).dv(new int[n]).vth(vth).biasMant(new int[n])
        .biasExp(new int[n]).build("p");
  }

  /** The u bound with NO_MEMORY: the larger side's drive per step, in activation units. */
  private static double[] drive(FixedNeurons neurons, List<Projection> in) {
    double[] u = StateHeadroom.bound(neurons, in, LOIHI).uBound();
    double[] out = new double[u.length];
    for (int i = 0; i < u.length; i++) {
      out[i] = u[i] / 64;
    }
    return out;
  }

  private static Projection oneWeight(String name, int weight, int exp, int delay) {
    return Projection.builder(name, Projection.Source.inputPort("in"), 1, "p", 1)
        .fixed(new WeightFormat(exp, 9, SignMode.MIXED, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, weight, delay).build();
  }

  @Test
  void sumsEachSignAtEachTargetsExponentWithTheNeuronsOwnDecaysBiasAndThreshold() {
    FixedNeurons neurons = FixedNeurons.builder(3).du(new int[] {4095, 2048, 100}).dv(new int[] {4000, 3000, 0})
        .vth(new int[] {200, 900, 50}).biasMant(new int[] {0, 17, -3}).biasExp(new int[] {0, 2, 1}).build("p");
    // Excitatory at exponent 2: 10 and 5 onto neuron 0, 3 onto neuron 1.
    Projection a = Projection.builder("a", Projection.Source.inputPort("in"), 2, "p", 3)
        .fixed(new WeightFormat(2, 8, SignMode.EXCITATORY, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, 10, 0).fixedSynapse(1, 0, 5, 0).fixedSynapse(0, 1, 3, 0).build();
    // Mixed with 8 weight bits (the core drops the lowest bit: -7 -> -8, -1 -> -2), with an exponent
    // per target neuron (-1, 0, 1), as exponents per core give: -7 onto neuron 0, 4 onto neuron 1,
    // -1 onto neuron 2, and a 0 that adds to neither side.
    Projection b = Projection.builder("b", Projection.Source.population("q"), 2, "p", 3)
        .fixed(new WeightFormat(0, 8, SignMode.MIXED, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, 0, 0).fixedSynapse(0, 2, 0, 0).fixedSynapse(1, 0, 0, 0).fixedSynapse(1, 1, 0, 0)
        .build();
    b = b.withFixedWeights(new int[] {-7, -1, 0, 4}, b.format(), null, new int[] {-1, 0, 1});
    assertEquals(List.of(0, 2, 0, 1), List.of(b.target(0), b.target(1), b.target(2), b.target(3)));

    OverflowBound.Bound got = StateHeadroom.bound(neurons, List.of(a, b), LOIHI);

    // Neuron 0: 60 up; -8 >> 1 = -4 down (the real value -3.5 would be half a unit short).
    // Neuron 1: 12 + 4 up. Neuron 2: -2 << 1 = -4 down.
    double[] pos = {10 * 4 + 5 * 4, 3 * 4 + 4, 0};
    double[] neg = {4, 0, 4};
    long[] effBias = new long[3];
    long[] effVth = new long[3];
    int[] biasMant = {0, 17, -3};
    int[] biasExp = {0, 2, 1};
    int[] vth = {200, 900, 50};
    for (int i = 0; i < 3; i++) {
      effBias[i] = FixedPoint.effectiveBias(biasMant[i], biasExp[i]);
      effVth[i] = (long) vth[i] << LOIHI.thresholdShift();
    }
    OverflowBound.Bound want = OverflowBound.bound(pos, neg, new int[] {4095, 2048, 100},
        new int[] {4000, 3000, 0}, effBias, effVth, 0, LOIHI);
    assertArrayEquals(want.uBound(), got.uBound());
    assertArrayEquals(want.vBound(), got.vBound());
    assertEquals(want.uHeadroomBits(), got.uHeadroomBits());
    assertEquals(want.vHeadroomBits(), got.vHeadroomBits());
    assertEquals(want.worstU(), got.worstU());
    // The inputs matter: without b the bound of neuron 2 (only b reaches it) is 0.
    assertEquals(0, StateHeadroom.bound(neurons, List.of(a), LOIHI).uBound()[2]);
    assertTrue(got.uBound()[2] > 0);
  }

  @Test
  void eachGroupAndEachDelayIsFlooredOnItsOwn() {
    FixedNeurons one = neurons(1);
    // -1 at exponent -1 floors to -1 (not -0.5); two groups floor separately: 2 units, where the
    // real-valued total (1) and its ceiling (1) say 1.
    assertEquals(1.0, drive(one, List.of(oneWeight("a", -1, -1, 0)))[0]);
    assertEquals(2.0, drive(one, List.of(oneWeight("a", -1, -1, 0), oneWeight("b", -1, -1, 0)))[0]);
    // One group, two synapses: summed first when they share a delay, floored apart when not.
    Projection sameDelay = Projection.builder("c", Projection.Source.inputPort("in"), 2, "p", 1)
        .fixed(new WeightFormat(-1, 9, SignMode.MIXED, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, -1, 3).fixedSynapse(1, 0, -1, 3).build();
    Projection twoDelays = Projection.builder("d", Projection.Source.inputPort("in"), 2, "p", 1)
        .fixed(new WeightFormat(-1, 9, SignMode.MIXED, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, -1, 3).fixedSynapse(1, 0, -1, 5).build();
    assertEquals(1.0, drive(one, List.of(sameDelay))[0]);
    assertEquals(2.0, drive(one, List.of(twoDelays))[0]);
    // Positive sums floor toward zero: 3 >> 1 = 1, and 1 + 1 at one delay >> 1 = 1.
    assertEquals(1.0, drive(one, List.of(oneWeight("e", 3, -1, 0)))[0]);
    Projection ones = Projection.builder("f", Projection.Source.inputPort("in"), 2, "p", 1)
        .fixed(new WeightFormat(-1, 9, SignMode.MIXED, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, 1, 0).fixedSynapse(1, 0, 1, 0).build();
    assertEquals(1.0, drive(one, List.of(ones))[0]);
  }

  @Test
  void gradedGroupsMultiplyByTheLargestPayloadOfEitherSign() {
    // 3 bits of payload: -4..3. Weights 3 and -2 reach +17 (3*3 + -2*-4) and -18 (3*-4 + -2*3).
    Projection graded = Projection.builder("g", Projection.Source.inputPort("in"), 2, "p", 2)
        .fixed(new WeightFormat(0, 9, SignMode.MIXED, ConnectionKind.DENSE)).numMessageBits(3)
        .fixedSynapse(0, 0, 3, 0).fixedSynapse(1, 0, -2, 0).fixedSynapse(0, 1, 3, 0).build();
    double[] d = drive(neurons(2), List.of(graded));
    assertEquals(18.0, d[0]);
    // A lone positive weight: 3 * 3 up, 3 * -4 down.
    assertEquals(12.0, d[1]);
  }
}
