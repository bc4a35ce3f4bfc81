package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The worst-case state bound Quantize reports and ProfileBudget reports again after fitting the
 * final cores' rows: per neuron, the positive and the negative effective weights of its incoming
 * fixed-point projections summed, each at the exponent of its target neuron.
 */
class WorstCaseBoundTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  @Test
  void sumsEachSignAtEachTargetsExponentWithTheNeuronsOwnDecaysBiasAndThreshold() {
    FixedNeurons neurons = FixedNeurons.builder(3).du(new int[] {4095, 2048, 100}).dv(new int[] {4000, 3000, 0})
        .vth(new int[] {200, 900, 50}).biasMant(new int[] {0, 17, -3}).biasExp(new int[] {0, 2, 1}).build("p");
    // Excitatory at exponent 2: 10 and 5 onto neuron 0, 3 onto neuron 1.
    Projection a = Projection.builder("a", Projection.Source.inputPort("in"), 2, "p", 3)
        .fixed(new WeightFormat(2, 8, SignMode.EXCITATORY, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, 10, 0).fixedSynapse(1, 0, 5, 0).fixedSynapse(0, 1, 3, 0).build();
    // Mixed, with an exponent per target neuron (-1, 0, 1), as exponents per core give:
    // -7 onto neuron 0, 4 onto neuron 1, -1 onto neuron 2, and a 0 that adds to neither side.
    Projection b = Projection.builder("b", Projection.Source.population("q"), 2, "p", 3)
        .fixed(new WeightFormat(0, 8, SignMode.MIXED, ConnectionKind.DENSE))
        .fixedSynapse(0, 0, 0, 0).fixedSynapse(0, 2, 0, 0).fixedSynapse(1, 0, 0, 0).fixedSynapse(1, 1, 0, 0)
        .build();
    b = b.withFixedWeights(new int[] {-7, -1, 0, 4}, b.format(), null, new int[] {-1, 0, 1});
    assertEquals(List.of(0, 2, 0, 1), List.of(b.target(0), b.target(1), b.target(2), b.target(3)));

    OverflowBound.Bound got = Quantize.worstCaseBound(neurons, List.of(a, b), LOIHI);

    double[] pos = {10 * 4 + 5 * 4, 3 * 4 + 4 * 1, 0};
    double[] neg = {7 * 0.5, 0, 1 * 2};
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
    assertEquals(0, Quantize.worstCaseBound(neurons, List.of(a), LOIHI).uBound()[2]);
    assertTrue(got.uBound()[2] > 0);
  }
}
